"""Built-in image sources: scikit-learn's bundled digits (offline) and torchvision sets already on disk.

`load_digits_set()` and `load_torchvision_set("torchvision:cifar10", train=True)` return an
`ImageSet`; a torchvision set that is not downloaded raises `DatasetUnavailableError` at once (no
download is attempted, so an offline machine never hangs). `TORCHVISION_DATA_DIR` overrides where they
are looked for (default `<APP_DATA_DIR>/datasets`). Called by `modelkit.image_data.load_image_splits`.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from modelkit.image_data import ImageSet
from modelkit.image_zip import ImageDataError
from modelkit.paths import app_data_dir

TORCHVISION_SETS = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST", "cifar10": "CIFAR10"}


class DatasetUnavailableError(ImageDataError):
    pass


def load_digits_set() -> ImageSet:
    """scikit-learn's 1,797 handwritten digits, 8x8 greyscale, ink 0..16 scaled to 0..255."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    pixels = torch.from_numpy((digits.images * (255.0 / 16.0)).round().astype(np.uint8))[:, None]
    return ImageSet(pixels, digits.target.tolist(), [str(d) for d in range(10)],
                    [f"digits/{i}" for i in range(len(digits.target))])


def torchvision_root() -> Path:
    return Path(os.environ.get("TORCHVISION_DATA_DIR") or app_data_dir() / "datasets")


def load_torchvision_set(name: str, train: bool) -> ImageSet:
    """A torchvision data set already on disk; offline and absent -> a clear message, no download, no hang."""
    import torchvision

    key = name.split(":", 1)[1]
    if key not in TORCHVISION_SETS:
        raise ImageDataError(f"unknown torchvision data set {key!r}; known: {sorted(TORCHVISION_SETS)}")
    root = torchvision_root()
    try:
        # download=False: torchvision checks the files (CIFAR-10 by md5, so its pickled batches are the
        # official ones, not a user's file) and raises instead of reaching for the network
        dataset = getattr(torchvision.datasets, TORCHVISION_SETS[key])(str(root), train=train, download=False)
    except RuntimeError:
        raise DatasetUnavailableError(
            f"{TORCHVISION_SETS[key]} is not downloaded under {root}; this machine may be offline. Download it "
            f"once with torchvision.datasets.{TORCHVISION_SETS[key]}('{root}', download=True) when online, "
            f"or use the bundled digits or a zip upload") from None
    data = torch.as_tensor(np.asarray(dataset.data))
    pixels = data[:, None] if data.ndim == 3 else data.permute(0, 3, 1, 2)
    return ImageSet(pixels.contiguous().to(torch.uint8), [int(t) for t in dataset.targets], list(dataset.classes),
                    [f"{key}/{'train' if train else 'test'}/{i}" for i in range(len(dataset.targets))])
