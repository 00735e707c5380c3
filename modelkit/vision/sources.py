"""Built-in image sources: scikit-learn's bundled digits (offline) and torchvision's MNIST, Fashion-MNIST
and CIFAR-10 (on disk, else downloaded when online).

`load_digits_set()` and `load_torchvision_set("torchvision:cifar10", train=True)` return an
`ImageSet`; a torchvision set that is not on disk is downloaded by torchvision when a quick probe
(modelkit.online) reaches its server, else `DatasetUnavailableError` is raised within seconds.
`TORCHVISION_DATA_DIR` overrides where they live (default `<APP_DATA_DIR>/datasets`).
`load_image_splits(config)` loads any source (these, or a folder / zip through modelkit.vision.data) into
train and validation sets plus the data report; `check_image_data` is the report alone, and
`check_images(config)` what a page or `python -m modelkit check` shows (report, sizes, sample images).
No torch nor scikit-learn import for the digits, a folder or a zip (2-5 s each on a busy 2-core machine,
so the image page opens at once); torchvision's sets need torchvision to read them.
"""
from __future__ import annotations

import gzip
import importlib.util
import os
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from modelkit.vision.choice import resolve_image_size
from modelkit.vision.data import (ImageReport, ImageSet, build_report, class_samples, discard_unpacked,
                                  load_folder_splits, one_class_error, resolve_source, sample, split_automatic)
from modelkit.vision.zip_safety import ImageDataError
from modelkit.online import url_reachable
from modelkit.paths import app_data_dir

TORCHVISION_SETS = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST", "cifar10": "CIFAR10"}


class DatasetUnavailableError(ImageDataError):
    pass


def load_digits_set() -> ImageSet:
    """scikit-learn's 1,797 handwritten digits, 8x8 greyscale, ink 0..16 scaled to 0..255."""
    images, target = digits_arrays()
    pixels = (images * (255.0 / 16.0)).round().astype(np.uint8)[:, None]
    return ImageSet(pixels, target.tolist(), [str(d) for d in range(10)], [f"digits/{i}" for i in range(len(target))])


def digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """(images [1797, 8, 8] ink 0..16, labels): read from the file scikit-learn ships, as its load_digits does,
    without importing scikit-learn (2-3 s); through load_digits should the file ever move."""
    spec = importlib.util.find_spec("sklearn")  # finds the package's folder without running it
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz" if spec and spec.origin else None
    if path is None or not path.is_file():
        from sklearn.datasets import load_digits

        digits = load_digits()
        return digits.images, digits.target
    with gzip.open(path, "rt") as handle:
        data = np.loadtxt(handle, delimiter=",")
    return data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(int)


def torchvision_root() -> Path:
    return Path(os.environ.get("TORCHVISION_DATA_DIR") or app_data_dir() / "datasets")


def download_url(dataset_class) -> str:
    mirrors = getattr(dataset_class, "mirrors", None)
    return mirrors[0] if mirrors else dataset_class.url


def load_torchvision_set(name: str, train: bool) -> ImageSet:
    """A torchvision data set on disk, else downloaded when online; offline: a clear message, no hang."""
    import torchvision

    key = name.split(":", 1)[1]
    if key not in TORCHVISION_SETS:
        raise ImageDataError(f"unknown torchvision data set {key!r}; known: {sorted(TORCHVISION_SETS)}")
    root, dataset_class = torchvision_root(), getattr(torchvision.datasets, TORCHVISION_SETS[key])
    try:
        # download=False: torchvision checks the files (CIFAR-10 by md5, so its pickled batches are the
        # official ones, not a user's file) and raises instead of reaching for the network
        dataset = dataset_class(str(root), train=train, download=False)
    except RuntimeError:
        dataset = download_set(dataset_class, root, train)
    data = np.asarray(dataset.data)  # MNIST's is a torch tensor, CIFAR-10's an array: both become arrays
    pixels = data[:, None] if data.ndim == 3 else data.transpose(0, 3, 1, 2)
    return ImageSet(np.ascontiguousarray(pixels, dtype=np.uint8), [int(t) for t in dataset.targets],
                    list(dataset.classes),
                    [f"{key}/{'train' if train else 'test'}/{i}" for i in range(len(dataset.targets))])


def download_set(dataset_class, root: Path, train: bool):
    """torchvision's own download (checksums verified) after a quick probe, so offline fails in seconds."""
    name, url = dataset_class.__name__, download_url(dataset_class)
    if not url_reachable(url):
        raise DatasetUnavailableError(
            f"{name} is not downloaded under {root} and {urlparse(url).hostname} cannot be reached; this machine "
            f"may be offline. Connect it to the internet to download it once, or use the bundled digits or a "
            f"zip upload")
    try:
        return dataset_class(str(root), train=train, download=True)
    except (OSError, RuntimeError) as error:  # URLError is an OSError; a bad checksum is a RuntimeError
        raise DatasetUnavailableError(f"{name} could not be downloaded into {root}: {error}") from None


def load_image_splits(config, stored_size: int) -> tuple[ImageSet, ImageSet, ImageReport]:
    """Train and validation sets exactly as the config describes them (same seed, same images)."""
    kind, folder = resolve_source(config.data_path)
    if kind == "digits":
        train, val = split_automatic(load_digits_set(), config.val_fraction, config.seed)
        report = build_report("digits (scikit-learn)", train, val, "automatic", [])
    elif kind.startswith("torchvision:"):
        train, val = load_torchvision_set(kind, True), load_torchvision_set(kind, False)
        report = build_report(kind, train, val, "folders", [])
    else:
        try:
            train, val, train_scan, val_scan, split = load_folder_splits(folder, stored_size, config)
        except ImageDataError:
            discard_unpacked(folder)
            raise
        report = build_report(config.data_path, train, val, split, [train_scan, val_scan])
    if len(train.label_names) < 2:
        raise one_class_error(train.label_names)
    return sample(train, config.max_train_rows, config.seed), sample(val, config.max_val_rows, config.seed), report


def check_image_data(config, stored_size: int) -> ImageReport:
    """The data report a page shows before training (the same loading the training run does)."""
    return load_image_splits(config, stored_size)[2]


def check_images(config, samples_per_class: int = 0) -> dict:
    """The data check before training, as a dict: the report (classes, counts, sizes, skipped files, classes
    too small) for the model and image size this config gets, plus with `samples_per_class` ("samples") the
    first few stored images of each class (H x W or H x W x 3 uint8)."""
    train, _, report = load_image_splits(config, resolve_image_size(config))
    checked = report.to_dict()
    if samples_per_class:
        checked["samples"] = class_samples(train, samples_per_class)
    return checked
