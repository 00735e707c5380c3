"""Real data (../shared/data, or REALDATA_DIR): ants/bees with its broken GIF, digits and CIFAR-10 quality.

Each test skips with the reason when its data set is absent. Quality tests assert a threshold on the
held-out split, never exact numbers. One torch thread: on the shared 2-core machine it is the faster choice.
"""
from __future__ import annotations

import json

import pytest

from modelkit.events import read_events
from tests.image_builders import image_config, real_images, single_thread, train_image

pytestmark = pytest.mark.slow


def test_the_ants_and_bees_set_loads_reports_its_broken_gif_and_trains_a_step(tmp_path):
    data = real_images("hymenoptera")
    config = image_config(str(data), image_size=32, max_steps=1, batch_size=16, log_every_steps=1)

    with single_thread():
        summary = train_image(config, tmp_path / "run")

    report = json.loads((tmp_path / "run" / "metrics.json").read_text())["data_report"]
    assert "train/ants/imageNotFound.gif" in [s["file"] for s in report["skipped"]]
    assert report["classes"] == ["ants", "bees"] and report["split"] == "folders"
    assert report["train_counts"] == {"ants": 123, "bees": 121} and report["val_counts"] == {"ants": 70, "bees": 83}
    assert report["sizes"]["distinct"] > 10
    assert any("imageNotFound.gif" in e["message"] for e in read_events(tmp_path / "run", ("note",)))
    assert summary["global_step"] == 1


def test_the_small_cnn_reaches_95_percent_on_held_out_digits_in_three_epochs_on_cpu(tmp_path):
    # Three epochs of 8x8 digits is the budget; how long they take is measured by bench/image_train.py.
    config = image_config("digits", image_size=0, max_steps=None, epochs=3, batch_size=64, log_every_steps=10,
                          warmup_ratio=0.05)

    with single_thread():
        train_image(config, tmp_path / "run")

    card = json.loads((tmp_path / "run" / "run_card.json").read_text())
    assert card["metrics"]["accuracy"] >= 0.95 and card["metrics"]["examples"] == 359
    assert len(read_events(tmp_path / "run", ("eval",))) == 3  # one evaluation per epoch, no more training


def test_a_from_scratch_cnn_on_the_cifar10_subset_beats_chance_by_a_wide_margin(tmp_path):
    data = real_images("cifar10_small")
    config = image_config(str(data), image_size=32, max_steps=None, epochs=3, batch_size=64, log_every_steps=10,
                          warmup_ratio=0.05, early_stopping_patience=99)

    with single_thread():
        summary = train_image(config, tmp_path / "run")

    assert summary["last_eval"]["accuracy"] >= 0.25  # chance is 0.10 over ten classes
    card = json.loads((tmp_path / "run" / "run_card.json").read_text())
    assert card["metrics"]["examples"] == 1000
