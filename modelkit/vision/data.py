"""Image data for the "image" task: load a source into memory and check it before training.

Sources (`TrainConfig.data_path`): "" or "digits" (scikit-learn's bundled 8x8 handwritten digits, the
offline default), "torchvision:mnist|fashion_mnist|cifar10" (only when already downloaded; both in
modelkit.vision.sources), a folder in
ImageFolder layout (one folder per class; optional train/ and val|valid|validation|test/ splits; one
nested top folder is fine) or a .zip of one (unpacked by `modelkit.vision.zip_safety.safe_extract`).
`modelkit.vision.sources.load_image_splits(config)` -> (train ImageSet, val ImageSet, ImageReport) puts
the pieces here together for any source. Images are decoded once with
PIL, converted to RGB (or L when all are greyscale), resized and kept as one uint8 array, so training
never touches the disk. No torch here: the page's data check runs before the model library is loaded
(modelkit.vision.task hands training the same pixels as a torch tensor). Files that are not images, are
corrupt or look like placeholders are listed in the report and skipped. Never unpickles a user file.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from business.limits import GIB, binary_size
from modelkit.vision.pixels import pixel_problem, plain_image
from modelkit.vision.zip_safety import ImageDataError, is_hidden, safe_extract
from modelkit.paths import app_data_dir

VAL_FOLDER_NAMES = ("val", "valid", "validation", "test")
MIN_PER_CLASS = 5
MAX_DECODED_BYTES = 4 * GIB
PLACEHOLDER_MAX_COLOURS = 256


class NoClassFoldersError(ImageDataError):
    pass


class NoImagesError(ImageDataError):
    pass


@dataclass
class ImageSet:
    # uint8 [N, C, H, W]: a numpy array as loaded; a torch tensor of it once modelkit.vision.task.load_sets has it
    images: np.ndarray
    labels: list[int]
    label_names: list[str]
    names: list[str]  # where each image came from (file path inside the source, or "digits/17")

    def __len__(self) -> int:
        return len(self.labels)

    def content_hash(self) -> str:
        digest = hashlib.sha256(np.asarray(self.images).tobytes())
        digest.update(",".join(map(str, self.labels)).encode())
        return digest.hexdigest()


@dataclass
class ImageReport:
    source: str
    classes: list[str]
    train_counts: dict[str, int]
    val_counts: dict[str, int]
    split: str  # "folders" (given train/val) or "automatic"
    skipped: list[dict] = field(default_factory=list)  # {"file", "reason"}
    sizes: dict = field(default_factory=dict)  # min/max width and height, distinct sizes
    modes: dict[str, int] = field(default_factory=dict)
    formats: dict[str, int] = field(default_factory=dict)
    stored_size: int = 0
    channels: int = 3
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FileScan:
    """What decoding the files of one folder found (shared between train and val)."""
    images: list[np.ndarray] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)  # size, mode, format, few_colours of each kept file
    skipped: list[dict] = field(default_factory=list)

    def keep_only(self, indices: list[int]) -> None:
        for attribute in ("images", "labels", "names", "facts"):
            values = getattr(self, attribute)
            setattr(self, attribute, [values[i] for i in indices])


def resolve_source(data_path: str) -> tuple[str, Path | None]:
    """("digits" | "torchvision:<name>" | "folder", folder); unpacks zips into the app data folder."""
    if data_path in ("", "digits"):
        return "digits", None
    if data_path.startswith("torchvision:"):
        return data_path, None
    path = Path(data_path)
    if path.is_file() and path.suffix.lower() == ".zip":
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        target = app_data_dir() / "uploads" / f"images-{digest}"
        if not target.exists():
            # unpacked beside the target, then renamed: the page's check and a training process may
            # unpack the same zip at once, and neither must ever read a half-written folder
            part = target.with_name(f"{target.name}.part-{os.getpid()}")
            safe_extract(path, part)
            try:
                part.rename(target)
            except OSError:
                if not target.exists():
                    raise
                shutil.rmtree(part, ignore_errors=True)
        return "folder", target
    if not path.is_dir():
        raise ImageDataError(f"no image folder or zip at {data_path!r}")
    return "folder", path


def discard_unpacked(folder: Path | None) -> None:
    """Remove a folder this module unpacked from a zip (never a folder the user gave): called when its data is
    refused, so a refused upload leaves nothing behind in uploads/."""
    if folder is not None and folder.parent == app_data_dir() / "uploads" and folder.name.startswith("images-"):
        shutil.rmtree(folder, ignore_errors=True)


def visible_children(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not is_hidden([p.name]))


def find_layout(root: Path) -> tuple[Path, Path | None]:
    """(train folder, val folder or None), stepping through single wrapper folders like `my_data/`."""
    top = root
    while True:
        children = visible_children(root)
        folders = [p for p in children if p.is_dir()]
        if len(folders) == 1 and len(folders) == len(children):
            root = folders[0]
            continue
        break
    names = {p.name.lower(): p for p in folders}
    if "train" in names:
        val = next((names[n] for n in VAL_FOLDER_NAMES if n in names), None)
        return names["train"], val
    if not folders and root != top:  # the one folder stepped into holds the images: it is the only class
        raise one_class_error([root.name])
    if not folders:
        raise NoClassFoldersError("no class folders found: put the images in one folder per class "
                                  "(e.g. cats/001.jpg, dogs/002.jpg), optionally under train/ and val/")
    return root, None


def one_class_error(names: list[str]) -> NoClassFoldersError:
    return NoClassFoldersError(f"found 1 class folder ({names[0]!r}); need at least 2: a classifier learns to tell "
                               f"classes apart, so put each class's images in its own folder beside it")


def class_folders(folder: Path) -> list[Path]:
    found = [p for p in visible_children(folder) if p.is_dir()]
    if not found:
        raise NoClassFoldersError(f"{folder.name}/ has no class folders: put the images in one folder per class")
    return found


def decode(path: Path, size: int, mode: str | None) -> tuple[np.ndarray | None, str, dict]:
    """(pixels or None, reason if None, facts about the file). Resize: shorter side, then centre crop."""
    try:
        with Image.open(path) as probe:
            problem = pixel_problem(probe)  # on the header, before a single pixel is decoded
            if problem:
                return None, f"too many pixels ({problem})", {}
            probe.verify()  # catches truncated and damaged files without decoding every pixel
        with Image.open(path) as image:
            image.load()
            facts = {"size": image.size, "mode": image.mode, "format": image.format or "?"}
            colours = image.convert("RGB").getcolors(PLACEHOLDER_MAX_COLOURS)
            facts["few_colours"] = colours is not None and len(colours) < 64
            pixels = to_array(image, size, mode or ("L" if image.mode in ("L", "1", "I;16") else "RGB"))
            return pixels, "", facts
    except UnidentifiedImageError:
        return None, "not an image", {}
    except Image.DecompressionBombError:
        return None, "too many pixels (a decompression bomb?)", {}
    except (OSError, SyntaxError, ValueError) as error:
        return None, f"corrupt image ({error.__class__.__name__}: {error})", {}


def to_array(image: Image.Image, size: int, mode: str) -> np.ndarray:
    image = plain_image(image).convert(mode)  # CMYK, 16-bit, RGBA, EXIF-rotated: converted, never a crash
    width, height = image.size
    scale = size / min(width, height)
    image = image.resize((max(size, round(width * scale)), max(size, round(height * scale))), Image.BILINEAR)
    left, top = (image.size[0] - size) // 2, (image.size[1] - size) // 2
    array = np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.uint8)
    return array[None] if array.ndim == 2 else array.transpose(2, 0, 1)


def scan_folder(folder: Path, label_names: list[str], size: int, mode: str | None, root: Path) -> FileScan:
    scan = FileScan()
    for label, name in enumerate(label_names):
        class_dir = folder / name
        files = sorted(p for p in class_dir.rglob("*") if p.is_file()) if class_dir.is_dir() else []
        for path in files:
            if is_hidden(path.relative_to(class_dir).parts):
                continue
            pixels, reason, facts = decode(path, size, mode)
            relative = str(path.relative_to(root))
            if pixels is None:
                scan.skipped.append({"file": relative, "reason": reason})
                continue
            scan.images.append(pixels)
            scan.labels.append(label)
            scan.names.append(relative)
            scan.facts.append(facts)
    return scan


def drop_placeholders(scan: FileScan) -> None:
    """A rare format with few colours among photos (e.g. a GIF saying "image not found"): not data."""
    formats = Counter(facts["format"] for facts in scan.facts)
    if len(formats) < 2:
        return
    common, common_count = formats.most_common(1)[0]
    keep = []
    for index, facts in enumerate(scan.facts):
        rare = facts["format"] != common and formats[facts["format"]] * 20 < common_count
        if rare and facts["few_colours"]:
            scan.skipped.append({"file": scan.names[index], "reason": f"looks like a placeholder, not a photo: "
                                 f"a {facts['format']} with few colours among {common_count} {common} files"})
        else:
            keep.append(index)
    scan.keep_only(keep)


def image_set(scan: FileScan, label_names: list[str]) -> ImageSet:
    if not scan.images:
        return ImageSet(np.zeros((0, 3, 1, 1), dtype=np.uint8), [], label_names, [])
    return ImageSet(np.stack(scan.images), scan.labels, label_names, scan.names)


def take(images: ImageSet, indices: list[int]) -> ImageSet:
    return ImageSet(images.images[indices], [images.labels[i] for i in indices], images.label_names,
                    [images.names[i] for i in indices])


def class_samples(images: ImageSet, per_class: int = 4) -> dict[str, list[np.ndarray]]:
    """The first few stored images of each class (H x W or H x W x 3 uint8), for the data check to show."""
    samples: dict[str, list[np.ndarray]] = {name: [] for name in images.label_names}
    for index, label in enumerate(images.labels):
        shown = samples[images.label_names[label]]
        if len(shown) < per_class:
            pixels = np.asarray(images.images[index])
            shown.append(pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0))
    return samples


def split_automatic(images: ImageSet, val_fraction: float, seed: int) -> tuple[ImageSet, ImageSet]:
    """A stratified split: every class keeps the same share in validation."""
    rng = np.random.default_rng(seed)
    train_idx, val_idx = [], []
    labels = np.asarray(images.labels)
    for label in range(len(images.label_names)):
        members = rng.permutation(np.flatnonzero(labels == label)).tolist()
        cut = int(round(len(members) * val_fraction)) if len(members) > 1 else 0
        val_idx += members[:cut]
        train_idx += members[cut:]
    return take(images, sorted(train_idx)), take(images, sorted(val_idx))


def sample(images: ImageSet, limit: int | None, seed: int) -> ImageSet:
    if not limit or len(images) <= limit:
        return images
    return take(images, sorted(np.random.default_rng(seed).choice(len(images), limit, replace=False).tolist()))


def load_folder_splits(folder: Path, size: int, config) -> tuple[ImageSet, ImageSet, FileScan, FileScan, str]:
    train_dir, val_dir = find_layout(folder)
    label_names = [p.name for p in class_folders(train_dir)]
    if len(label_names) < 2:  # said before decoding a single image
        raise one_class_error(label_names)
    check_memory(folder, size)
    train_scan = scan_folder(train_dir, label_names, size, None, folder)
    val_scan = scan_folder(val_dir, label_names, size, None, folder) if val_dir else FileScan()
    for scan in (train_scan, val_scan):
        drop_placeholders(scan)
    if not train_scan.images:
        raise NoImagesError(f"no readable images in {train_dir.name}/ ({len(train_scan.skipped)} files skipped: "
                            f"{', '.join(s['file'] for s in train_scan.skipped[:3])})")
    # one mode for all: greyscale only when every image is greyscale, else RGB
    all_grey = all(p.shape[0] == 1 for p in train_scan.images + val_scan.images)
    for scan in (train_scan, val_scan):
        scan.images = [p if all_grey or p.shape[0] == 3 else np.repeat(p, 3, axis=0) for p in scan.images]
    train = image_set(train_scan, label_names)
    if val_dir is None:
        train, val = split_automatic(train, config.val_fraction, config.seed)
        return train, val, train_scan, val_scan, "automatic"
    return train, image_set(val_scan, label_names), train_scan, val_scan, "folders"


def check_memory(folder: Path, size: int) -> None:
    """Images are held decoded in memory; refuse before decoding when they would not fit comfortably."""
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    needed = files * 3 * size * size
    if needed > MAX_DECODED_BYTES:
        raise ImageDataError(f"{files:,} images at {size}x{size} need {binary_size(needed)} decoded; the limit is "
                             f"{binary_size(MAX_DECODED_BYTES)} - use a smaller image size or fewer images")


def counts(images: ImageSet) -> dict[str, int]:
    found = Counter(images.labels)
    return {name: found.get(i, 0) for i, name in enumerate(images.label_names)}


def build_report(source: str, train: ImageSet, val: ImageSet, split: str, scans: list[FileScan]) -> ImageReport:
    facts = [f for scan in scans for f in scan.facts]
    widths = [f["size"][0] for f in facts] or [train.images.shape[-1]]
    heights = [f["size"][1] for f in facts] or [train.images.shape[-2]]
    report = ImageReport(
        source=source, classes=list(train.label_names), train_counts=counts(train), val_counts=counts(val),
        split=split, skipped=[s for scan in scans for s in scan.skipped],
        sizes={"min_width": min(widths), "max_width": max(widths), "min_height": min(heights),
               "max_height": max(heights), "distinct": len(set(zip(widths, heights)))},
        modes=dict(Counter(f["mode"] for f in facts)), formats=dict(Counter(f["format"] for f in facts)),
        stored_size=int(train.images.shape[-1]), channels=int(train.images.shape[1]))
    report.warnings = report_warnings(report)
    return report


def named(names: list[str], limit: int = 10) -> str:
    """A list a person can read: the first few names, then how many more (thousands of classes happen)."""
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"


MANY_CLASSES = 1000


def report_warnings(report: ImageReport) -> list[str]:
    warnings = []
    if len(report.classes) > MANY_CLASSES:
        rows = sum(report.train_counts.values())
        warnings.append(f"{len(report.classes):,} classes (one folder each) with {rows / len(report.classes):.1f} "
                        "training images per class on average: is each folder really a class?")
    if report.skipped:
        warnings.append(f"{len(report.skipped)} file(s) skipped (not images, corrupt or placeholders): "
                        + ", ".join(s["file"] for s in report.skipped[:5]))
    few = [name for name, n in report.train_counts.items() if n < MIN_PER_CLASS]
    if few:
        warnings.append(f"too few training images (< {MIN_PER_CLASS}) in: {named(few)}")
    if report.sizes.get("distinct", 1) > 1:
        warnings.append(f"{report.sizes['distinct']} different image sizes: all are resized to "
                        f"{report.stored_size}x{report.stored_size} (shorter side, then centre crop)")
    if len(report.modes) > 1 or (report.modes and set(report.modes) - {"RGB", "L"}):
        warnings.append(f"colour modes {report.modes}: converted to {'RGB' if report.channels == 3 else 'L'}")
    empty_val = [name for name, n in report.val_counts.items() if n == 0]
    if empty_val:
        warnings.append(f"no validation images for: {named(empty_val)}")
    return warnings
