"""Compressed variants of a tiny config-built BERT run: distillation, structured pruning, magnitude pruning,
int8 on top.

Each method runs end to end, writes its model and a measured row, and reloads to predict what it
predicted in memory; bad requests and a cancelled job leave the teacher as it was.
"""
from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import torch

from modelkit.errors import CompressionCancelled, CompressionRequestError
from modelkit.runs import read_run_card
from modelkit.text.compress import compress
from modelkit.text.variants import CompressRequest, build_variant, load_model, store_variant, variant_name
from tests.text_builders import run_cli, train_tiny

ROW_FIELDS = ("parameters", "size_bytes", "latency_ms_p50", "latency_ms_p95", "latency_ms_p50_batch32",
              "latency_ms_p95_batch32", "throughput_per_s", "accuracy", "macro_f1", "method_seconds")
SAMPLE = ["I was charged twice this month", "the app crashes when I open settings", "how do I export my data"]


@pytest.fixture(scope="module")
def teacher_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("variants") / "run"
    train_tiny(run, max_steps=6)
    return run


@pytest.fixture
def run(teacher_run, tmp_path):
    """A fresh copy of the trained tiny run, so each test starts with no variants."""
    copy = tmp_path / "run"
    shutil.copytree(teacher_run, copy)
    return copy


def logits_of(model, tokenizer, texts=SAMPLE) -> torch.Tensor:
    with torch.inference_mode():
        return model.eval()(**tokenizer(texts, return_tensors="pt", padding=True)).logits


def teacher_fingerprint(run) -> str:
    return "".join(hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((run / "model").iterdir()))


def saved_and_reloaded(run, request):
    name = variant_name(request)
    model, tokenizer, details, seconds = build_variant(run, request)
    recipe = {"name": name, "method": request.method, **details, "method_seconds": seconds}
    store_variant(run, name, model, tokenizer, recipe)
    return model, tokenizer, load_model(run, name)[0]


def test_a_student_with_half_the_layers_is_saved_reloads_to_the_same_predictions_and_gets_a_row(run):
    request = CompressRequest("distill", layers=1, epochs=1)

    model, tokenizer, reloaded = saved_and_reloaded(run, request)
    rows = compress(run, request, repeats=3)

    assert reloaded.config.num_hidden_layers == 1
    assert torch.allclose(logits_of(model, tokenizer), logits_of(reloaded, tokenizer), atol=1e-5)
    by_name = {row["method"]: row for row in rows}
    assert set(by_name) >= {"fp32", "distill-1L"}
    student, teacher = by_name["distill-1L"], by_name["fp32"]
    assert all(student[key] is not None and student[key] >= 0 for key in ROW_FIELDS)
    assert student["parameters"] < teacher["parameters"] and student["layers"] == 1
    assert (run / "variants" / "distill-1L" / "model.safetensors").exists()
    assert read_run_card(run)["compression"] == rows


def test_structured_pruning_removes_heads_and_ffn_neurons_and_reloads_to_the_same_predictions(run):
    request = CompressRequest("prune", heads_fraction=0.5, ffn_fraction=0.5, recovery_epochs=0.5)

    model, tokenizer, reloaded = saved_and_reloaded(run, request)

    layer = reloaded.bert.encoder.layer[0]
    assert layer.attention.self.num_attention_heads == 1 and layer.attention.self.query.out_features == 16
    assert layer.intermediate.dense.out_features == 32
    assert torch.allclose(logits_of(model, tokenizer), logits_of(reloaded, tokenizer), atol=1e-5)


def test_magnitude_pruning_zeroes_the_smallest_weights_keeps_the_shape_and_only_shrinks_when_compressed(run):
    request = CompressRequest("sparse", sparsity=0.6, recovery_epochs=0.5)

    model, tokenizer, reloaded = saved_and_reloaded(run, request)
    rows = {row["method"]: row for row in compress(run, request, repeats=2)}

    assert torch.allclose(logits_of(model, tokenizer), logits_of(reloaded, tokenizer), atol=1e-5)
    linears = [m for name, m in reloaded.named_modules()
               if isinstance(m, torch.nn.Linear) and "classifier" not in name]
    zeroed = sum(int((m.weight == 0).sum()) for m in linears)
    assert 0.59 <= zeroed / sum(m.weight.numel() for m in linears) <= 0.61  # kept through recovery and save
    assert (reloaded.classifier.weight != 0).all()
    sparse, teacher = rows["sparse-60"], rows["fp32"]
    assert sparse["parameters"] == teacher["parameters"]  # dense tensors: nothing was removed
    assert sparse["size_bytes"] >= 0.95 * teacher["size_bytes"]
    # a zero float compresses to almost nothing, a trained one hardly at all; the embedding table is not pruned
    assert teacher["size_gzip_bytes"] - sparse["size_gzip_bytes"] >= 2 * zeroed
    assert sparse["sparsity"] == pytest.approx(0.6, abs=0.01)


def test_int8_on_top_of_a_distilled_student_is_measured_beside_it_and_rebuilt_from_its_weights(run):
    compress(run, CompressRequest("distill", layers=1, epochs=0.5), repeats=2)

    rows = compress(run, CompressRequest("int8", base="distill-1L"), repeats=2)

    on_top = next(row for row in rows if row["method"] == "distill-1L+int8")
    student = next(row for row in rows if row["method"] == "distill-1L")
    assert on_top["base"] == "distill-1L" and on_top["parameters"] == student["parameters"]
    assert on_top["size_bytes"] < student["size_bytes"]
    model, tokenizer, _, _ = load_model(run, "distill-1L+int8")
    again, _, _, _ = load_model(run, "distill-1L+int8")
    assert torch.equal(logits_of(model, tokenizer), logits_of(again, tokenizer))


