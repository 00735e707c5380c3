"""Rounding at the edge (lifetime value, plan averages) and extreme but valid inputs that get a message."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from business.financials.assumptions import FinancialsError, Scenario
from business.financials.headlines import headline_figures
from business.financials.projection import OutOfRangeError, project
from business.financials.report import PLAN_AVERAGE, cohort_margins, monthly_csv, run_model, unit_economics
from tests.financial_builders import D, a_canvas, a_segment, a_subscription, assumptions_for

# Light 100 requests ($0.10 of inference), average 333 ($0.333), power 1,000 ($1.00), at $1 per 1,000 requests.
SPREAD = {"light": ("0.5", 100), "average": ("0.4", 333), "power": ("0.1", 1000)}


def an_api(price: str, unit: str = "request") -> dict:
    return dict(name="API", segment="Startups", stream_type="usage-based", price_usd=price, unit=unit,
                billing_period="month")


def test_lifetime_value_divides_the_exact_contribution_by_churn_and_rounds_once():
    # Average inference 0.5 x 0.10 + 0.4 x 0.333 + 0.1 x 1.00 = $0.2832, so a $10 plan contributes $9.7168
    # a month; at 0.1 % churn that is $9,716.80. Rounding each cohort's margin to cents first ($9.90,
    # $9.67, $9.00 -> $9.718) would have said $9,718.00: an error that grows as 1 / churn.
    canvas = a_canvas(a_subscription(price="10"))
    assumptions = assumptions_for(canvas, usage=SPREAD, cost_1k=1, segments=[a_segment(churn="0.001", cac=100)])
    economics, = unit_economics(canvas.revenue_streams, assumptions, Scenario("base"))

    assert economics.ltv_usd == D("9716.80")
    assert economics.contribution_per_month_usd == D("9.72")
    assert economics.cac_payback_months == D("10.3")  # 100 / 9.7168 = 10.29...


def test_the_plan_average_margin_comes_from_exact_cohort_figures():
    canvas = a_canvas(a_subscription(price="10"))
    assumptions = assumptions_for(canvas, usage=SPREAD, cost_1k=1)
    average, = [m for m in cohort_margins(canvas.revenue_streams, assumptions, Scenario("base")) if
                m.cohort == PLAN_AVERAGE]

    assert (average.inference_cost_usd, average.margin_usd) == (D("0.28"), D("9.72"))
    assert average.margin == D("0.9717")  # 9.7168 / 10, not 9.718 / 10


def test_a_billion_customers_at_a_hundred_million_dollars_a_request_get_a_message_not_a_decimal_error():
    canvas = a_canvas(an_api("100000000"))
    huge = assumptions_for(canvas, segments=[a_segment(starting=1_000_000_000, new=0, churn=0)],
                           usage={"average": (1, 1000)})

    with pytest.raises(OutOfRangeError, match=r"Month 1 \('base' scenario\): revenue of stream 'API' would be "
                                              r"more than \$1,000,000,000,000,000"):
        run_model(canvas.revenue_streams, huge)


def test_an_inference_bill_beyond_the_models_range_names_the_inference_cost():
    canvas = a_canvas(a_subscription(price="10"))
    huge = assumptions_for(canvas, segments=[a_segment(starting=1_000_000_000, new=0, churn=0)],
                           usage={"average": (1, 1_000_000)}, cost_1k="1000000000")

    with pytest.raises(OutOfRangeError, match="inference cost would be more than"):
        project(canvas.revenue_streams, huge)


def test_a_margin_of_many_digits_is_still_a_number():
    # One request a month at $0.000001 per trillion requests, served at $1,000,000,000 a request: revenue
    # 1e-18 against a cost of 1e9, a margin of about -1e27 (Decimal's 28 digits could not round it).
    canvas = a_canvas(an_api("0.000001"))
    assumptions = assumptions_for(canvas, usage={"average": (1, 1)}, per_unit=10 ** 12, cost_1k=10 ** 12)
    average = cohort_margins(canvas.revenue_streams, assumptions, Scenario("base"))[-1]

    assert average.margin < -10 ** 26


def test_a_lifetime_value_beyond_the_models_range_names_the_segment():
    canvas = a_canvas(a_subscription(price="1000000000"))
    assumptions = assumptions_for(canvas, segments=[a_segment(churn="0.0000001")])

    with pytest.raises(OutOfRangeError, match="Segment 'Startups': lifetime value would be more than"):
        unit_economics(canvas.revenue_streams, assumptions, Scenario("base"))


def test_a_payback_beyond_a_hundred_years_reads_never():
    # $1,000,000 CAC paid back at $0.01 a month would take 100 million months.
    canvas = a_canvas(a_subscription(price="0.01"))
    assumptions = assumptions_for(canvas, cost_1k=0, segments=[a_segment(cac=1_000_000)])
    economics, = unit_economics(canvas.revenue_streams, assumptions, Scenario("base"))

    assert economics.cac_payback_months is None
    assert economics.describe_payback().startswith("never")


limits = dict(customers=st.sampled_from([0, 1, 10 ** 4, 10 ** 9]), price=st.sampled_from(["0", "0.000001", "1",
              "1000000000"]), per_unit=st.sampled_from([Decimal("0.000001"), 1, 10 ** 12]),
              requests=st.sampled_from([0, 1, 10 ** 6, 10 ** 12]), cost_1k=st.sampled_from([0, "0.000001", 10 ** 12]),
              churn=st.sampled_from([0, "0.0000001", "0.5", 1]))


@settings(max_examples=80, deadline=None)
@given(**limits)
def test_inputs_at_their_limits_give_a_projection_or_a_financials_message_never_another_error(
        customers, price, per_unit, requests, cost_1k, churn):
    canvas = a_canvas(an_api(price))
    assumptions = assumptions_for(canvas, segments=[a_segment(starting=customers, new=customers, churn=churn)],
                                  usage={"average": (1, requests)}, per_unit=per_unit, cost_1k=cost_1k, horizon=3)
    try:
        model = run_model(canvas.revenue_streams, assumptions)
    except FinancialsError:
        return
    assert monthly_csv(model.base)
    assert len(headline_figures(model.base)) == 6
