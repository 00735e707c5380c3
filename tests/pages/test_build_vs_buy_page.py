"""The Costs page's "Compare with an API" question (AppTest): workload, options, break-evens, use an option
in the financial model, and the founder's API prices saved with the project."""
from __future__ import annotations

import json
from decimal import Decimal

from business.costs.api_catalog import API_OVERRIDE_KIND
from business.financials.storage import load_assumptions
from business.store import Store
from tests.apptest_helpers import open_app, submit, texts, widget

RUN_CARD = {"task": "text", "model": {"name": "all-MiniLM-L6-v2 (fine-tuned)", "parameters": 22_714_371},
            "throughput": {"samples_per_s": 250.0, "device": "cpu"}, "project_id": 1}


def open_costs():
    at = open_app("pages/costs.py")
    questions = [r for r in at.radio if r.key == "costs_question"]
    if questions:  # the question-led Costs page (issue 12): ask this question
        questions[0].set_value("api").run()
    return at


def compare_with(at, **numbers):
    for name, value in numbers.items():
        widget(at.number_input, f"bvb_{name}").set_value(value)
    return submit(at, "Compare")


def cheapest(at) -> str:
    [metric] = [m for m in at.metric if m.label.startswith("Cheapest at")]
    return f"{metric.label}: {metric.value} ({metric.help})".replace("\\", "")  # help is escaped Markdown


def save_api_price(at, model: str, usd_in: float, usd_out: float):
    at.text_input(key="bvb_price_provider").set_value("OpenAI")
    at.text_input(key="bvb_price_model").set_value(model)
    widget(at.number_input, "bvb_price_usd_per_1m_input").set_value(usd_in)
    widget(at.number_input, "bvb_price_usd_per_1m_output").set_value(usd_out)
    return submit(at, "Save my API price")


def test_the_question_opens_with_apis_and_an_open_model_compared_and_break_evens_said():
    at = open_costs()

    assert not at.error
    assert "Cheapest at 1,000,000 requests a month" in cheapest(at)
    page = texts(at)
    assert "costs less than OpenAI GPT\\-5\\.4 Mini from" in page
    assert "The open model is priced by the" in page  # which serving estimate, said beside the figure
    assert any("stale" in e.label for e in at.expander if e.label.startswith("API price catalog"))


def test_at_a_small_volume_an_api_is_cheapest_and_at_a_large_one_the_served_model_is():
    small = cheapest(compare_with(open_costs(), requests=1_000))
    large = cheapest(compare_with(open_costs(), requests=100_000_000))

    assert "published: API price" in small
    assert "estimated" in large and "published" not in large


def test_use_this_option_puts_its_cost_and_source_into_the_financial_model_which_saves_them(app_data_dir):
    at = compare_with(open_costs(), requests=1_000)
    at.selectbox(key="bvb_choice").set_value("Google Gemini 3.5 Flash-Lite")
    at.button(key="bvb_use").click().run()

    # 1,000 in × $0.30/1M + 200 out × $2.50/1M = $0.0008 a request = $0.800 per 1,000 (as the Costs page writes it)
    assert "Put into the financial model's form: $0.800 per 1,000 requests (published: API price, Google" in texts(
        at).replace("\\", "")
    at.switch_page("pages/financials.py").run()
    assert not at.exception
    [cost] = [n for n in at.number_input if n.key and n.key.endswith("cost_1k")]
    assert cost.value == 0.8
    submit(at, "Save assumptions")
    saved, _ = load_assumptions(Store(app_data_dir / "founder.db"), 1)
    assert saved.cost_per_request.usd_per_1k_requests == Decimal("0.8")
    assert saved.cost_per_request.provenance.kind == "published"
    assert saved.cost_per_request.provenance.on.isoformat() == "2026-10-07"  # the date the price was seen


def test_the_financial_model_says_a_used_option_waits_unsaved_in_its_open_form_until_saved(app_data_dir):
    at = compare_with(open_costs(), requests=1_000)
    at.selectbox(key="bvb_choice").set_value("Google Gemini 3.5 Flash-Lite")
    at.button(key="bvb_use").click().run()
    at.switch_page("pages/financials.py").run()

    waiting = [i.value.replace("\\", "") for i in at.info if "Waiting in the assumptions form" in i.value]
    assert waiting and "not saved yet: $0.800 per 1,000 requests (published: API price, Google" in waiting[0]
    assert [e for e in at.expander if e.label.startswith("Assumptions")][0].proto.expanded
    submit(at, "Save assumptions")
    assert not [i for i in at.info if "Waiting in the assumptions form" in i.value]


def test_a_founder_api_price_is_saved_with_the_project_and_used_after_a_reload(app_data_dir):
    at = save_api_price(open_costs(), "GPT-5.4 Mini", 0.01, 0.02)
    assert "Saved your API prices as version 1" in texts(at)

    stored = Store(app_data_dir / "founder.db").load_latest(1, API_OVERRIDE_KIND).payload
    assert stored["rows"][0]["usd_per_1m_input"] == "0.01"
    again = compare_with(open_costs(), requests=100_000_000)
    assert "OpenAI GPT-5.4 Mini" in cheapest(again) and "entered by you" in cheapest(again)


def test_a_price_typed_per_thousand_tokens_by_mistake_is_refused_and_nothing_saved(app_data_dir):
    at = save_api_price(open_costs(), "GPT-5.4 Mini", 2500.0, 1.0)

    assert "check the units" in " ".join(e.value for e in at.error)
    assert Store(app_data_dir / "founder.db").load_latest(1, API_OVERRIDE_KIND) is None


def test_a_measured_run_is_compared_at_its_machine_price_and_says_which_run(app_data_dir):
    run = app_data_dir / "runs" / "run-1"
    run.mkdir(parents=True)
    (run / "run_card.json").write_text(json.dumps(RUN_CARD))
    at = open_costs()
    at.selectbox(key="bvb_run_id").set_value("run-1")
    widget(at.number_input, "bvb_usd_per_hour").set_value(1.0)
    compare_with(at, requests=1_000_000)

    assert not at.error
    assert "all\\-MiniLM\\-L6\\-v2 \\(fine\\-tuned\\) \\(run run\\-1\\) costs less than" in texts(at)
    frame = at.dataframe[[i for i, d in enumerate(at.dataframe) if "option" in d.value.columns][0]].value
    row = frame[frame["kind"] == "your measured model"].iloc[0]
    assert Decimal(str(row["monthly_usd"])) == Decimal("730.0")  # $1/hour × 730 h: the floor binds
    assert row["source"].startswith("measured by run run-1")


def test_unreadable_saved_api_prices_are_reported_and_the_shipped_catalog_still_compares(app_data_dir):
    open_costs()  # seeds the example project
    Store(app_data_dir / "founder.db").save(1, API_OVERRIDE_KIND, {"rows": [{"provider": "OpenAI"}]}, None)
    at = open_costs()

    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "Your saved API prices could not be used (The saved API prices cannot be read: rows[0].model" in errors
    assert "OpenAI GPT-5.4 Mini" in at.multiselect(key="bvb_apis").value and "Cheapest at" in cheapest(at)
