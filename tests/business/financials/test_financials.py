"""The financial projection: hand-computed small cases to the cent, invariants, reports, properties."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from business.financials.projection import cost_per_request, monthly_charge, project, runway
from business.financials.assumptions import Scenario, make_funding_event, make_scenario, make_stream_plan
from business.financials.report import (
    GROSS_MARGIN_BANDS,
    INFERENCE_SHARE_OF_REVENUE,
    PLAN_AVERAGE,
    band_position,
    cohort_margins,
    inference_share_note,
    monthly_csv,
    run_model,
    unit_economics,
)
from tests.financial_builders import ALL_AVERAGE, D, a_canvas, a_segment, a_subscription, assumptions_for

# -- hand-computed cases ------------------------------------------------------------------------------

def test_two_months_of_one_subscription_match_the_hand_computation_to_the_cent():
    # Month 1: 10 - 1 churned + 2 new = 11 customers x $50 = $550; 1,100 requests x $0.002 = $2.20;
    # burn = 2.20 + 100 hosting + 1,000 team + 2 x $30 CAC - 550 = $612.20; cash 10,000 - 612.20.
    # Month 2: 11 - 1.1 + 2 = 11.9 customers -> $595.00; 1,190 requests -> $2.38; burn $567.38.
    canvas = a_canvas(a_subscription())
    months = project(canvas.revenue_streams, assumptions_for(canvas)).months

    assert [m.customers for m in months] == [D("11"), D("11.9")]
    assert [m.revenue for m in months] == [D("550.00"), D("595.00")]
    assert [m.inference_cost for m in months] == [D("2.20"), D("2.38")]
    assert [m.cogs for m in months] == [D("102.20"), D("102.38")]
    assert [m.acquisition_cost for m in months] == [D("60.00"), D("60.00")]
    assert [m.net_burn for m in months] == [D("612.20"), D("567.38")]
    assert [m.cash_end for m in months] == [D("9387.80"), D("8820.42")]
    assert months[0].gross_margin == D("0.8142")  # 447.80 / 550
    assert months[1].arr == D("7140.00")


def test_usage_billing_and_every_cost_lever_match_the_hand_computation():
    # 2 light users (100 requests = 10 units x $0.50 = $5) and 2 power users (1,000 requests = $50): $110.
    # Cost per request $0.004 x routing 0.75 x cache 0.8 x batch 0.75 = $0.0018; 2,200 requests -> $3.96,
    # then 10 % cheaper in month 2: $3.564 -> $3.56.
    canvas = a_canvas(dict(name="API", segment="Startups", stream_type="usage-based", price_usd="0.50",
                           unit="10 requests", billing_period="month"))
    levers = make_scenario("base", routed_share="0.5", routed_cost_ratio="0.5", cache_hit_rate="0.2",
                           batch_share="0.5", batch_discount="0.5", monthly_inference_price_decline="0.1")
    assumptions = assumptions_for(canvas, segments=[a_segment(starting=4, new=0, churn=0)], per_unit=10,
                                  usage={"light": ("0.5", 100), "power": ("0.5", 1000)}, cost_1k=4,
                                  scenarios=(levers,))
    months = project(canvas.revenue_streams, assumptions).months

    assert [m.revenue for m in months] == [D("110.00"), D("110.00")]
    assert cost_per_request(assumptions, levers, 1) == D("0.0018")
    assert [m.inference_cost for m in months] == [D("3.96"), D("3.56")]


def test_a_hybrid_plan_charges_the_fee_plus_overage_beyond_the_included_units():
    canvas = a_canvas(dict(name="Team", segment="Startups", stream_type="hybrid", price_usd="20", unit="request",
                           billing_period="month", included_usage="100", overage_price_usd="0.10"))
    plan = make_stream_plan("Team", usage=ALL_AVERAGE)
    stream = canvas.revenue_streams[0]

    assert monthly_charge(stream, plan, D(250), D(1)) == D("35.00")
    assert monthly_charge(stream, plan, D(50), D(1)) == D("20")


def test_a_yearly_price_counts_as_a_twelfth_each_month():
    canvas = a_canvas(a_subscription(price="120", period="year"))
    assumptions = assumptions_for(canvas, segments=[a_segment(starting=3, new=0, churn=0)])

    assert project(canvas.revenue_streams, assumptions).months[0].mrr == D("30.00")


def test_a_one_off_fee_is_booked_when_customers_join_and_is_not_recurring():
    canvas = a_canvas(dict(name="Setup", segment="Startups", stream_type="licence", price_usd="300",
                           unit="install", billing_period="one-off"))
    assumptions = assumptions_for(canvas, segments=[a_segment(starting=5, new=3, churn=0)])
    first = project(canvas.revenue_streams, assumptions).months[0]

    assert first.one_off_revenue == D("900.00")
    assert first.mrr == D("0")
    assert first.revenue == D("900.00")


def test_funding_arrives_in_its_month():
    canvas = a_canvas(a_subscription())
    assumptions = assumptions_for(canvas, funding=[make_funding_event(2, 5000, "seed")])
    months = project(canvas.revenue_streams, assumptions).months

    assert [m.funding for m in months] == [D("0.00"), D("5000.00")]
    assert months[1].cash_end == D("9387.80") - D("567.38") + D("5000.00")


def test_break_even_is_the_first_month_revenue_covers_all_costs_and_cash_out_the_first_below_zero():
    # Month t has t customers at $100 against $250 of team cost: burn 150, 50, then -50 in month 3.
    canvas = a_canvas(a_subscription(price="100"))
    lean = dict(segments=[a_segment(starting=0, new=1, churn=0, cac=0)], hosting=0, team=250, cost_1k=0,
                horizon=4)

    saved = project(canvas.revenue_streams, assumptions_for(canvas, cash=300, **lean))
    short = project(canvas.revenue_streams, assumptions_for(canvas, cash=100, **lean))

    assert saved.break_even_month == 3
    assert saved.cash_out_month is None
    assert short.cash_out_month == 1


# -- invariants ----------------------------------------------------------------------------------------

def test_cash_is_starting_cash_plus_cumulative_funding_minus_burn_every_month():
    canvas = a_canvas(a_subscription())
    assumptions = assumptions_for(canvas, horizon=36, funding=[make_funding_event(7, "25000.55", "seed")])
    projection = project(canvas.revenue_streams, assumptions)

    for row in projection.months:
        booked = projection.months[:row.month]
        assert row.cash_end == D(10_000) + sum(m.funding - m.net_burn for m in booked)


def test_zero_churn_and_zero_new_customers_keep_customers_flat():
    canvas = a_canvas(a_subscription())
    assumptions = assumptions_for(canvas, horizon=24, segments=[a_segment(starting=17, new=0, churn=0)])

    assert {m.customers for m in project(canvas.revenue_streams, assumptions).months} == {D(17)}


def test_a_months_cash_cover_is_unbounded_only_without_burn_and_then_says_so():
    assert runway(D(1000), D(0)).is_infinite
    assert runway(D(1000), D(-5)).is_infinite
    assert "no burn this month" in runway(D(1000), D(-5)).describe()
    assert runway(D(1000), D("0.01")).months == D(100_000)
    assert runway(D(-50), D(10)).months == 0


# -- reports -------------------------------------------------------------------------------------------

def test_a_plan_profitable_on_average_loses_money_on_its_power_users():
    # $20 plan, $0.01 per request: light 200 requests ($2), average 1,000 ($10), power 5,000 ($50).
    canvas = a_canvas(a_subscription(price="20"))
    usage = {"light": ("0.5", 200), "average": ("0.4", 1000), "power": ("0.1", 5000)}
    assumptions = assumptions_for(canvas, usage=usage, cost_1k=10)
    margins = {m.cohort: m for m in cohort_margins(canvas.revenue_streams, assumptions, Scenario("base"))}

    assert margins["power"].margin_usd == D("-30.00")
    assert margins["power"].margin == D("-1.5")
    assert margins["light"].margin_usd == D("18.00")
    assert margins[PLAN_AVERAGE].inference_cost_usd == D("10.00")  # 1,000 requests on average
    assert margins[PLAN_AVERAGE].margin == D("0.5")


def test_lifetime_value_is_contribution_over_churn_and_payback_is_cac_over_contribution():
    canvas = a_canvas(a_subscription(price="20"))
    assumptions = assumptions_for(canvas, usage={"average": (1, 1000)}, cost_1k=10,
                                  segments=[a_segment(churn="0.05", cac=50)])
    economics, = unit_economics(canvas.revenue_streams, assumptions, Scenario("base"))

    assert economics.contribution_per_month_usd == D("10.00")
    assert economics.ltv_usd == D("200.00")
    assert economics.cac_payback_months == D("5.0")


def test_without_churn_lifetime_value_is_unbounded_and_says_why():
    canvas = a_canvas(a_subscription())
    assumptions = assumptions_for(canvas, segments=[a_segment(churn=0)])
    economics, = unit_economics(canvas.revenue_streams, assumptions, Scenario("base"))

    assert economics.ltv_usd is None
    assert "0 % churn" in economics.describe_ltv()


def test_a_customer_who_loses_money_never_pays_back_acquisition():
    canvas = a_canvas(a_subscription(price="1"))
    assumptions = assumptions_for(canvas, usage={"average": (1, 1000)}, cost_1k=10)
    economics, = unit_economics(canvas.revenue_streams, assumptions, Scenario("base"))

    assert economics.cac_payback_months is None
    assert economics.describe_payback().startswith("never")


def test_scenarios_are_compared_side_by_side_in_their_given_order():
    canvas = a_canvas(a_subscription())
    scenarios = (make_scenario("pessimistic", new_customers_factor="0.5", churn_factor=2), Scenario("base"),
                 make_scenario("Series A push", new_customers_factor=3))
    model = run_model(canvas.revenue_streams, assumptions_for(canvas, horizon=12, scenarios=scenarios))
    ends = {s.name: s.customers_end for s in model.comparison}

    assert [s.name for s in model.comparison] == ["pessimistic", "base", "Series A push"]
    assert ends["pessimistic"] < ends["base"] < ends["Series A push"]
    assert model.base.scenario.name == "base"


def test_the_gross_margin_is_placed_against_the_published_bands_with_their_source():
    ai, saas = GROSS_MARGIN_BANDS

    assert "below the AI companies band" in band_position(D("0.30"))
    assert "within the AI companies band" in band_position(D("0.55"))
    assert "within the SaaS band" in band_position(D("0.70"))
    assert ai.source in band_position(D("0.70")) and "a16z" in saas.source
    assert band_position(None) == "no revenue yet, so no gross margin"


def test_the_monthly_csv_has_a_header_with_units_one_line_per_month_and_no_nan():
    canvas = a_canvas(a_subscription())
    assumptions = assumptions_for(canvas, horizon=6, segments=[a_segment(starting=0, new=0)])
    text = monthly_csv(project(canvas.revenue_streams, assumptions))
    header, *lines = text.strip().split("\n")

    assert "revenue: Pro (USD)" in header and "cash at month end (USD)" in header
    assert len(lines) == 6
    assert "nan" not in text.lower() and "none" not in text.lower()


# -- properties ----------------------------------------------------------------------------------------

rates = st.decimals(min_value=0, max_value=1, places=3)
money = st.decimals(min_value=0, max_value=100_000, places=2)


@settings(max_examples=40, deadline=None)
@given(price=money, starting=st.integers(0, 500), new=st.integers(0, 50), churn=rates, growth=rates,
       cost_1k=st.decimals(min_value=0, max_value=50, places=2), cash=money, horizon=st.integers(1, 36),
       decline=rates, cache=rates)
def test_any_projection_keeps_the_books_consistent(price, starting, new, churn, growth, cost_1k, cash, horizon,
                                                   decline, cache):
    canvas = a_canvas(a_subscription(price=str(price)))
    growth = min(growth, D("0.2"))  # keeps customers below the model's compounding limit over 36 months
    base = make_scenario("base", monthly_inference_price_decline=decline, cache_hit_rate=cache)
    assumptions = assumptions_for(canvas, horizon=horizon, cost_1k=cost_1k, cash=cash, scenarios=(base,),
                                  segments=[a_segment(starting=starting, new=new, growth=growth, churn=churn)])
    projection = project(canvas.revenue_streams, assumptions)

    running_cash = D(cash)
    for row in projection.months:
        running_cash += row.funding - row.net_burn
        assert row.cash_end == running_cash
        assert row.customers >= 0 and row.revenue >= 0 and row.inference_cost >= 0
        assert row.gross_margin is None or row.gross_margin <= 1
        assert row.runway.is_infinite == (row.net_burn <= 0)
        assert row.gross_profit == row.revenue - row.cogs


def test_no_csv_cell_starts_like_a_spreadsheet_formula_even_for_a_formula_like_stream_name():
    canvas = a_canvas(a_subscription(name="=HYPERLINK(\"http://x\")"))
    text = monthly_csv(project(canvas.revenue_streams, assumptions_for(canvas, horizon=3)))
    rows = list(csv.reader(io.StringIO(text)))

    assert any("HYPERLINK" in column for column in rows[0])
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "@")]


def test_the_inference_share_of_revenue_is_shown_beside_the_published_figure():
    # Month 1 of the two-month case: $2.20 of inference on $550 of revenue = 0.4 %.
    canvas = a_canvas(a_subscription())
    first = project(canvas.revenue_streams, assumptions_for(canvas)).months[0]
    nothing = project(canvas.revenue_streams, assumptions_for(canvas, segments=[a_segment(starting=0, new=0)]))

    assert inference_share_note(first).startswith("inference is 0.4% of revenue in month 1")
    assert INFERENCE_SHARE_OF_REVENUE.source in inference_share_note(first)
    assert inference_share_note(nothing.months[0]).startswith("no revenue in month 1")


def test_a_price_that_falls_100_percent_a_month_costs_full_price_in_month_one_and_nothing_after():
    from business.financials.projection import cost_per_request
    from business.financials.assumptions import make_scenario
    from business.financials.storage import default_assumptions
    from business.canvas.json_io import canvas_from_dict
    from business.example_project import EXAMPLE_CANVAS

    assumptions = default_assumptions(canvas_from_dict(EXAMPLE_CANVAS))
    scenario = make_scenario("crash", monthly_inference_price_decline=1)
    full = assumptions.cost_per_request.usd_per_1k_requests / 1000
    assert cost_per_request(assumptions, scenario, 1) == full
    assert cost_per_request(assumptions, scenario, 2) == 0
