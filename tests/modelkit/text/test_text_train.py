"""The training loop on a tiny config-built BERT: artifacts, resume, seeds, batching, compression, CLI."""
from __future__ import annotations

import json
import time

import pytest

from modelkit.events import read_events
from tests.text_builders import run_cli, tiny_config, train_tiny


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One finished 2-step tiny run, read (never modified) by the tests that only inspect artifacts."""
    run = tmp_path_factory.mktemp("tiny") / "run"
    summary = train_tiny(run)
    return run, summary


def test_a_tiny_bert_trains_two_steps_and_writes_events_a_checkpoint_and_a_run_card(tiny_run):
    run, summary = tiny_run

    types = [event["type"] for event in read_events(run)]
    assert types[0] == "start" and types[-1] == "done"
    assert [e["step"] for e in read_events(run, ("step",))] == [1, 2]
    assert {"loss", "lr", "samples_per_s", "eta_s", "epoch"} <= set(read_events(run, ("step",))[0])
    assert (run / "checkpoints" / "last" / "model.safetensors").exists()
    assert (run / "checkpoints" / "last" / "optimizer.safetensors").exists()
    assert (run / "model" / "model.safetensors").exists() and (run / "model" / "tokenizer.json").exists()
    assert not list(run.rglob("*.bin")) and not list(run.rglob("*.pt"))
    assert summary["global_step"] == 2


def test_the_run_card_carries_every_key_the_cost_estimator_reads(tiny_run):
    run, _ = tiny_run

    card = json.loads((run / "run_card.json").read_text())

    assert card["task"] == "text"
    assert card["model"]["name"] == "tiny-bert" and card["model"]["parameters"] > 100_000
    assert 0.0 <= card["metrics"]["accuracy"] <= 1.0 and 0.0 <= card["metrics"]["macro_f1"] <= 1.0
    assert card["throughput"]["train_samples_per_s"] > 0 and card["throughput"]["infer_samples_per_s"] > 0
    assert card["throughput"]["device"] == "cpu"
    assert card["latency_ms"]["batch"] == 1 and 0 < card["latency_ms"]["p50"] <= card["latency_ms"]["p95"]
    assert card["size_bytes"] > 1_000_000
    assert card["hardware"]["cpu_count"] >= 1 and card["libraries"]["torch"]
    assert card["data_hash"].startswith("sha256:")
    assert (run / "run_card.md").read_text().startswith("# Run card")


def test_the_saved_model_keeps_its_label_names_and_training_config(tiny_run):
    from modelkit.text.predict import Predictor

    run, _ = tiny_run

    predictor = Predictor.from_run(run)
    saved = json.loads((run / "model" / "train_config.json").read_text())
    assert predictor.label_names == ["account", "billing", "bug", "feature_request"]
    assert saved["max_steps"] == 2 and saved["label_names"] == predictor.label_names


def test_resume_continues_from_the_last_checkpoint_instead_of_starting_over(tmp_path):
    from modelkit.train import RunOptions, train

    train_tiny(tmp_path / "run", max_steps=2)
    summary = train(tiny_config(max_steps=4), RunOptions(run_dir=str(tmp_path / "run"), device="cpu", resume=True,
                                                         finalize=False))

    resumed = read_events(tmp_path / "run", ("resume",))
    assert resumed and resumed[0]["step"] == 2
    assert summary["global_step"] == 4
    assert [e["step"] for e in read_events(tmp_path / "run", ("step",))][-1] == 4


def test_the_same_seed_on_the_same_data_gives_the_same_losses(tmp_path):
    train_tiny(tmp_path / "a", seed=7)
    train_tiny(tmp_path / "b", seed=7)

    losses = [[e["loss"] for e in read_events(tmp_path / run, ("step",))] for run in ("a", "b")]
    assert losses[0] == losses[1]


def test_early_stopping_ends_training_when_validation_stops_improving(tmp_path):
    train_tiny(tmp_path / "run", max_steps=None, epochs=6, learning_rate=0.0, early_stopping_patience=1,
               max_train_rows=32)

    assert read_events(tmp_path / "run", ("early_stop",))
    assert len(read_events(tmp_path / "run", ("eval",))) == 2


def test_length_grouped_batches_cover_every_item_once_and_group_similar_lengths():
    from modelkit.batching import LengthGroupedBatchSampler

    lengths = [5, 50, 6, 48, 7, 49, 5, 51] * 10
    sampler = LengthGroupedBatchSampler(lengths, batch_size=4, seed=0, group_batches=20)

    batches = list(sampler)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert all(max(lengths[i] for i in b) - min(lengths[i] for i in b) <= 5 for b in batches)
    sampler.set_epoch(1)
    assert list(sampler) != batches


def test_the_collator_pads_each_batch_only_to_its_longest_text():
    from modelkit.batching import PaddingCollator

    batch = PaddingCollator(pad_token_id=0)([{"input_ids": [101, 7, 102], "labels": 1},
                                             {"input_ids": [101, 102], "labels": 0}])

    assert batch["input_ids"].shape == (2, 3)
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]


def test_biases_and_layernorm_weights_get_no_weight_decay():
    from modelkit.text.model import build_tiny_bert
    from modelkit.train import build_optimizer

    model = build_tiny_bert(["a", "b"])
    optimizer = build_optimizer(model, tiny_config(weight_decay=0.01), "cpu")

    decayed, plain = optimizer.param_groups
    names = {id(p): n for n, p in model.named_parameters()}
    assert decayed["weight_decay"] == 0.01 and plain["weight_decay"] == 0.0
    assert all(n.endswith("bias") or "LayerNorm" in n for n in (names[id(p)] for p in plain["params"]))
    assert not any("LayerNorm" in names[id(p)] or names[id(p)].endswith("bias") for p in decayed["params"])


def test_an_unknown_hub_model_fails_fast_offline_with_a_message_that_says_what_to_do(monkeypatch):
    from modelkit.text.model import ModelUnavailableError, build_text_model

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()

    with pytest.raises(ModelUnavailableError, match="bundled"):
        build_text_model("distilbert-base-uncased", ["a", "b"])
    assert time.perf_counter() - started < 10


def test_compression_measures_int8_next_to_fp32_and_stores_it_in_the_run_card(tmp_path):
    from modelkit.text.compress import compress_run
    from modelkit.runs import read_run_card

    train_tiny(tmp_path / "run")

    rows = compress_run(tmp_path / "run", repeats=5)

    methods = [row["method"] for row in rows]
    assert methods[:2] == ["fp32", "int8-dynamic"]
    assert all(row["size_bytes"] > 0 and row["latency_ms_p50"] > 0 and 0 <= row["accuracy"] <= 1 for row in rows)
    assert read_run_card(tmp_path / "run")["compression"] == rows


def test_predictions_for_texts_and_for_a_csv_carry_probabilities_that_sum_to_one(tiny_run):
    from modelkit.text.predict import Predictor

    predictor = Predictor.from_run(tiny_run[0])

    frame = predictor.predict(["I was charged twice", "the app crashes on start"])
    from_csv = predictor.predict_table(b"text\nrefund please\nadd dark mode\n", "batch.csv")

    probability_columns = [c for c in frame.columns if c.startswith("p_")]
    assert len(probability_columns) == 4
    assert frame[probability_columns].sum(axis=1).round(3).eq(1.0).all()
    assert list(from_csv["text"]) == ["refund please", "add dark mode"]
    assert list(predictor.predict_table(b"text\nrefund, now please\n", "one.csv")["text"]) == ["refund, now please"]


def test_the_cli_rejects_a_bad_file_with_a_one_line_error_and_status_2(tmp_path):
    bad = tmp_path / "one_class.csv"
    bad.write_text("text,label\nrefund,billing\ninvoice,billing\n")

    result = run_cli("train", "--run-dir", str(tmp_path / "run"), "--data", str(bad), "--model", "tiny-bert")

    assert result.returncode == 2
    assert "one class only" in result.stderr and "Traceback" not in result.stderr


def test_the_cli_refuses_a_folder_as_data_with_one_line_and_status_2(tmp_path):
    (tmp_path / "tickets").mkdir()
    result = run_cli("train", "--run-dir", str(tmp_path / "run"), "--data", str(tmp_path / "tickets"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "error: tickets/ is a folder, not a table: pass one CSV, TSV or JSONL file"


def test_a_two_row_file_stops_training_with_a_clear_error_written_to_the_runs_events(tmp_path):
    two = tmp_path / "two.csv"
    two.write_text("text,label\nrefund please,billing\nlogin broken,account\n")

    result = run_cli("train", "--run-dir", str(tmp_path / "run"), "--data", str(two), "--model", "tiny-bert")

    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no validation rows" in result.stderr
    [error] = read_events(tmp_path / "run", ("error",))
    assert error["message"].startswith("no validation rows")


@pytest.mark.slow
def test_the_same_entry_point_trains_under_accelerate_launch_with_two_cpu_processes(tmp_path):
    import subprocess
    import sys

    from modelkit.jobs import accelerate_launch_prefix
    from tests.text_builders import ROOT

    command = accelerate_launch_prefix(2) + ["-m", "modelkit", "train", "--run-dir", str(tmp_path / "run"),
                                             "--device", "cpu", "--model", "tiny-bert", "--max-steps", "4",
                                             "--batch-size", "8", "--max-length", "32", "--no-progress"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stderr[-2000:]
    start = read_events(tmp_path / "run", ("start",))[0]
    assert start["processes"] == 2
    assert (tmp_path / "run" / "run_card.json").exists()
    assert len(read_events(tmp_path / "run", ("start",))) == 1  # only the main process writes events


def test_a_data_error_inside_training_is_written_to_the_runs_events_before_it_is_raised(tmp_path):
    from modelkit.text.data import SingleClassError

    bad = tmp_path / "one_class.csv"
    bad.write_text("text,label\nrefund,billing\ninvoice,billing\n")

    with pytest.raises(SingleClassError):
        train_tiny(tmp_path / "run", data_path=str(bad))

    [error] = read_events(tmp_path / "run", ("error",))
    assert "one class only" in error["message"]


def test_the_cli_eval_rescores_a_saved_run_to_the_metrics_written_after_training(tiny_run):
    run, _ = tiny_run

    result = run_cli("eval", "--run-dir", str(run))

    assert result.returncode == 0, result.stderr
    rescored = json.loads(result.stdout[result.stdout.index("{"):])
    written = json.loads((run / "metrics.json").read_text())
    assert rescored["accuracy"] == written["accuracy"] and rescored["labels"] == written["labels"]
    assert rescored["confusion_matrix"] == written["confusion_matrix"]


def test_cli_predictions_neutralise_texts_a_spreadsheet_would_run_as_formulas(tiny_run, tmp_path):
    run, _ = tiny_run
    table = tmp_path / "in.csv"
    table.write_text('text,id\n"=HYPERLINK(""http://evil"",""x"")",1\n@SUM(A1),2\nplain words,3\n')

    result = run_cli("predict", "--run-dir", str(run), "--csv", str(table), "--out", str(tmp_path / "out.csv"))

    assert result.returncode == 0, result.stderr
    import pandas as pd

    texts = pd.read_csv(tmp_path / "out.csv")["text"].tolist()
    assert texts == ["'=HYPERLINK(\"http://evil\",\"x\")", "'@SUM(A1)", "plain words"]
