"""The Text classifier page's Compress section (AppTest): measured rows, the Pareto plot with the published
rules beside them, a compression job started from the form, and "serve this variant" into the financial model."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from business.financials.storage import load_assumptions
from business.store import Store
from modelkit import jobs
from modelkit.runs import write_run_project
from modelkit.text.compress import compress
from modelkit.text.variants import CompressRequest
from tests.text_builders import train_tiny
from ui import keys
from ui.session import seed_example_project

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "text_classifier.py")


@pytest.fixture
def compressed_run(app_data_dir):
    """The example project with a tiny trained run of its own, distilled to one layer."""
    store = Store(app_data_dir / "founder.db")
    project_id = seed_example_project(store)
    run_dir = app_data_dir / "runs" / "20261201-000000-text-abcd"
    write_run_project(run_dir, project_id)
    train_tiny(run_dir, max_steps=4)
    compress(run_dir, CompressRequest("distill", layers=1, epochs=0.5), repeats=2)
    return store, project_id, run_dir


def open_page(project_id: int) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state[keys.PROJECT_ID] = project_id
    at.run()
    assert not at.exception, at.exception
    return at


def methods_listed(at: AppTest) -> set[str]:
    return {method for frame in at.dataframe if "method" in frame.value.columns for method in frame.value["method"]}


def test_the_compress_section_lists_the_measured_rows_and_a_pareto_plot_with_the_published_rule(compressed_run):
    _, project_id, _ = compressed_run

    at = open_page(project_id)

    assert {"fp32", "distill-1L"} <= methods_listed(at)
    traces = [trace for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]
    names = {trace.get("name") for trace in traces}
    assert {"measured", "published rule of thumb"} <= names
    measured = next(trace for trace in traces if trace.get("name") == "measured")
    assert set(measured["text"]) == {"fp32", "distill-1L"}
    published = next(trace for trace in traces if trace.get("name") == "published rule of thumb")
    assert published["text"] == ["rule for distill-1L"] and "DistilBERT" in published["hovertext"][0]
    segment = next(trace for trace in traces if trace.get("name") == "rule → measured")
    student = measured["text"].index("distill-1L")
    assert segment["x"][:2] == [published["x"][0], measured["x"][student]]
    assert segment["y"][:2] == [published["y"][0], measured["y"][student]]


def test_each_row_is_priced_on_the_catalog_cpu_machine_at_the_financial_models_volume(compressed_run):
    from business.costs.cpu_catalog import cpu_offer_for
    from ui.models.serving_inputs import project_volume, this_machine_cores

    _, project_id, _ = compressed_run

    at = open_page(project_id)

    money = next(frame.value for frame in at.dataframe if "priced on" in frame.value.columns)
    offer = cpu_offer_for(this_machine_cores())
    assert all(offer.instance in label and "price seen" in label for label in money["priced on"])
    assert at.number_input(key="text_compress_requests_per_month").value == round(project_volume().requests_per_month)
    assert any("From the financial model" in caption.value and "average over" in caption.value
               for caption in at.caption)


def test_serving_a_variant_saves_the_financial_model_with_a_cost_measured_by_the_run(compressed_run):
    store, project_id, run_dir = compressed_run
    at = open_page(project_id)

    at.selectbox(key="text_compress_serve").set_value("distill-1L")
    at.button(key="text_compress_serve_button").click().run()

    assert not at.exception, at.exception
    assumptions, _ = load_assumptions(store, project_id)
    label = assumptions.cost_per_request.provenance.label()
    assert f"measured by run {run_dir.name}" in label and "variant distill-1L" in label


@pytest.mark.slow
def test_an_int8_job_started_from_the_form_adds_its_row_when_it_is_done(compressed_run):
    _, project_id, run_dir = compressed_run
    at = open_page(project_id)

    at.selectbox(key="text_compress_method").set_value("int8")
    at.selectbox(key="text_compress_base").set_value("distill-1L")
    at.button(key="FormSubmitter:text_compress_form-Start compression job").click().run()

    assert jobs.wait(run_dir.name, timeout_s=600, root=run_dir.parent)["state"] == "done"
    at.run()
    assert not at.exception, at.exception
    assert {"fp32", "distill-1L", "distill-1L+int8"} <= methods_listed(at)


def test_a_magnitude_pruning_job_from_the_form_shows_its_row_with_the_zipped_sizes_beside_the_teachers(compressed_run):
    _, project_id, run_dir = compressed_run
    at = open_page(project_id)

    at.selectbox(key="text_compress_method").set_value("sparse")
    at.slider(key="text_compress_sparsity").set_value(0.7)
    at.button(key="FormSubmitter:text_compress_form-Start compression job").click().run()

    assert jobs.wait(run_dir.name, timeout_s=600, root=run_dir.parent)["state"] == "done"
    at.run()
    assert not at.exception, at.exception
    table = next(frame.value for frame in at.dataframe if "gzip MB" in frame.value.columns).set_index("method")
    assert float(table.loc["sparse-70", "gzip MB"]) < float(table.loc["fp32", "gzip MB"])
    assert table.loc["distill-1L", "gzip MB"] == "-"  # not zipped by anyone: said, not "None"
    assert table.loc["sparse-70", "size MB"] >= 0.95 * table.loc["fp32", "size MB"]
    assert "sparse-70" in [option for option in at.selectbox(key="text_compress_base").options]


def test_rows_measured_on_a_busy_machine_are_named_and_can_be_measured_again(compressed_run):
    from modelkit.runs import add_compression_rows, read_run_card

    _, project_id, run_dir = compressed_run
    rows = read_run_card(run_dir)["compression"]
    busy = [{**row, "noisy": row["method"] == "distill-1L", "load_average": 3.4, "cpu_cores": 2} for row in rows]
    add_compression_rows(run_dir, busy)  # as a measurement taken while a browser rendered on the same cores
    at = open_page(project_id)

    warning = next(w.value for w in at.warning if "busy" in w.value).replace("\\", "")  # markup escapes off
    at.button(key="text_compress_remeasure").click().run()

    assert "distill-1L" in warning and "fp32" not in warning and "load average 3.4 on 2 cores" in warning
    assert jobs.job_status(run_dir.name, run_dir.parent)["spec"]["config"] == {"measure_only": True}
    assert jobs.wait(run_dir.name, timeout_s=600, root=run_dir.parent)["state"] == "done"
    again = read_run_card(run_dir)["compression"]
    assert {row["method"] for row in again} == {"fp32", "distill-1L"}
    assert all("noisy" in row and row["load_average"] != 3.4 for row in again)


def test_rows_stored_before_the_noisy_flag_are_judged_by_their_spread_and_cannot_be_served(compressed_run):
    from modelkit.runs import add_compression_rows, read_run_card

    _, project_id, run_dir = compressed_run
    rows = read_run_card(run_dir)["compression"]
    old = [{key: value for key, value in row.items() if key not in ("noisy", "load_average", "cpu_cores")}
           | {"latency_ms_p95": row["latency_ms_p50"] * 4.4} for row in rows]  # as the walk on a busy box saw
    add_compression_rows(run_dir, old)

    at = open_page(project_id)

    assert any("Every row was measured while this machine was busy" in w.value.replace("\\", "") for w in at.warning)
    store, _, _ = compressed_run
    before = load_assumptions(store, project_id)
    at.selectbox(key="text_compress_serve").set_value("distill-1L")
    at.button(key="text_compress_serve_button").click().run()
    assert any("distill-1L was measured while this machine was busy" in e.value.replace("\\", "") for e in at.error)
    assert load_assumptions(store, project_id) == before  # the financial model kept its cost
