"""Financial assumptions: bad input gives a clear error; saved documents round-trip and are re-checked."""
from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from business.canvas.model import Canvas, make_item, make_revenue_stream, with_block
from business.financials.projection import project
from business.financials.assumptions import (
    AmountError,
    FundingError,
    HorizonError,
    NoRevenueStreamsError,
    RateError,
    ScenarioError,
    UnknownNameError,
    make_assumptions,
    make_cost_per_request,
    make_funding_event,
    make_horizon,
    make_scenario,
    make_segment_plan,
    make_stream_plan,
)
from business.financials.storage import (
    AssumptionsDocumentError,
    assumptions_from_dict,
    assumptions_to_dict,
    default_assumptions,
    fit_to_canvas,
    load_assumptions,
    requests_per_unit_from_text,
    save_assumptions,
)
from business.provenance import typed
from business.store import StaleSaveError, Store


def a_canvas(*stream_names: str, segments=("Startups", "Agencies")) -> Canvas:
    canvas = with_block(Canvas(), "customer_segments", [make_item(s) for s in segments])
    streams = tuple(make_revenue_stream(canvas, name=name, segment=segments[i % len(segments)],
                                        stream_type="subscription", price_usd="30", unit="seat",
                                        billing_period="month") for i, name in enumerate(stream_names))
    return replace(canvas, revenue_streams=streams)


def a_segment(**changes):
    fields = dict(starting_customers=10, new_customers_per_month=1, monthly_churn="0.05", cac_usd=100) | changes
    return make_segment_plan("Startups", **fields)


# -- bad input -----------------------------------------------------------------------------------------

def test_negative_churn_is_refused_with_the_value_in_the_message():
    with pytest.raises(RateError, match=r"monthly churn -5 % is negative"):
        a_segment(monthly_churn="-0.05")


def test_churn_over_a_hundred_percent_is_refused():
    with pytest.raises(RateError, match=r"monthly churn 150 % is over 100 %"):
        a_segment(monthly_churn="1.5")


def test_a_scenario_that_pushes_churn_over_a_hundred_percent_is_refused_when_projected():
    canvas = a_canvas("Pro")
    assumptions = replace(default_assumptions(canvas), segments=(a_segment(monthly_churn="0.2"),),
                          scenarios=(make_scenario("base", churn_factor=10),))

    with pytest.raises(RateError, match=r"Scenario 'base' multiplies the churn of segment 'Startups'"):
        project(canvas.revenue_streams, assumptions)


def test_a_canvas_without_revenue_streams_cannot_be_projected():
    canvas = a_canvas("Pro")
    assumptions = default_assumptions(canvas)

    with pytest.raises(NoRevenueStreamsError, match="no revenue streams"):
        project((), assumptions)


@pytest.mark.parametrize("months, message", [
    (0, r"Horizon 0 months is outside 1 to 120 months"),
    (12_000, r"Horizon 12,000 months is outside"),  # 1,000 years
    ("1.5", r"not a whole number"),
])
def test_a_horizon_of_zero_or_a_thousand_years_is_refused(months, message):
    with pytest.raises(HorizonError, match=message):
        make_horizon(months)


@pytest.mark.parametrize("value, message", [
    ("abc", r"'abc' is not a number"), ("nan", r"is not a finite number"), ("", r"is empty"), (None, r"is empty"),
])
def test_a_value_that_is_not_a_number_says_so(value, message):
    with pytest.raises(AmountError, match=message):
        a_segment(cac_usd=value)


def test_a_negative_amount_is_refused():
    with pytest.raises(AmountError, match=r"acquisition cost -1 is negative"):
        a_segment(cac_usd=-1)


def test_usage_shares_that_do_not_add_up_to_a_hundred_percent_are_refused():
    with pytest.raises(RateError, match=r"add up to 90 %, not 100 %"):
        make_stream_plan("Pro", usage={"light": ("0.5", 10), "power": ("0.4", 100)})


def test_an_unknown_usage_cohort_is_refused():
    with pytest.raises(RateError, match=r"unknown usage cohort\(s\) heavy"):
        make_stream_plan("Pro", usage={"heavy": (1, 10)})


def test_zero_requests_per_billed_unit_is_refused():
    with pytest.raises(AmountError, match=r"requests per billed unit 0 must be above 0"):
        make_stream_plan("Pro", requests_per_billed_unit=0, usage={"average": (1, 10)})


def test_funding_after_the_horizon_is_refused():
    canvas = a_canvas("Pro")
    defaults = assumptions_to_dict(default_assumptions(canvas))
    defaults["funding"] = [{"month": 30, "amount_usd": "1000000", "label": "Series A"}]

    with pytest.raises(AssumptionsDocumentError, match=r"Funding 'Series A' in month 30 is after the 24-month"):
        assumptions_from_dict(defaults)


def test_a_funding_month_must_be_a_whole_month_of_one_or_more():
    with pytest.raises(FundingError, match=r"Funding month 0 is not a month number"):
        make_funding_event(0, 1000)


def test_assumptions_without_a_base_scenario_are_refused():
    canvas = a_canvas("Pro")
    defaults = assumptions_to_dict(default_assumptions(canvas))
    defaults["scenarios"] = [s for s in defaults["scenarios"] if s["name"] != "base"]

    with pytest.raises(AssumptionsDocumentError, match=r"There is no 'base' scenario"):
        assumptions_from_dict(defaults)


