"""The image data check needs no torch: the page shows counts, sizes and samples before the model library loads.

Each check runs in a fresh interpreter and reads `sys.modules` afterwards, so an import of torch (or
torchvision, or scikit-learn: 2-5 s each on a busy 2-core machine) anywhere on the path is caught.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from modelkit.vision.sources import digits_arrays
from tests.image_builders import class_zip

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("torch", "torchvision", "sklearn", "transformers")


def checked_in_a_fresh_interpreter(data_path: str, app_data: Path) -> tuple[dict, list[str]]:
    """(what check_images said, without the pixels; the heavy libraries it loaded)."""
    code = f"""
import json, sys
from modelkit.config import TrainConfig
from modelkit.vision.sources import check_images
checked = check_images(TrainConfig(task="image", data_path={data_path!r}), samples_per_class=2)
checked["samples"] = {{name: [list(p.shape) for p in shown] for name, shown in checked["samples"].items()}}
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
print(json.dumps([checked, heavy]))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "APP_DATA_DIR": str(app_data), "APP_OFFLINE": "1"})
    checked, heavy = json.loads(result.stdout.strip().splitlines()[-1])
    return checked, heavy


def test_checking_the_bundled_digits_loads_neither_torch_nor_scikit_learn(app_data_dir):
    checked, heavy = checked_in_a_fresh_interpreter("digits", app_data_dir)

    assert heavy == []
    assert checked["classes"] == [str(d) for d in range(10)] and checked["stored_size"] == 8
    assert sum(checked["train_counts"].values()) + sum(checked["val_counts"].values()) == 1797
    assert checked["samples"]["0"] == [[8, 8], [8, 8]]


def test_checking_a_zip_of_photos_picks_the_pretrained_size_and_shows_samples_without_torch(app_data_dir, tmp_path):
    upload = tmp_path / "photos.zip"
    upload.write_bytes(class_zip(per_class=6))

    checked, heavy = checked_in_a_fresh_interpreter(str(upload), app_data_dir)

    assert heavy == []
    assert checked["classes"] == ["blue", "red"] and checked["stored_size"] == 224  # EfficientNet-Lite0's size
    assert checked["samples"]["red"] == [[224, 224, 3], [224, 224, 3]]


def test_the_digits_read_from_scikit_learns_file_are_the_ones_load_digits_gives():
    from sklearn.datasets import load_digits

    images, labels = digits_arrays()

    digits = load_digits()
    assert np.array_equal(images, digits.images) and np.array_equal(labels, digits.target)
