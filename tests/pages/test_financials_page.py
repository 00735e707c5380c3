"""AppTest of the Financials page: defaults, save, refused input, stale saves, scenarios, user text."""
from __future__ import annotations

import json
from datetime import date
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from business.canvas.model import Canvas, make_item, make_revenue_stream, with_block
from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.example_project import EXAMPLE_CANVAS
from business.financials.assumptions import make_scenario
from business.financials.storage import KIND, assumptions_to_dict, default_assumptions, save_assumptions
from business.store import Store
from tests.apptest_helpers import open_app, submit, texts, widget
from tests.financial_builders import a_canvas, a_segment, a_subscription, assumptions_for

ROOT = Path(__file__).resolve().parents[2]
PAGE, APP = str(ROOT / "pages" / "financials.py"), str(ROOT / "app.py")


def open_page(project_id: int | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if project_id is not None:
        at.session_state["project_id"] = project_id
    at.run()
    assert not at.exception, at.exception
    return at


def store_of(app_data_dir) -> Store:
    return Store(app_data_dir / "founder.db")


def saved_versions(app_data_dir, project_id: int) -> list[int]:
    return [v.number for v in store_of(app_data_dir).history(project_id, KIND)]


def project_without_assumptions(app_data_dir) -> int:
    """A project with the example canvas but no financial assumptions saved yet."""
    open_page()  # seeds the example project (which has its own assumptions)
    store = store_of(app_data_dir)
    project = store.create_project("Fresh start")
    store.save(project.id, "canvas", canvas_to_dict(canvas_from_dict(EXAMPLE_CANVAS)), None)
    return project.id


def test_the_example_project_opens_with_its_saved_assumptions_and_an_estimated_inference_cost():
    at = open_page()

    assert at.expander[0].label == "Assumptions (version 1)"
    assert "No financial assumptions saved" not in texts(at)
    page = texts(at).replace("\\", "")
    assert "estimated: cost estimator: monthly serving bill" in page and "model MiniLM-L6" in page
    assert "nan" not in " ".join(m.value for m in at.metric).lower()


def test_a_project_without_assumptions_opens_with_labelled_defaults_metrics_and_banded_margin(app_data_dir):
    at = open_page(project_without_assumptions(app_data_dir))
    page = texts(at)

    assert "No financial assumptions saved" in page
    assert [m.label for m in at.metric][:3] == ["MRR, month 24", "ARR, month 24", "Gross margin, month 24"]
    assert "a16z" in page and "The New Business of AI" in page
    assert "estimate" in page  # the inference cost says where it comes from
    assert len(at.get("download_button")) == 1
    assert "nan" not in " ".join(m.value for m in at.metric).lower()


def test_saving_the_form_stores_version_one_and_the_page_shows_it(app_data_dir):
    project_id = project_without_assumptions(app_data_dir)
    at = open_page(project_id)
    widget(at.number_input, "_seg_0_churn").set_value(7.5)
    submit(at, "Save assumptions")

    assert "Saved the financial assumptions as version 1" in texts(at)
    assert saved_versions(app_data_dir, project_id) == [1]
    at.run()
    assert at.expander[0].label == "Assumptions (version 1)"
    assert widget(at.number_input, "_seg_0_churn").value == 7.5


def test_usage_shares_that_do_not_add_up_are_refused_and_nothing_is_saved(app_data_dir):
    project_id = project_without_assumptions(app_data_dir)
    at = open_page(project_id)
    widget(at.number_input, "_str_0_light_share").set_value(60.0)
    submit(at, "Save assumptions")

    assert any("add up to 110 %, not 100 %" in e.value for e in at.error)
    assert saved_versions(app_data_dir, project_id) == []


def test_a_save_from_a_stale_form_is_refused_and_says_so(app_data_dir):
    project_id = project_without_assumptions(app_data_dir)
    first, second = open_page(project_id), open_page(project_id)
    submit(first, "Save assumptions")

    submit(second, "Save assumptions")

    assert any("changed since you opened it" in e.value for e in second.error)
    assert saved_versions(app_data_dir, project_id) == [1]


def test_a_named_scenario_is_added_and_compared_beside_the_presets():
    at = open_page()
    widget(at.text_input, "_new_scenario").set_value("Series A push")
    submit(at, "Add scenario")
    at.run()

    comparison = at.dataframe[-2].value
    assert list(comparison["Scenario"]) == ["pessimistic", "base", "optimistic", "Series A push"]
    assert "nan" not in comparison.to_string().lower()


def test_a_scenario_name_with_html_is_shown_as_text_not_rendered():
    at = open_page()
    widget(at.text_input, "_new_scenario").set_value("<b>bold</b>")
    submit(at, "Add scenario")
    at.run()

    assert any("\\<b\\>bold\\</b\\>" in m.value for m in at.markdown)
    assert not at.html


def test_a_project_whose_canvas_has_no_revenue_streams_is_sent_to_add_one(app_data_dir):
    store = store_of(app_data_dir)
    project = store.create_project("No revenue yet")
    canvas = with_block(Canvas(), "customer_segments", [make_item("Dentists")])
    store.save(project.id, "canvas", canvas_to_dict(canvas), None)

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["project_id"] = project.id
    at.run().switch_page("pages/financials.py").run()

    assert not at.exception, at.exception
    assert "no revenue streams yet" in at.warning[0].value
    assert not at.metric


def test_the_cost_estimators_figure_fills_the_inference_cost_and_names_its_source(app_data_dir):
    at = open_page()
    default_cost = widget(at.number_input, "_cost_1k").value
    widget(at.selectbox, "_est_model").set_value("llm-7b")
    submit(at, "Use the cost estimator's figure")

    filled = widget(at.number_input, "_cost_1k").value
    assert filled != default_cost and filled > 0
    assert any("Save the form to use it" in c.value.replace("\\", "") for c in at.caption)
    assert any("estimated on" in c.value and "7B LLM" in c.value for c in at.caption)
    submit(at, "Save assumptions")
    saved = store_of(app_data_dir).load_latest(1, KIND).payload["cost_per_request"]
    assert saved["provenance"]["kind"] == "estimated" and "7B LLM" in json.dumps(saved["provenance"])
    assert float(saved["usd_per_1k_requests"]) == filled


def test_a_stream_name_with_html_reaches_the_charts_escaped(app_data_dir):
    store = store_of(app_data_dir)
    project = store.create_project("Markup")
    canvas = with_block(Canvas(), "customer_segments", [make_item("Dentists")])
    stream = make_revenue_stream(canvas, name="<b>Pro</b>", segment="Dentists", stream_type="subscription",
                                 price_usd="99", unit="seat", billing_period="month")
    store.save(project.id, "canvas", canvas_to_dict(replace(canvas, revenue_streams=(stream,))), None)

    at = open_page(project.id)

    traces = [t for chart in at.get("plotly_chart") for t in json.loads(chart.proto.spec)["data"]]
    labels = {t.get("name") for t in traces} | {x for t in traces for x in t.get("x", []) if isinstance(x, str)}
    assert "&lt;b&gt;Pro&lt;/b&gt;" in labels
    assert "<b>Pro</b>" not in labels


def test_an_unreadable_saved_document_is_reported_and_a_new_save_replaces_it(app_data_dir):
    project_id = project_without_assumptions(app_data_dir)
    store = store_of(app_data_dir)
    document = assumptions_to_dict(default_assumptions(canvas_from_dict(EXAMPLE_CANVAS)))
    store.save(project_id, KIND, document | {"horizon_months": 0}, None, "hand-edited")

    at = open_page(project_id)
    assert any("Horizon 0 months is outside" in e.value.replace("\\", "") for e in at.error)
    submit(at, "Save assumptions")

    assert "Saved the financial assumptions as version 2" in texts(at)


def test_a_removed_scenario_leaves_the_comparison_and_base_cannot_be_removed(app_data_dir):
    at = open_page()
    widget(at.selectbox, "_drop_scenario").set_value("pessimistic")
    submit(at, "Remove scenario")
    at.run()

    assert list(at.dataframe[-2].value["Scenario"]) == ["base", "optimistic"]
    assert widget(at.selectbox, "_drop_scenario").options == ["optimistic"]


def test_the_financial_model_opens_from_the_app_navigation():
    at = open_app("pages/financials.py")

    assert at.title[-1].value == "Financial model"
    assert [m.label for m in at.metric][3:] == ["Runway today", "Break-even", "Cash runs out"]


def test_a_measured_run_card_fills_the_inference_cost_from_its_throughput(app_data_dir):
    # 250 requests/s on a $0.90/hour machine: 0.90 / (250 x 3,600) = $0.000001 a request, $0.001 per 1,000.
    run = app_data_dir / "runs" / "run-abc"
    run.mkdir(parents=True)
    (run / "run_card.json").write_text(json.dumps({
        "run_id": "run-abc", "task": "text", "project_id": 1,  # the example project's run
        "model": {"name": "support-ticket MiniLM", "parameters": 22_713_216},
        "throughput": {"samples_per_s": 250.0, "device": "cpu"}, "size_bytes": 90_000_000, "latency_ms_p50": 4.0}))
    at = open_page()
    widget(at.selectbox, "_run_id").set_value("run-abc")
    widget(at.number_input, "_run_usd_per_hour").set_value(0.90)
    submit(at, "Use the measured figure")

    assert widget(at.number_input, "_cost_1k").value == pytest.approx(0.001)
    assert any("measured by run run-abc" in c.value.replace("\\", "") for c in at.caption)


def test_a_run_card_without_a_machine_price_is_refused_with_the_reason(app_data_dir):
    run = app_data_dir / "runs" / "run-xyz"
    run.mkdir(parents=True)
    (run / "run_card.json").write_text(json.dumps({
        "run_id": "run-xyz", "task": "text", "project_id": 1, "model": {"name": "MiniLM", "parameters": 22_713_216},
        "throughput": {"samples_per_s": 100.0}}))
    at = open_page()
    submit(at, "Use the measured figure")

    assert any("machine price per hour is empty" in e.value for e in at.error)


# -- what the model computes, said on the page (issue 11) ---------------------------------------------

def project_with(app_data_dir, stream: dict, **assumptions) -> int:
    """A project whose canvas holds one stream (saved as given, even with terms the forms now refuse)."""
    store = store_of(app_data_dir)
    project = store.create_project("Issue 11")
    canvas = a_canvas(stream)
    document = canvas_to_dict(canvas)
    document["revenue_streams"][0].update(stream)
    store.save(project.id, "canvas", document, None)
    save_assumptions(store, project.id, assumptions_for(canvas, **assumptions), None, "test assumptions")
    return project.id


CHURNING = dict(segments=[a_segment(starting=10, new=0, churn="0.20", cac=0)], hosting=0, team=500, cost_1k=0,
                cash=1000, horizon=24)


def test_runway_break_even_and_cash_out_agree_and_each_has_its_definition_beneath_it(app_data_dir):
    at = open_page(project_with(app_data_dir, a_subscription(price="100"), **CHURNING))
    shown = {m.label: m.value for m in at.metric}
    captions = [c.value.replace("\\", "") for c in at.caption]

    assert [shown[k] for k in ("Runway today", "Break-even", "Cash runs out")] == [
        "8.8 months", "not in 24 months", "month 9"]
    assert any(c.startswith("How long the cash lasts in this projection") for c in captions)
    assert any(c.startswith("First month from which revenue covers all costs") for c in captions)
    assert any(c.startswith("First month the cash at month end goes below zero") for c in captions)
    assert "infinite" not in " ".join(shown.values())


def test_customers_are_shown_as_whole_customers_and_the_page_says_why(app_data_dir):
    at = open_page(project_with(app_data_dir, a_subscription(price="100"), **CHURNING))
    monthly, comparison = at.dataframe[-1].value, at.dataframe[-2].value

    assert list(monthly["customers"][:5]) == ["8", "6", "5", "4", "3"]  # 8, 6.4, 5.12, 4.096, 3.2768
    assert list(comparison["Customers at the end"]) == ["0"]
    assert any("shown as whole customers" in c.value and "9.5" in c.value for c in at.caption)


def test_chart_titles_follow_the_scenario_shown(app_data_dir):
    at = open_page()
    at.session_state["fin_scenario_shown"] = "optimistic"
    at.run()

    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(titles) == 4 and all("(optimistic scenario)" in t for t in titles), titles


def test_a_saved_subscription_with_overage_terms_is_refused_with_how_to_fix_it(app_data_dir):
    terms = a_subscription(price="100", included_usage="1000", overage_price_usd="0.01")
    at = open_page(project_with(app_data_dir, terms, usage={"average": (1, 5000)}))

    assert any("'Pro' is a subscription" in e.value and "hybrid" in e.value for e in at.error)
    assert not at.metric


def test_the_revenue_stream_form_refuses_overage_terms_on_a_subscription(app_data_dir):
    at = AppTest.from_file(str(ROOT / "pages" / "revenue_streams.py"), default_timeout=60).run()
    for field, text in (("name", "API plan"), ("price_usd", "100"), ("unit", "team"), ("included_usage", "1000"),
                        ("overage_price_usd", "0.01")):
        widget(at.text_input, f"New_{field}").set_value(text)
    widget(at.selectbox, "_segment").set_value("Growing SaaS support teams")
    submit(at, "Save revenue stream")

    assert any("'API plan' is a subscription" in e.value and "would not be billed" in e.value for e in at.error)
    assert "API plan" not in at.dataframe[0].value["Name"].tolist()


def test_a_billion_customers_at_a_hundred_million_dollars_a_request_get_a_clear_message(app_data_dir):
    api = dict(name="API", segment="Startups", stream_type="usage-based", price_usd="100000000", unit="request",
               billing_period="month")
    at = open_page(project_with(app_data_dir, api, segments=[a_segment(starting=10 ** 9, new=0)],
                                usage={"average": (1, 1000)}, scenarios=(make_scenario("base"),)))

    assert any("would be more than $1,000,000,000,000,000" in e.value.replace("\\", "") for e in at.error)



def test_a_cost_typed_by_hand_is_saved_as_entered_by_you_and_every_page_says_so(app_data_dir):
    at = open_page()
    widget(at.number_input, "_cost_1k").set_value(5.0)
    days = {date.today().isoformat()}
    submit(at, "Save assumptions")
    at.run()
    days.add(date.today().isoformat())  # a save across midnight is dated either day

    saved = store_of(app_data_dir).load_latest(1, KIND).payload["cost_per_request"]
    assert saved["provenance"]["kind"] == "typed" and saved["provenance"]["on"] in days
    page = texts(at).replace("\\", "")
    assert any(f"$5.00 per 1,000 requests (entered by you on {day})" in page for day in days)
    assert "cost estimator, MiniLM-L6" not in page
    investor = AppTest.from_file(str(ROOT / "pages" / "investor.py"), default_timeout=60).run()
    assert not investor.exception, investor.exception
    shown = texts(investor).replace("\\", "")
    assert any(f"$5.00 per 1,000 predictions (entered by you on {day}" in shown for day in days)
    [tile] = [m for m in investor.metric if m.label == "Cost to serve"]
    assert tile.value == "$5.00 per 1K" and "entered by you" in tile.help.replace("\\", "")


def test_a_cost_left_alone_keeps_its_estimate_when_other_assumptions_are_saved(app_data_dir):
    at = open_page()
    widget(at.number_input, "_seg_0_churn").set_value(4.0)
    submit(at, "Save assumptions")

    saved = store_of(app_data_dir).load_latest(1, KIND).payload["cost_per_request"]
    assert saved["provenance"]["kind"] == "estimated"
    assert "MiniLM-L6" in json.dumps(saved["provenance"])


def test_saving_unchanged_assumptions_adds_no_version_and_says_so_in_plain_words(app_data_dir):
    at = open_page()
    before = store_of(app_data_dir).load_latest(1, KIND).number

    submit(at, "Save assumptions")

    assert store_of(app_data_dir).load_latest(1, KIND).number == before
    [note] = [i.value for i in at.info if "Nothing changed" in i.value]
    assert "\\\\" not in note  # escaped once for Markdown, not twice (which would show backslashes)