def test_two_scenarios_with_the_same_name_are_refused():
    with pytest.raises(UnknownNameError, match=r"scenario 'base' appears twice"):
        make_assumptions(horizon_months=12, segments=[], streams=[], cost_per_request=make_cost_per_request(1, typed(None)),
                         hosting_usd_per_month=0, team_usd_per_month=0, other_opex_usd_per_month=0,
                         starting_cash_usd=0, scenarios=[make_scenario("base"), make_scenario("Base")])


def test_a_scenario_factor_outside_its_range_is_refused():
    with pytest.raises(AmountError, match=r"Scenario 'wild': price factor ×11 is outside 0 to ×10"):
        make_scenario("wild", price_factor=11)
    with pytest.raises(ScenarioError, match="Scenario name is empty"):
        make_scenario("  ")


def test_a_stream_on_the_canvas_without_assumptions_is_named():
    canvas = a_canvas("Pro", "Team")
    only_pro = replace(default_assumptions(canvas), streams=default_assumptions(a_canvas("Pro")).streams)

    with pytest.raises(UnknownNameError, match=r"Revenue stream 'Team' has no usage assumptions"):
        project(canvas.revenue_streams, only_pro)


# -- documents and the store ---------------------------------------------------------------------------

def test_assumptions_round_trip_through_json_unchanged():
    assumptions = default_assumptions(a_canvas("Pro", "Team"))
    assumptions = replace(assumptions, funding=(make_funding_event(3, "250000.50", "pre-seed"),))

    text = json.dumps(assumptions_to_dict(assumptions))

    assert assumptions_from_dict(json.loads(text)) == assumptions


def test_a_tampered_document_is_refused_with_the_reason():
    document = assumptions_to_dict(default_assumptions(a_canvas("Pro")))
    document["segments"][0]["monthly_churn"] = "2"

    with pytest.raises(AssumptionsDocumentError, match=r"Segment 'Startups': monthly churn 200 % is over 100 %"):
        assumptions_from_dict(document)


def test_a_document_from_another_schema_version_is_refused():
    with pytest.raises(AssumptionsDocumentError, match=r"schema version 99"):
        assumptions_from_dict({"schema_version": 99})


def test_saved_assumptions_load_back_as_the_latest_version(tmp_path):
    store = Store(tmp_path / "app.db")
    project_id = store.create_project("Acme AI").id
    assumptions = default_assumptions(a_canvas("Pro"))

    first = save_assumptions(store, project_id, assumptions, None, "first")
    second = save_assumptions(store, project_id, replace(assumptions, horizon_months=36), first)

    loaded, number = load_assumptions(store, project_id)
    assert (number, loaded.horizon_months) == (second, 36)


def test_a_save_from_a_stale_version_is_refused_and_keeps_the_newer_one(tmp_path):
    store = Store(tmp_path / "app.db")
    project_id = store.create_project("Acme AI").id
    assumptions = default_assumptions(a_canvas("Pro"))
    first = save_assumptions(store, project_id, assumptions, None)
    save_assumptions(store, project_id, replace(assumptions, horizon_months=12), first)

    with pytest.raises(StaleSaveError):
        save_assumptions(store, project_id, replace(assumptions, horizon_months=48), first)
    assert load_assumptions(store, project_id)[0].horizon_months == 12


def test_a_project_without_saved_assumptions_loads_nothing(tmp_path):
    store = Store(tmp_path / "app.db")

    assert load_assumptions(store, store.create_project("Empty").id) == (None, None)


def test_fitting_to_the_canvas_adds_new_streams_and_drops_removed_ones_and_says_so():
    old = default_assumptions(a_canvas("Pro", "Team"))
    canvas = a_canvas("Pro", "API", segments=("Startups", "Developers"))

    fitted, notes = fit_to_canvas(old, canvas)

    assert [p.stream for p in fitted.streams] == ["Pro", "API"]
    assert [p.segment for p in fitted.segments] == ["Startups", "Developers"]
    assert any("'Team'" in n and "no longer on the canvas" in n for n in notes)
    assert any("'API' is new" in n for n in notes)
    assert any("'Agencies'" in n for n in notes)
    project(canvas.revenue_streams, fitted)  # fits: no error


def test_fitting_assumptions_that_already_match_changes_nothing():
    canvas = a_canvas("Pro", "Team")
    assumptions = default_assumptions(canvas)

    assert fit_to_canvas(assumptions, canvas) == (assumptions, [])


def test_default_assumptions_keep_one_stream_plan_per_stream_and_a_base_scenario():
    assumptions = default_assumptions(a_canvas("Pro", "Team", "API"))

    assert [p.stream for p in assumptions.streams] == ["Pro", "Team", "API"]
    assert assumptions.scenario("base").price_factor == Decimal(1)


def test_streams_sharing_a_segment_split_its_customers_by_default():
    assumptions = default_assumptions(a_canvas("Pro", "Team", "API"))  # Pro and API share "Startups"

    shares = {p.stream: p.share_of_segment for p in assumptions.streams}
    assert shares["Pro"] == shares["API"] == Decimal(1) / 2
    assert shares["Team"] == 1


@pytest.mark.parametrize("unit, requests", [
    ("1,000 tickets", 1000), ("10k calls", 10_000), ("seat", 1), ("1M tokens", 1), ("0 things", 1),
])
def test_requests_per_billed_unit_are_guessed_from_a_number_in_the_unit(unit, requests):
    assert requests_per_unit_from_text(unit) == requests
