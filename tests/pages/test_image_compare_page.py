"""AppTest of the image page's "Compare models" section: the table and the plot from a measured comparison, the
start button on checked data, and "Make featured" saving the featured image run in the real SQLite store."""
from __future__ import annotations

import json

import pytest

from tests.apptest_helpers import texts
from tests.pages.test_image_page import open_page

COMPARISON = "20260101-000000-compare-abcd"
RUNS = {"small_cnn": "20260101-000001-image-aaaa", "efficientnet_lite0": "20260101-000002-image-bbbb"}


def measured_row(model: str, name: str, accuracy: float, p50: float, size_mb: float, parameters: int) -> dict:
    return {"model": model, "name": name, "run_id": RUNS[model], "device": "cpu", "cpu_threads": 2,
            "image_size": 224,
            "accuracy": accuracy, "macro_f1": accuracy - 0.01, "examples": 153, "latency_ms_p50": p50,
            "latency_ms_p95": p50 * 1.2, "latency_ms_p50_batch32": p50 * 20, "latency_ms_p95_batch32": p50 * 22,
            "throughput_per_s": round(32_000 / (p50 * 20), 2), "size_bytes": int(size_mb * 1e6),
            "parameters": parameters, "train_seconds": 42.0, "weights": "", "training": {}}


@pytest.fixture
def measured_comparison(app_data_dir):
    """A finished comparison of the example project (id 1) as its jobs leave it: the plan, each job done, the rows."""
    from modelkit import jobs
    from modelkit.paths import runs_root

    root = runs_root()
    plan = {"comparison_id": COMPARISON, "project_id": 1, "data_path": "digits", "created": "2026-01-01T00:00:00Z",
            "budget": {"epochs": 2}, "classes": ["ant", "bee"], "train_images": 244, "val_images": 153,
            "candidates": [{"model": m, "available": True, "reason": "test", "run_id": r, "config": {}}
                           for m, r in RUNS.items()]
            + [{"model": "resnet18", "available": False, "reason": "offline", "run_id": None, "config": None}]}
    for run_id in [*RUNS.values(), COMPARISON]:
        (root / run_id).mkdir(parents=True)
        jobs.write_job(root / run_id, {"run_id": run_id, "spec": {"task": "compare" if run_id == COMPARISON else "image"},
                                       "device": "cpu", "state": "done", "submitted_at": 1.0, "pid": None})
    (root / COMPARISON / "comparison.json").write_text(json.dumps(plan))
    rows = [measured_row("small_cnn", "Small CNN (from scratch)", 0.61, 0.4, 1.2, 287_714),
            measured_row("efficientnet_lite0", "EfficientNet-Lite0 (ImageNet-pretrained, bundled)", 0.95, 9.0, 13.7,
                         3_373_570)]
    (root / COMPARISON / "rows.json").write_text(json.dumps({
        "comparison_id": COMPARISON, "measured_at": "2026-01-01T00:10:00Z", "hardware": {"cpu": "x86_64", "torch_threads": 2},
        "repeats": {"batch_1": 20, "batch_32": 5}, "rows": rows,
        "skipped": [{"model": "resnet18", "run_id": None, "reason": "offline"}]}))
    return root


def test_a_measured_comparison_shows_one_table_and_one_plot_with_its_source(measured_comparison):
    at = open_page()

    [table] = [frame.value for frame in at.dataframe if "p50 ms (b=1)" in frame.value.columns]
    shown = texts(at).replace("\\", "")  # markdown escapes of user-facing text

    assert list(table["run"]) == list(RUNS.values())
    assert {"accuracy (val)", "macro-F1 (val)", "p95 ms (b=32)", "size MB", "parameters", "training s",
            "USD per 1,000"} <= set(table.columns)
    assert table["USD per 1,000"].iloc[0] != "-" and "c7i" in shown  # on the catalog CPU machine, said so
    assert any(chart.proto.spec and "latency p50 at batch 1" in chart.proto.spec for chart in at.get("plotly_chart"))
    assert f"by comparison {COMPARISON}" in shown and "Not compared: ResNet-18: offline" in shown


def test_make_featured_saves_that_run_as_the_projects_featured_image_run(measured_comparison):
    from business.reports.featured import load_featured
    from business.store import Store
    from modelkit.paths import app_data_dir

    at = open_page()
    at.button(key="cmp_feature_" + RUNS["efficientnet_lite0"]).click().run()

    assert not at.exception, at.exception
    assert load_featured(Store(app_data_dir() / "founder.db"), 1).image == RUNS["efficientnet_lite0"]
    assert f"Investors now see image run {RUNS['efficientnet_lite0']}" in texts(at).replace("\\", "")
    assert at.button(key="cmp_feature_" + RUNS["efficientnet_lite0"]).disabled


def test_checked_data_offers_to_compare_the_models_available_here_saying_which_are_left_out():
    import torchvision  # noqa: F401 - the background import has finished, so the comparison form is drawn

    at = open_page()

    [listed] = [frame.value for frame in at.dataframe if "compared" in frame.value.columns]
    compared = dict(zip(listed["model"], listed["compared"]))

    assert "Compare models on this data" in [b.label for b in at.main.button]
    assert compared["Small CNN (from scratch)"] == "yes" and compared["ResNet-18"] == "no"
    assert "cannot be reached" in " ".join(listed["why"])
    assert "No comparison in this project yet." in texts(at)
