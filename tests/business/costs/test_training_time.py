"""Training time is predicted from FLOPs and this machine's speed, measured by past runs when there are any."""
from __future__ import annotations

from datetime import date

import pytest

from business.costs.catalog import load_catalog
from business.costs.training_time import (CPU_TRAINING_SHARE_OF_MATMUL, predict_training_time, predicted_vs_actual,
                                          speed_from_matmul, speed_from_runs)

TODAY = date(2026, 11, 30)
MINILM = "all-MiniLM-L6-v2 (bundled)"


def text_card(run_id: str, tokens_per_s: float, device: str = "cpu", model: str = MINILM, **config) -> dict:
    return {"run_id": run_id, "task": "text", "model": {"name": model, "parameters": 22_700_000},
            "throughput": {"train_tokens_per_s": tokens_per_s, "train_device": device},
            "config": config, "training": {"train_seconds": 100.0}}


def test_past_runs_of_the_same_model_on_this_device_give_the_median_speed():
    cards = [text_card("a", 100.0), text_card("b", 300.0), text_card("c", 200.0),
             text_card("gpu", 9_000.0, device="cuda:0"), text_card("other", 5.0, model="bert-base-uncased")]

    speed = speed_from_runs(cards, MINILM, "cpu")

    assert speed.flops_per_s == pytest.approx(6 * 22_700_000 * 200.0)
    assert speed.basis.startswith("measured: 3 past run(s)") and speed.provenance.kind == "measured"


def test_without_past_runs_the_speed_is_an_assumed_share_of_the_measured_matmul_speed_and_says_so():
    assert speed_from_runs([], MINILM, "cpu") is None

    speed = speed_from_matmul(50e9, TODAY)

    assert speed.flops_per_s == pytest.approx(50e9 * CPU_TRAINING_SHARE_OF_MATMUL)
    assert "(assumed)" in speed.basis and speed.provenance.kind == "estimated"


def test_the_prediction_is_six_n_d_over_the_speed_and_prices_the_same_job_on_the_cheapest_gpu():
    speed = speed_from_runs([text_card("a", 1_000.0)], MINILM, "cpu")

    prediction = predict_training_time(22_700_000, tokens_per_epoch=6_000, epochs=10, speed=speed,
                                       offers=load_catalog(), today=TODAY)

    assert prediction.flops == pytest.approx(6 * 22_700_000 * 60_000)
    assert prediction.seconds == pytest.approx(60.0)  # 60,000 tokens at 1,000 measured tokens/s
    assert prediction.cloud is not None and prediction.cloud.cost_usd > 0 and prediction.cloud.gpus == 1


def test_more_epochs_take_proportionally_longer():
    speed = speed_from_matmul(50e9, TODAY)
    one, three = (predict_training_time(22_700_000, 6_000, epochs, speed, load_catalog(), TODAY) for epochs in (1, 3))

    assert three.seconds == pytest.approx(3 * one.seconds)


def test_a_run_card_keeps_its_prediction_beside_the_actual_time():
    assert predicted_vs_actual(text_card("a", 1.0, predicted_seconds=80.0)) == (80.0, 100.0)
    assert predicted_vs_actual(text_card("b", 1.0)) is None


def image_card(run_id: str, samples_per_s: float, model: str = "small_cnn", device: str = "cpu") -> dict:
    return {"run_id": run_id, "task": "image", "config": {"model_name": model},
            "throughput": {"train_samples_per_s": samples_per_s, "train_device": device}}


def test_an_image_job_is_predicted_from_past_runs_images_per_second_of_the_same_model_here():
    from business.costs.training_time import predict_from_samples

    cards = [image_card("a", 100.0), image_card("b", 300.0), image_card("c", 5_000.0, device="cuda:0"),
             image_card("d", 1.0, model="resnet18")]

    prediction = predict_from_samples(cards, "image", "small_cnn", "cpu", samples=4_000)

    assert prediction.seconds == pytest.approx(20.0) and prediction.speed.provenance.kind == "measured"


def test_without_a_past_run_an_image_job_says_the_first_run_measures_the_speed():
    from business.costs.training_time import predict_from_samples

    assert "the first run measures its speed" in predict_from_samples([], "image", "small_cnn", "cpu", 100)


def test_the_costs_page_evidence_compares_each_runs_prediction_with_its_actual_time():
    from business.costs.training_time import prediction_evidence

    cards = [text_card("a", 1.0, predicted_seconds=50.0), text_card("b", 1.0, predicted_seconds=200.0),
             text_card("c", 1.0)]  # each took 100 s; c had no prediction

    assert prediction_evidence(cards) == ("Training-time predictions on this machine: 2 run(s) took 0.50× to 2.00× "
                                          "the time predicted before they started (median 1.25×; 1.00× would be exact).")
    assert prediction_evidence([text_card("c", 1.0)]) is None
