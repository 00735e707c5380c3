"""Small builders for the image tests: synthetic class folders, zips built with zipfile, tiny configs."""
from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from tests.conftest import real_data_dir


def png_bytes(colour: tuple[int, int, int], size: int = 12, seed: int = 0, mode: str = "RGB") -> bytes:
    """A noisy image around one colour, so classes are learnable and images are not identical."""
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour) + rng.normal(0, 20, (size, size, 3)), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def black_png(width: int, height: int) -> bytes:
    """A valid greyscale PNG, compressed row by row: 12,000 x 12,000 is about 0.14 MB on disk, 144 MB decoded."""
    packer, row = zlib.compressobj(9), b"\0" * (width + 1)  # filter byte + one byte per pixel
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def write_class_folders(root: Path, per_class: int = 6, classes=("red", "blue")) -> Path:
    colours = {"red": (200, 40, 40), "blue": (40, 40, 200), "green": (40, 200, 40)}
    for name in classes:
        (root / name).mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            (root / name / f"{index}.png").write_bytes(png_bytes(colours[name], seed=index))
    return root


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def class_zip(prefix: str = "", per_class: int = 6, extra: dict[str, bytes] | None = None) -> bytes:
    colours = {"red": (200, 40, 40), "blue": (40, 40, 200)}
    entries = {f"{prefix}{name}/{i}.png": png_bytes(colour, seed=i) for name, colour in colours.items()
               for i in range(per_class)}
    return zip_of({**entries, **(extra or {})})


def image_config(data_path: str = "digits", **overrides):
    from modelkit.train import TrainConfig

    settings = dict(task="image", model_name="small_cnn", data_path=data_path, batch_size=8, epochs=1,
                    max_steps=2, learning_rate=3e-3, log_every_steps=1, image_size=16)
    return TrainConfig(**{**settings, **overrides})


def train_image(config, run_dir: Path, resume: bool = False) -> dict:
    from modelkit.train import RunOptions, train

    return train(config, RunOptions(run_dir=str(run_dir), device="cpu", resume=resume))


def real_images(name: str) -> Path:
    import pytest

    folder = real_data_dir() / name
    if not folder.is_dir():
        pytest.skip(f"real data set {name} not found at {folder} (set REALDATA_DIR to the shared data folder)")
    return folder


def single_thread():
    """A context for timing-bound tests: on a shared 2-core machine one torch thread is faster than two."""
    import contextlib

    import torch

    @contextlib.contextmanager
    def scope():
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)

    return scope()


CPU_COUNT = os.cpu_count() or 1
