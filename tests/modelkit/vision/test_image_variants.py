"""Compressed variants of a tiny small-CNN digits run: channel pruning with recovery, static int8 on top.

Pruning makes a genuinely smaller dense CNN that is saved, measured beside the teacher and reloads to
predict what it predicted in memory; bad requests and a cancelled job leave the teacher as it was.
"""
from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import torch

from modelkit.errors import CompressionCancelled, CompressionRequestError
from modelkit.runs import read_run_card
from modelkit.vision.compress import compress
from modelkit.vision.prune import widths_of
from modelkit.vision.variant_rows import measure_and_store
from modelkit.vision.variants import ImageCompressRequest, build_variant, load_model, store_variant, variant_name
from tests.image_builders import image_config, single_thread, train_image
from tests.text_builders import run_cli

ROW_FIELDS = ("parameters", "size_bytes", "latency_ms_p50", "latency_ms_p95", "latency_ms_p50_batch32",
              "latency_ms_p95_batch32", "throughput_per_s", "accuracy", "macro_f1", "method_seconds")
QUICK = dict(recovery_epochs=0.1)  # a few recovery steps: behaviour, not quality


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Two torch threads on a busy shared 2-core machine are several times slower than one."""
    with single_thread():
        yield


@pytest.fixture(scope="module")
def teacher_run(tmp_path_factory, one_thread):
    run = tmp_path_factory.mktemp("image-variants") / "run"
    train_image(image_config("digits", batch_size=32, max_steps=3), run)
    return run


@pytest.fixture
def run(teacher_run, tmp_path):
    """A fresh copy of the trained tiny run, so each test starts with no variants."""
    copy = tmp_path / "run"
    shutil.copytree(teacher_run, copy)
    return copy


def logits_of(model, processor, run) -> torch.Tensor:
    from modelkit.vision.variants import run_sets

    _, val = run_sets(run)
    with torch.inference_mode():
        return model.eval()(processor.normalise(val.images[:16]))


def teacher_fingerprint(run) -> str:
    return "".join(hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((run / "model").iterdir()))


def pruned_and_stored(run, fraction: float = 0.5):
    """Build and save a pruned variant without measuring rows (what compress() does before measuring)."""
    request = ImageCompressRequest("prune", channels_fraction=fraction, **QUICK)
    model, processor, details, seconds = build_variant(run, request)
    store_variant(run, variant_name(request), model, processor,
                  {"name": variant_name(request), "method": "prune", **details, "method_seconds": seconds})
    return model, processor


def test_pruning_half_the_channels_saves_a_smaller_cnn_that_reloads_to_the_same_predictions_with_a_row(run):
    model, processor = pruned_and_stored(run)

    reloaded, _, _ = load_model(run, "prune-c50")
    rows = measure_and_store(run, repeats=2)

    assert widths_of(reloaded.net) == (16, 16, 32, 32, 64, 64)
    assert torch.allclose(logits_of(model, processor, run), logits_of(reloaded, processor, run), atol=1e-5)
    by_name = {row["method"]: row for row in rows}
    pruned, teacher = by_name["prune-c50"], by_name["fp32"]
    assert all(pruned[key] is not None and pruned[key] >= 0 for key in ROW_FIELDS)
    assert pruned["parameters"] < teacher["parameters"] / 3 and pruned["size_bytes"] < teacher["size_bytes"] / 3
    assert 0.7 < pruned["sparsity"] < 0.8  # half the channels in and out: about three quarters of the weights
    assert (run / "variants" / "prune-c50" / "model.safetensors").exists()
    assert read_run_card(run)["compression"] == rows


def test_static_int8_on_top_of_a_pruned_cnn_is_measured_beside_it_and_rebuilt_the_same(run):
    pruned_and_stored(run)

    rows = compress(run, ImageCompressRequest("int8", base="prune-c50"), repeats=1)

    on_top = next(row for row in rows if row["method"] == "prune-c50+int8")
    pruned = next(row for row in rows if row["method"] == "prune-c50")
    assert on_top["base"] == "prune-c50" and on_top["parameters"] == pruned["parameters"]
    assert on_top["size_bytes"] < pruned["size_bytes"]
    model, processor, _ = load_model(run, "prune-c50+int8")
    again, _, _ = load_model(run, "prune-c50+int8")
    assert torch.equal(logits_of(model, processor, run), logits_of(again, processor, run))


def test_a_cancelled_pruning_job_leaves_the_teacher_and_the_card_untouched(run):
    before, card = teacher_fingerprint(run), read_run_card(run)

    with pytest.raises(CompressionCancelled):
        compress(run, ImageCompressRequest("prune"), should_stop=lambda: True)

    assert teacher_fingerprint(run) == before
    assert read_run_card(run) == card
    assert not (run / "variants").exists() or not any((run / "variants").iterdir())


@pytest.mark.parametrize("request_, message", [
    (ImageCompressRequest("prune", channels_fraction=1.0), r"channels fraction=1.0 must be more than 0 and less than 1"),
    (ImageCompressRequest("prune", channels_fraction=0), r"channels fraction=0 must be"),
    (ImageCompressRequest("prune", channels_fraction=-0.2), r"channels fraction=-0.2"),
    (ImageCompressRequest("int8", base="prune-c90"), r"no variant 'prune-c90'"),
    (ImageCompressRequest("distill"), r"method 'distill' must be one of prune, int8 for an image run"),
])
def test_an_impossible_request_is_refused_with_the_bad_value_named(teacher_run, request_, message):
    with pytest.raises(CompressionRequestError, match=message):
        compress(teacher_run, request_)


def test_pruning_a_lite0_run_is_refused_and_says_int8_works_on_it(run):
    path = run / "model" / "preprocessor.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "model_name": "efficientnet_lite0"}))

    with pytest.raises(CompressionRequestError, match="supports runs of the small CNN; run run is efficientnet_lite0"):
        compress(run, ImageCompressRequest("prune"))


def test_a_run_that_has_not_finished_cannot_be_compressed(tmp_path):
    (tmp_path / "unfinished").mkdir()

    with pytest.raises(CompressionRequestError, match="unfinished has not finished"):
        compress(tmp_path / "unfinished", ImageCompressRequest("prune"))


def test_the_cli_refuses_pruning_every_channel_in_one_line(teacher_run):
    refused = run_cli("compress", "--run-dir", str(teacher_run), "--method", "prune", "--channels-fraction", "1")

    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "channels fraction=1.0 must be more than 0" in refused.stderr


def test_the_cli_measures_an_image_runs_rows_again_and_refuses_an_unfinished_run_in_one_line(run, tmp_path):
    pruned_and_stored(run)
    (tmp_path / "unfinished" / "model").mkdir(parents=True)
    (tmp_path / "unfinished" / "model" / "train_config.json").write_text(json.dumps({"task": "image"}))

    again = run_cli("compress", "--run-dir", str(run), "--measure-only", "--repeats", "2")
    refused = run_cli("compress", "--run-dir", str(tmp_path / "unfinished"), "--measure-only")

    assert again.returncode == 0, again.stderr
    assert [row["method"] for row in json.loads(again.stdout)] == ["fp32", "prune-c50"]
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "unfinished has not finished" in refused.stderr
