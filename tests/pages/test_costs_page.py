"""The Costs page (AppTest) and the form values it hands to the estimator."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from business.costs.compute import EstimateError
from business.costs.form import FORM_DEFAULTS, inputs_from_form
from business.costs.pricing import OVERRIDE_KIND
from business.store import Store
from tests.apptest_helpers import submit, texts, widget

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "costs.py")
RUN_CARD = {
    "task": "text", "model": {"name": "all-MiniLM-L6-v2 (fine-tuned)", "parameters": 22_714_371},
    "throughput": {"samples_per_s": 250.0, "device": "cpu"}, "size_bytes": 90_900_000, "latency_ms_p50": 8.0,
    "compression": [{"method": "fp32", "size_bytes": 90_900_000, "latency_ms_p50": 8.0, "accuracy": 0.91},
                    {"method": "int8-dynamic", "size_bytes": 45_000_000, "latency_ms_p50": 5.0, "accuracy": 0.90}],
}


def open_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def estimate_with(at: AppTest, **numbers) -> AppTest:
    for name, value in numbers.items():
        widget(at.number_input, f"costs_{name}").set_value(value)
    return submit(at, "Estimate costs")


def metric_values(at: AppTest) -> str:
    return " ".join(m.value for m in at.metric).lower()


def store_of(app_data_dir) -> Store:
    return Store(app_data_dir / "founder.db")


def test_the_page_opens_with_a_preset_and_shows_metrics_charts_tables_and_downloads():
    at = open_page()

    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Training compute", "GPU-hours on H100 SXM5"]
    assert "Serving per 1,000 requests" in labels
    assert "nan" not in metric_values(at) and not at.error
    assert len([c for c in at.get("plotly_chart") if c.key.startswith("costs_")]) == 4
    assert len(at.get("download_button")) == 2
    assert "Epoch AI" in " ".join(m.help or "" for m in at.metric)


@pytest.mark.parametrize("numbers, message", [
    ({"utilization_pct": 150.0}, "utilization=150% must be above 0%"),
    ({"training_tokens_b": 1e21}, "above the"),
    ({"batch_size": 0}, "batch_size=0 must be greater than zero"),
    ({"requests_per_month": -5.0}, "requests_per_month=-5"),
    ({"sparsity_pct": 100.0}, "sparsity=100%"),
])
def test_bad_input_shows_a_clear_error_and_no_numbers(numbers, message):
    at = estimate_with(open_page(), **numbers)

    assert message in " ".join(e.value for e in at.error).replace("\\", "")
    # The estimate's metrics are gone; "Compare with an API" (its own form) still answers below.
    assert not [m for m in at.metric if not m.label.startswith("Cheapest at")] and not at.exception


def test_a_custom_model_of_zero_parameters_is_refused_by_name():
    at = open_page()
    at.selectbox(key="costs_model").set_value("custom").run()  # the form shows the fields this model needs
    at = estimate_with(at, custom_parameters_m=0.0)

    assert "parameters (millions)=0" in " ".join(e.value for e in at.error).replace("\\", "")


def test_every_preset_renders_without_an_exception_or_nan():
    at = open_page()
    for preset_key in ("llm-70b", "resnet-50"):
        at.selectbox(key="costs_model").set_value(preset_key).run()  # the form shows the fields this model needs
        submit(at, "Estimate costs")
        assert "nan" not in metric_values(at) and not at.error, preset_key


def test_a_pasted_run_card_is_priced_and_its_measured_compression_shown_beside_the_estimate():
    at = open_page()
    at.selectbox(key="costs_model").set_value("run-card").run()  # the form shows the fields this model needs
    at.text_area(key="costs_run_card_json").set_value(json.dumps(RUN_CARD))
    at = estimate_with(at, measured_machine_usd_per_hour=0.9)

    assert not at.error
    assert "Measured on the run card" in texts(at)
    assert "Measured" in " ".join(i.value for i in at.info)  # $0.90 / (250/s × 3600) per request


def test_a_run_card_of_a_trained_run_can_be_picked_from_the_run_folder(app_data_dir):
    run = app_data_dir / "runs" / "run-1"
    run.mkdir(parents=True)
    (run / "run_card.json").write_text(json.dumps({**RUN_CARD, "project_id": 1}))  # the example project's run
    at = open_page()
    at.selectbox(key="costs_model").set_value("run-card").run()  # the form shows the fields this model needs
    at.selectbox(key="costs_run_id").set_value("run-1")
    submit(at, "Estimate costs")

    assert not at.error
    assert "Measured on the run card" in texts(at)


def test_a_pasted_run_card_that_is_not_json_gets_a_clear_error():
    at = open_page()
    at.selectbox(key="costs_model").set_value("run-card").run()  # the form shows the fields this model needs
    at.text_area(key="costs_run_card_json").set_value("{not json")
    submit(at, "Estimate costs")

    assert "not valid JSON" in " ".join(e.value for e in at.error)


def save_price(at: AppTest, provider: str, usd_per_hour: float) -> AppTest:
    at.text_input(key="costs_price_provider").set_value(provider)
    at.text_input(key="costs_price_instance").set_value("1x H100 negotiated")
    at.selectbox(key="costs_price_gpu").set_value("H100 SXM 80GB")
    widget(at.number_input, "costs_price_usd_per_hour").set_value(usd_per_hour)
    return submit(at, "Save my price")


def test_a_negotiated_price_is_saved_with_the_project_and_becomes_the_cheapest_offer(app_data_dir):
    at = save_price(open_page(), "Acme Cloud", 0.10)

    assert "Saved your prices as version 1" in texts(at)
    [project] = store_of(app_data_dir).list_projects()
    saved = store_of(app_data_dir).load_latest(project.id, OVERRIDE_KIND).payload["rows"]
    assert saved[0]["provider"] == "Acme Cloud" and saved[0]["source"] == "user"
    offers = at.dataframe[0].value
    assert offers.iloc[0]["provider"] == "Acme Cloud" and offers.iloc[0]["mark"] == "cheapest"


def test_a_negative_price_is_refused_and_nothing_is_saved(app_data_dir):
    at = save_price(open_page(), "Acme Cloud", -1.0)

    assert "usd_per_hour" in " ".join(e.value for e in at.error).replace("\\", "")
    [project] = store_of(app_data_dir).list_projects()
    assert store_of(app_data_dir).load_latest(project.id, OVERRIDE_KIND) is None


def test_a_price_saved_meanwhile_by_someone_else_is_not_overwritten(app_data_dir):
    at = open_page()
    store = store_of(app_data_dir)
    [project] = store.list_projects()
    store.save(project.id, OVERRIDE_KIND, {"rows": []}, None)

    at = save_price(at, "Acme Cloud", 0.10)

    assert "changed since you opened it" in " ".join(e.value for e in at.error)
    assert store.load_latest(project.id, OVERRIDE_KIND).payload == {"rows": []}


def test_stored_prices_naming_an_unknown_gpu_are_reported_and_the_shipped_catalog_used(app_data_dir):
    open_page()
    store = store_of(app_data_dir)
    [project] = store.list_projects()
    bad = {"provider": "X", "instance": "y", "gpu": "Z9000", "gpus_per_instance": 1, "usd_per_hour": "1"}
    store.save(project.id, OVERRIDE_KIND, {"rows": [bad]}, None)

    at = open_page()

    assert "Z9000" in " ".join(e.value for e in at.error)
    assert at.metric and "nan" not in metric_values(at)


def test_form_values_in_founder_units_become_estimator_inputs():
    values = dict(FORM_DEFAULTS, training_tokens_b=2.5, utilization_pct=35.0, sparsity_pct=20.0, max_gpus=8)

    inputs = inputs_from_form(values, date(2026, 11, 29))

    assert inputs.training_tokens == 2.5e9 and inputs.utilization == pytest.approx(0.35)
    assert inputs.sparsity == pytest.approx(0.2) and inputs.gpu_counts == tuple(range(1, 9))


def test_an_empty_required_field_is_named_in_the_error():
    with pytest.raises(EstimateError, match="requests per month is empty"):
        inputs_from_form(dict(FORM_DEFAULTS, requests_per_month=None), date(2026, 11, 29))


SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")


def big_training_run() -> AppTest:
    """A 70B model on 100B tokens: training costs six digits on most offers."""
    at = open_page()
    at.selectbox(key="costs_model").set_value("llm-70b").run()  # the form shows the fields this model needs
    return estimate_with(at, training_tokens_b=100.0)


def table_with(at: AppTest, column: str):
    """The one table on the page that has `column`."""
    [table] = [t for t in at.dataframe if column in t.value.columns]
    return table


def column_formats(table) -> dict:
    return json.loads(table.proto.columns)


def chart(at: AppTest, title_start: str) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    [spec] = [s for s in specs if s["layout"]["title"]["text"].startswith(title_start)]
    return spec


def test_the_offers_table_shows_six_digit_costs_in_dollars_in_a_column_wide_enough_for_them():
    at = big_training_run()

    offers = table_with(at, "cost ($)")
    costs = offers.value["cost ($)"]
    cost_format = column_formats(offers)["cost ($)"]

    assert costs.max() >= 100_000
    assert cost_format["type_config"]["format"] == "dollar"
    assert cost_format["width"] >= 8 * len(f"${costs.max():,.2f}")


def test_no_money_count_or_hours_metric_is_in_scientific_notation():
    at = big_training_run()

    values = {m.label: m.value for m in at.metric}

    assert values["Training compute"].endswith("FLOP")  # FLOP counts may stay scientific, with their unit
    assert not any(SCIENTIFIC.search(v) for label, v in values.items() if label != "Training compute")
    assert values["GPU-hours on H100 SXM5"].replace(",", "").isdigit()
    assert all(values[label].startswith("$") for label in ("Cheapest training", "Serving per 1,000 requests",
                                                           "Serving, per month"))


def test_the_compression_table_starts_from_the_serving_bill_in_the_headline():
    at = estimate_with(open_page(), requests_per_month=5e9)

    compression = table_with(at, "before ($/month)").value
    monthly = next(m.value for m in at.metric if m.label == "Serving, per month")

    assert {f"${v:,.2f}" for v in compression["before ($/month)"]} == {monthly}
    same = compression[compression["method"] == "precision fp32"].iloc[0]
    assert f"${same['after ($/month)']:,.2f}" == monthly
    assert column_formats(table_with(at, "before ($/month)"))["before ($/month)"]["type_config"]["format"] \
        == "dollar"


def test_cost_vs_wall_clock_shows_the_cheapest_offer_for_each_deadline_and_every_offer_on_request():
    at = open_page()

    frontier_only = chart(at, "Cost vs wall-clock")
    at.toggle(key="costs_show_all_offers").set_value(True).run()
    everything = chart(at, "Cost vs wall-clock")

    [line] = frontier_only["data"]
    assert line["name"] == "cheapest by deadline" and line["line"]["shape"] == "hv"
    assert len(line["text"]) == len(line["x"]) > 1 and all(line["text"])  # each step named
    providers = [t for t in everything["data"] if t["name"] != "cheapest by deadline"]
    assert len(providers) > 10
    styles = {(t["marker"]["color"], t["marker"]["symbol"]) for t in providers}
    assert len(styles) == len(providers)  # no two providers look alike
