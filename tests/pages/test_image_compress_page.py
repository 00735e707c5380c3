"""The Image classifier page's Compress section (AppTest): measured rows of a channel-pruned CNN, the Pareto
plot with the published structured-pruning rule beside them, and "serve this variant" into the financial model."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from business.financials.storage import load_assumptions
from business.store import Store
from modelkit.runs import write_run_project
from modelkit.vision.compress import compress
from modelkit.vision.variants import ImageCompressRequest
from tests.image_builders import image_config, single_thread, train_image
from ui import keys
from ui.session import seed_example_project

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "image_classifier.py")


@pytest.fixture
def pruned_run(app_data_dir):
    """The example project with a tiny digits run of its own, half its channels pruned."""
    store = Store(app_data_dir / "founder.db")
    project_id = seed_example_project(store)
    run_dir = app_data_dir / "runs" / "20261201-000000-image-abcd"
    write_run_project(run_dir, project_id)
    with single_thread():  # two torch threads on a busy shared 2-core machine are several times slower
        train_image(image_config("digits", batch_size=32, max_steps=3), run_dir)
        compress(run_dir, ImageCompressRequest("prune", channels_fraction=0.5, recovery_epochs=0.1), repeats=2)
    return store, project_id, run_dir


def test_the_compress_section_lists_the_pruned_row_and_a_pareto_plot_with_the_published_rule(pruned_run):
    store, project_id, run_dir = pruned_run
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state[keys.PROJECT_ID] = project_id
    at.run()
    assert not at.exception, at.exception

    listed = {m for frame in at.dataframe if "p50 ms (b=1)" in frame.value.columns for m in frame.value["method"]}
    traces = [trace for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]
    measured = next(trace for trace in traces if trace.get("name") == "measured")
    published = next(trace for trace in traces if trace.get("name") == "published rule of thumb")
    at.selectbox(key="img_compress_serve").set_value("prune-c50")
    at.button(key="img_compress_serve_button").click().run()

    assert listed == {"fp32", "prune-c50"}
    assert set(measured["text"]) == {"fp32", "prune-c50"}
    assert published["text"] == ["rule for prune-c50"]  # each hollow point says which row it predicts
    assert "whole heads/channels" in published["hovertext"][0]
    assert not at.exception, at.exception
    label = load_assumptions(store, project_id)[0].cost_per_request.provenance.label()
    assert f"measured by run {run_dir.name}" in label and "variant prune-c50" in label