def test_a_cancelled_compression_leaves_the_teacher_and_the_card_untouched(run):
    before, card = teacher_fingerprint(run), read_run_card(run)

    with pytest.raises(CompressionCancelled):
        compress(run, CompressRequest("distill", layers=1), should_stop=lambda: True)

    assert teacher_fingerprint(run) == before
    assert read_run_card(run) == card
    assert not (run / "variants").exists() or not any((run / "variants").iterdir())


@pytest.mark.parametrize("request_, message", [
    (CompressRequest("distill", layers=2), r"2 layers is not smaller than its teacher \(2 layers\)"),
    (CompressRequest("prune", heads_fraction=1.0), r"heads fraction=1.0 must be a fraction"),
    (CompressRequest("prune", ffn_fraction=-0.1), r"FFN fraction=-0.1"),
    (CompressRequest("int8", base="distill-9L"), r"no variant 'distill-9L'"),
    (CompressRequest("sparse", sparsity=1.0), r"sparsity=1.0 must be a fraction above 0 and below 1 \(100%"),
    (CompressRequest("sparse", sparsity=1.5), r"sparsity=1.5 must be"),
    (CompressRequest("sparse", sparsity=0), r"sparsity=0 must be"),
    (CompressRequest("quantum"), r"method 'quantum' must be one of distill, prune, sparse, int8"),
])
def test_an_impossible_request_is_refused_with_the_bad_value_named(teacher_run, request_, message):
    with pytest.raises(CompressionRequestError, match=message):
        compress(teacher_run, request_)


def test_a_run_that_has_not_finished_cannot_be_compressed(tmp_path):
    (tmp_path / "unfinished").mkdir()
    (tmp_path / "unfinished" / "job.json").write_text(json.dumps({"state": "running"}))

    with pytest.raises(CompressionRequestError, match="unfinished has not finished"):
        compress(tmp_path / "unfinished", CompressRequest("distill"))


def test_the_cli_builds_an_int8_variant_and_refuses_a_too_big_student_or_all_zero_weights_in_one_line(run):
    made = run_cli("compress", "--run-dir", str(run), "--method", "int8", "--repeats", "2", "--no-progress")
    refused = run_cli("compress", "--run-dir", str(run), "--method", "distill", "--layers", "5")
    all_zero = run_cli("compress", "--run-dir", str(run), "--method", "sparse", "--sparsity", "1")

    assert made.returncode == 0, made.stderr
    assert {row["method"] for row in json.loads(made.stdout)} == {"fp32", "int8-dynamic"}
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "5 layers is not smaller than its teacher" in refused.stderr
    assert all_zero.returncode == 2 and "Traceback" not in all_zero.stderr
    assert "sparsity=1.0 must be a fraction above 0 and below 1" in all_zero.stderr


def test_a_base_rebuilt_after_int8_was_put_on_it_is_measured_before_its_int8_row(run):
    compress(run, CompressRequest("distill", layers=1, epochs=0.25), repeats=1)
    compress(run, CompressRequest("int8", base="distill-1L"), repeats=1)

    rows = compress(run, CompressRequest("distill", layers=1, epochs=0.25), repeats=1)

    methods = [row["method"] for row in rows]
    assert methods.index("distill-1L") < methods.index("distill-1L+int8")


def test_a_queued_compression_job_passes_its_request_to_the_cli_as_flags(tmp_path):
    from modelkit.jobs import build_command

    job = {"spec": {"command": "compress", "config": {"method": "prune", "heads_fraction": 0.3, "ffn_fraction": 0.5}},
           "device": "cpu"}

    command = build_command(job, tmp_path / "run")

    assert command[-10:] == ["compress", "--run-dir", str(tmp_path / "run"), "--no-progress", "--method", "prune",
                             "--heads-fraction", "0.3", "--ffn-fraction", "0.5"]


def test_the_teachers_logits_computed_once_in_length_sorted_batches_match_it_text_by_text(run):
    from modelkit.batching import PaddingCollator
    from modelkit.text.distill import teacher_logits

    teacher, tokenizer, _, _ = load_model(run, "teacher")
    texts = SAMPLE + ["ok", "a refund please, the second charge on my card came through again today"]
    ids = tokenizer(texts)["input_ids"]

    once = teacher_logits(teacher, ids, PaddingCollator(tokenizer.pad_token_id or 0), batch_size=2)

    one_by_one = torch.cat([logits_of(teacher, tokenizer, [text]) for text in texts])
    assert torch.allclose(once, one_by_one, atol=1e-5)


def test_the_cli_measures_every_row_again_without_building_anything(run):
    compress(run, CompressRequest("int8"), repeats=1)
    recipes_before = sorted(p.name for p in (run / "variants").iterdir())

    again = run_cli("compress", "--run-dir", str(run), "--measure-only", "--repeats", "2", "--no-progress")

    assert again.returncode == 0, again.stderr
    rows = json.loads(again.stdout)
    assert [row["method"] for row in rows] == ["fp32", "int8-dynamic"]
    assert all(isinstance(row["noisy"], bool) and row["cpu_cores"] >= 1 for row in rows)
    assert sorted(p.name for p in (run / "variants").iterdir()) == recipes_before
    assert read_run_card(run)["compression"] == rows
