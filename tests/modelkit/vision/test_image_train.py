"""The image task on the shared training loop: a small CNN on synthetic images, artifacts, prediction,
compression, fine-tuning mechanics and a background job through the shared queue."""
from __future__ import annotations

import csv
import io
import json

import pytest
import torch

from modelkit.events import read_events
from tests.image_builders import class_zip, image_config, png_bytes, train_image, write_class_folders


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One finished 2-step run on synthetic red/blue images, only read by the tests below."""
    root = tmp_path_factory.mktemp("images")
    data = write_class_folders(root / "data", per_class=8)
    run = root / "run"
    summary = train_image(image_config(str(data), augment="flip,crop,jitter"), run)
    return run, summary


def test_a_small_cnn_trains_two_steps_on_synthetic_images_and_writes_events_and_a_run_card(small_run):
    run, summary = small_run

    types = [event["type"] for event in read_events(run)]
    assert types[0] == "start" and types[-1] == "done" and "eval" in types
    assert [e["step"] for e in read_events(run, ("step",))] == [1, 2]
    assert read_events(run, ("note",))[0]["message"].startswith("small CNN trained from scratch")
    assert (run / "model" / "model.safetensors").exists() and (run / "model" / "preprocessor.json").exists()
    assert (run / "checkpoints" / "last" / "optimizer.safetensors").exists()
    assert not list(run.rglob("*.pt")) and not list(run.rglob("*.bin"))
    assert summary["global_step"] == 2


def test_the_image_run_card_has_the_keys_the_cost_estimator_reads(small_run):
    run, _ = small_run

    card = json.loads((run / "run_card.json").read_text())

    assert card["task"] == "image" and card["model"]["name"] == "Small CNN (from scratch)"
    assert card["model"]["labels"] == ["blue", "red"] and card["model"]["parameters"] > 10_000
    assert 0.0 <= card["metrics"]["accuracy"] <= 1.0 and "per_class" in card["metrics"]
    assert 0 < card["latency_ms"]["p50"] <= card["latency_ms"]["p95"] and card["latency_ms"]["batch32_p50"] > 0
    assert card["size_bytes"] > 10_000 and card["throughput"]["infer_samples_per_s"] > 0
    assert card["weights"].startswith("small CNN") and card["image_size"] == 16
    assert card["compression"] == []


def test_evaluation_writes_a_confusion_matrix_and_thumbnails_of_the_mistakes(small_run):
    run, _ = small_run

    metrics = json.loads((run / "metrics.json").read_text())

    assert len(metrics["confusion_matrix"]) == 2 and sum(map(sum, metrics["confusion_matrix"])) == metrics["examples"]
    assert set(metrics["per_class"]) == {"blue", "red"}
    for mistake in metrics["mistakes"]:
        assert (run / mistake["file"]).exists() and mistake["true"] != mistake["predicted"]


def test_an_uploaded_image_gets_top_k_classes_with_probabilities(small_run):
    from modelkit.vision.predict import ImagePredictor

    predictor = ImagePredictor.from_run(small_run[0])

    top = predictor.top_k(png_bytes((200, 40, 40), size=40), k=2)

    assert [label for label, _ in top] in (["red", "blue"], ["blue", "red"])
    assert top[0][1] >= top[1][1] and abs(sum(p for _, p in top) - 1.0) < 1e-3


def test_a_non_image_upload_to_the_demo_gets_a_clear_message(small_run):
    from modelkit.vision.predict import ImagePredictor, NotAnImageError

    with pytest.raises(NotAnImageError, match="not an image"):
        ImagePredictor.from_run(small_run[0]).top_k(b"%PDF-1.4 not a picture")


def test_a_zip_of_images_becomes_a_csv_with_one_row_per_file_and_bad_files_marked(small_run):
    from modelkit.vision.predict import ImagePredictor

    batch = class_zip(per_class=2, extra={"notes.jpg": b"text", "__MACOSX/._x.png": b"\0"})

    frame = ImagePredictor.from_run(small_run[0]).predict_zip(batch)
    rows = list(csv.DictReader(io.StringIO(frame.to_csv(index=False))))

    assert len(rows) == 5 and {"file", "label", "confidence", "p_blue", "p_red", "error"} <= set(rows[0])
    assert [r["file"] for r in rows if r["error"]] == ["notes.jpg"]


def test_compression_measures_fp32_and_int8_and_stores_the_table_in_the_run_card(small_run, tmp_path):
    import shutil

    from modelkit.vision.compress import compress_run

    run = tmp_path / "run"
    shutil.copytree(small_run[0], run)

    rows = compress_run(run, repeats=5)

    methods = [row["method"] for row in rows]
    assert methods[0] == "fp32" and "int8-static" in methods  # the int8 variant of the teacher
    int8 = rows[methods.index("int8-static")]
    assert int8["size_bytes"] < rows[0]["size_bytes"] / 2
    for row in rows:
        assert {"method", "size_bytes", "latency_ms_p50", "latency_ms_p95", "accuracy"} <= set(row)
        assert row["latency_ms_p50_batch32"] > 0 and 0.0 <= row["accuracy"] <= 1.0
    assert json.loads((run / "run_card.json").read_text())["compression"] == rows


def test_training_resumes_from_the_last_checkpoint(small_run, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(small_run[0], run)
    config = image_config(str(small_run[0].parent / "data"), max_steps=None, epochs=2)

    summary = train_image(config, run, resume=True)

    assert read_events(run, ("resume",))[0]["epoch"] == 1
    assert summary["epoch"] == 1 and summary["global_step"] > 2


def test_a_frozen_backbone_gets_no_gradients_until_its_steps_are_done():
    from modelkit.vision.model import ImageClassifier, SmallCNN

    net = SmallCNN(2, 3)
    model = ImageClassifier(net, net.classifier, freeze_steps=1).train()
    images, labels = torch.randn(4, 3, 16, 16), torch.tensor([0, 1, 0, 1])

    torch.nn.functional.cross_entropy(model(images), labels).backward()
    assert net.features[0][0].weight.grad is None and net.classifier[-1].weight.grad is not None
    torch.nn.functional.cross_entropy(model(images), labels).backward()
    assert net.features[0][0].weight.grad is not None


def test_resnet18_without_cached_imagenet_weights_says_it_starts_from_random_weights(tmp_path, monkeypatch):
    import torch.hub

    from modelkit.vision.model import build_image_model

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "empty_cache"))

    model, note, pretrained = build_image_model("resnet18", 3, 3, freeze_steps=10)

    assert not pretrained and "not in the local torch cache" in note and "random initialisation" in note
    assert model.freeze_steps == 0 and model(torch.randn(2, 3, 32, 32)).shape == (2, 3)


def test_weights_found_in_the_torch_cache_are_loaded_and_the_backbone_starts_frozen(tmp_path, monkeypatch):
    import torch.hub
    import torchvision

    from modelkit.vision.model import build_image_model, cached_weights_path

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "cache"))
    weights = torchvision.models.ResNet18_Weights.DEFAULT
    reference = torchvision.models.resnet18()
    cached_weights_path(weights).parent.mkdir(parents=True)
    torch.save(reference.state_dict(), cached_weights_path(weights))  # stands in for the downloaded file

    model, note, pretrained = build_image_model("resnet18", 2, 3, freeze_steps=10)

    assert pretrained and "found in the local torch cache" in note and model.freeze_steps == 10
    assert torch.equal(model.net.conv1.weight, reference.conv1.weight)


def test_an_image_job_runs_in_the_background_through_the_shared_queue(tmp_path):
    from dataclasses import asdict

    from modelkit import jobs

    data = write_class_folders(tmp_path / "data", per_class=4)
    spec = jobs.JobSpec(task="image", config=asdict(image_config(str(data))), device="cpu")

    run_id = jobs.submit(spec)
    status = jobs.wait(run_id, timeout_s=300)

    assert status["state"] == "done", jobs.log_tail(jobs.runs_root() / run_id)
    assert json.loads((jobs.runs_root() / run_id / "run_card.json").read_text())["task"] == "image"


def test_the_same_seed_on_the_same_images_gives_the_same_losses_and_metrics(tmp_path):
    data = write_class_folders(tmp_path / "data", per_class=4)
    config = dict(data_path=str(data), augment="flip,crop,jitter")

    first = train_image(image_config(**config), tmp_path / "a")
    second = train_image(image_config(**config), tmp_path / "b")

    losses = [[e["loss"] for e in read_events(run, ("step",))] for run in (tmp_path / "a", tmp_path / "b")]
    assert losses[0] == losses[1] and first["last_eval"] == second["last_eval"]
