"""Real data (../shared/data, or REALDATA_DIR) on the bundled EfficientNet-Lite0: the accuracy targets of
issue 13, each reached by the head trained on cached frozen-backbone features.

The backbone's features are computed once per data set and test session (and kept on disk under the
temp folder, keyed by the weights and the images' content hash, so a later session reads them back); the
tests share them. The full schedule (head, then a careful unfreeze) is measured in bench/image_train.py,
not here. Times are printed (`pytest -s`), never asserted. Each test skips with the reason when its data
set is absent.
"""
from __future__ import annotations

import os
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from modelkit.vision.features import cached_features, compute_features, fit_head, head_accuracy
from modelkit.vision.lite0 import LITE0, LITE0_SIZE, lite0_net, weights_id
from tests.image_builders import real_images

pytestmark = pytest.mark.slow
CACHE = Path(os.environ.get("FEATURE_CACHE_DIR") or Path(tempfile.gettempdir()) / "modelkit-test-features")


@dataclass(frozen=True)
class Features:
    train: torch.Tensor
    train_labels: list[int]
    val: torch.Tensor
    val_labels: list[int]
    classes: list[str]


def load_features(name: str) -> Features:
    from modelkit.train import TrainConfig
    from modelkit.vision.model import make_processor
    from modelkit.vision.sources import load_image_splits
    from modelkit.vision.task import as_tensors

    config = TrainConfig(task="image", model_name=LITE0, data_path=str(real_images(name)))
    started = time.perf_counter()
    train, val = map(as_tensors, load_image_splits(config, LITE0_SIZE)[:2])
    processor = make_processor(LITE0, LITE0_SIZE, train.images.shape, train.label_names, False, ([0.5], [0.25]))
    net = lite0_net(len(train.label_names))
    split_features = []
    for images in (train, val):
        key = f"{weights_id()}-{LITE0_SIZE}px-{images.content_hash()[:24]}"
        features, hit = cached_features(CACHE, key, lambda: compute_features(net, processor.normalise, images.images))
        split_features.append(features)
    print(f"\n{name}: {len(train)} + {len(val)} images loaded and featurised in "
          f"{time.perf_counter() - started:.1f} s ({'cache' if hit else 'computed'})")
    return Features(split_features[0], train.labels, split_features[1], val.labels, train.label_names)


@pytest.fixture(scope="session")
def hymenoptera() -> Features:
    return load_features("hymenoptera")


@pytest.fixture(scope="session")
def cifar10_small() -> Features:
    return load_features("cifar10_small")


def timed_fit(features: torch.Tensor, labels: list[int], classes: int):
    fit = fit_head(features, labels, classes)
    print(f"head trained on {len(labels)} cached feature rows in {fit.seconds:.2f} s")
    return fit


def test_ants_and_bees_reach_92_percent_on_the_held_out_photos(hymenoptera):
    fit = timed_fit(hymenoptera.train, hymenoptera.train_labels, len(hymenoptera.classes))

    assert len(hymenoptera.train_labels) == 244  # the placeholder GIF is skipped
    assert head_accuracy(fit, hymenoptera.val, hymenoptera.val_labels) >= 0.92


def test_twenty_photos_per_class_are_enough_for_85_percent_on_ants_and_bees(hymenoptera):
    picked = []
    for label in range(len(hymenoptera.classes)):
        rows = [i for i, y in enumerate(hymenoptera.train_labels) if y == label]
        picked += random.Random(label).sample(rows, 20)

    fit = timed_fit(hymenoptera.train[picked], [hymenoptera.train_labels[i] for i in picked], 2)

    assert head_accuracy(fit, hymenoptera.val, hymenoptera.val_labels) >= 0.85


# featurising its 2,000 images takes about 2 minutes on this machine alone, and far longer while other
# suites share its two cores: the suite's 900 s limit per test was reached once that way
@pytest.mark.timeout(1800)
def test_a_hundred_cifar10_images_per_class_reach_75_percent_on_its_1000_test_images(cifar10_small):
    fit = timed_fit(cifar10_small.train, cifar10_small.train_labels, 10)

    assert len(cifar10_small.val_labels) == 1000
    assert head_accuracy(fit, cifar10_small.val, cifar10_small.val_labels) >= 0.75
