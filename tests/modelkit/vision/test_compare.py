"""Compare models: one run per available candidate on the same data and budget, measured side by side; the
candidates left out say why; bad input is refused with a clear message before any job is queued."""
from __future__ import annotations

import json

import pytest

from modelkit.vision.compare import Budget, ComparisonError, candidates, plan_comparison
from tests.image_builders import single_thread, train_image, write_class_folders

TINY = Budget(epochs=1, max_steps=1, batch_size=8, image_size=32)  # Lite0 at 32 px: seconds on a CPU


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """A real comparison on tiny generated images: each available candidate trained in this process with the
    config the queue would give its job (small CNN, and Lite0 head-first on cached features), then measured."""
    from modelkit.runs import write_run_project
    from modelkit.train import TrainConfig
    from modelkit.vision.compare_rows import measure_comparison

    root = tmp_path_factory.mktemp("compare")
    data = write_class_folders(root / "data", per_class=6)
    with pytest.MonkeyPatch.context() as patch, single_thread():  # two threads on a busy 2-core machine: 8x slower
        patch.setenv("APP_DATA_DIR", str(root / "app_data"))  # the feature cache lives here, not in the repo
        patch.setenv("APP_OFFLINE", "1")
        runs = root / "app_data" / "runs"
        plan = plan_comparison(str(data), TINY, project_id=1, root=runs)
        for candidate in plan["candidates"]:
            if candidate["run_id"]:
                write_run_project(runs / candidate["run_id"], 1)  # what the queue does when it takes the job
                train_image(TrainConfig(**candidate["config"]), runs / candidate["run_id"])
        table = measure_comparison(runs / plan["comparison_id"], repeats=3)
    return runs, plan, table


def test_the_comparison_writes_one_finished_run_per_available_candidate_tagged_with_its_id(compared):
    runs, plan, _ = compared

    trained = [c for c in plan["candidates"] if c["run_id"]]

    assert [c["model"] for c in trained] == ["small_cnn", "efficientnet_lite0"]
    for candidate in trained:
        card = json.loads((runs / candidate["run_id"] / "run_card.json").read_text())
        assert card["config"]["comparison_id"] == plan["comparison_id"]
        assert card["config"]["model_name"] == candidate["model"] and card["project_id"] == 1


def test_every_candidate_gets_the_same_data_and_budget_and_only_the_learning_rate_follows_the_model(compared):
    _, plan, _ = compared

    configs = [c["config"] for c in plan["candidates"] if c["config"]]
    shared = ("data_path", "epochs", "max_steps", "batch_size", "seed", "val_fraction", "augment", "image_size")

    assert all(all(config[key] == configs[0][key] for key in shared) for config in configs)
    assert configs[0]["learning_rate"] > configs[1]["learning_rate"]  # from scratch vs pretrained


def test_each_finished_run_has_a_measured_row_with_latency_size_parameters_and_accuracy(compared):
    _, plan, table = compared

    rows = {row["model"]: row for row in table["rows"]}

    assert set(rows) == {"small_cnn", "efficientnet_lite0"}
    for row in rows.values():
        assert 0 < row["latency_ms_p50"] <= row["latency_ms_p95"]
        assert 0 < row["latency_ms_p50_batch32"] <= row["latency_ms_p95_batch32"]
        assert row["throughput_per_s"] > 0 and row["size_bytes"] > 10_000 and row["train_seconds"] >= 0
        assert 0.0 <= row["accuracy"] <= 1.0 and 0.0 <= row["macro_f1"] <= 1.0 and row["device"] == "cpu"
    assert rows["efficientnet_lite0"]["parameters"] > 10 * rows["small_cnn"]["parameters"]
    assert table["repeats"] == {"batch_1": 3, "batch_32": 3}


def test_candidates_left_out_offline_are_listed_with_the_reason(compared):
    _, plan, table = compared

    skipped = {item["model"]: item["reason"] for item in table["skipped"]}

    assert set(skipped) == {"mobilenet_v3_small", "resnet18", "shufflenet_v2_x1_0"}
    assert all("not in the local torch cache" in reason and "cannot be reached" in reason for reason in skipped.values())


def test_a_backbone_whose_weights_are_in_the_torch_cache_becomes_a_candidate(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    cache = tmp_path / "torch" / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    (cache / "resnet18-f37072fd.pth").write_bytes(b"")  # only its presence is asked here; training loads it

    found = {c.model: c for c in candidates()}

    assert found["resnet18"].available and "local torch cache" in found["resnet18"].reason
    assert not found["mobilenet_v3_small"].available


@pytest.mark.parametrize("data, message", [
    ("", "no data"),
    ("/nowhere/at/all", "no image folder or zip"),
])
def test_a_comparison_without_data_is_refused_with_a_clear_message(tmp_path, data, message):
    with pytest.raises(ValueError, match=message):
        plan_comparison(data, TINY, root=tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_a_comparison_of_one_class_is_refused_before_any_job_is_queued(tmp_path):
    data = write_class_folders(tmp_path / "data", per_class=3, classes=("red",))

    with pytest.raises(ValueError, match="need at least 2"):
        plan_comparison(str(data), TINY, root=tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_a_budget_of_zero_epochs_is_refused_naming_the_value(tmp_path):
    with pytest.raises(ComparisonError, match="epochs 0"):
        plan_comparison("digits", Budget(epochs=0), root=tmp_path / "runs")


def test_a_started_comparison_queues_one_job_per_candidate_then_the_measuring_job_and_cancels_them_all(tmp_path):
    from modelkit import jobs
    from modelkit.runs import list_runs
    from modelkit.vision.compare import Candidate, cancel_comparison, progress, start_comparison

    data = write_class_folders(tmp_path / "data", per_class=3)
    root = tmp_path / "runs"
    found = [Candidate("small_cnn", True, "always"), Candidate("resnet18", False, "offline")]

    comparison_id = start_comparison(str(data), TINY, project_id=3, root=root, found=found)
    states = progress(comparison_id, root)
    cancel_comparison(comparison_id, root)
    ended = [jobs.wait(item.run_id, timeout_s=120, root=root)["state"] for item in states]

    assert [item.model for item in states] == ["small_cnn", "measure"]
    assert jobs.read_job(root / states[0].run_id)["spec"]["config"]["comparison_id"] == comparison_id
    assert ended == ["cancelled", "cancelled"]
    assert [run.task for run in list_runs(root, project_id=3)].count("image") == 1  # the comparison is no image run


def test_the_cli_says_what_is_wrong_with_the_data_and_exits_2(tmp_path, capsys):
    from modelkit.__main__ import main

    data = write_class_folders(tmp_path / "data", per_class=3, classes=("red",))

    assert main(["compare", "--data", str(data)]) == 2
    assert "need at least 2" in capsys.readouterr().err
