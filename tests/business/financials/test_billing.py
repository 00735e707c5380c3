"""How a revenue stream is billed: every term shown is billed, one meaning per billing period, hand-computed."""
from __future__ import annotations

from datetime import date

import json

import pytest

from business.canvas.billing import (BillingTermsError, billing_problem, describe_billing,
                                     make_billed_revenue_stream)
from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.project_file import ProjectFileError, import_project
from business.canvas.model import make_revenue_stream
from business.example_project import EXAMPLE_CANVAS
from business.financials.projection import StreamTermsError, monthly_charge, project
from business.financials.report import run_model
from business.financials.assumptions import make_stream_plan
from tests.financial_builders import D, a_canvas, a_segment, assumptions_for

ISSUE_TERMS = dict(name="API plan", segment="Startups", price_usd="100", unit="month of access",
                   billing_period="month", included_usage="1000", overage_price_usd="0.01")
FIVE_THOUSAND = {"average": (1, 5000)}


def ten_customers(canvas, **extra):
    return assumptions_for(canvas, segments=[a_segment(starting=10, new=0, churn=0)], usage=FIVE_THOUSAND,
                           cost_1k=0, horizon=1, **extra)


def test_a_hybrid_stream_bills_ten_customers_the_fee_plus_overage_beyond_the_included_units():
    # 10 customers x ($100 + (5,000 - 1,000) requests x $0.01) = 10 x $140 = $1,400 of MRR.
    canvas = a_canvas(ISSUE_TERMS | dict(stream_type="hybrid"))

    assert project(canvas.revenue_streams, ten_customers(canvas)).months[0].mrr == D("1400.00")


@pytest.mark.parametrize("flat_type", ["subscription", "licence"])
def test_a_flat_fee_stream_with_included_usage_is_refused_on_its_form_and_says_to_choose_hybrid(flat_type):
    canvas = a_canvas()

    with pytest.raises(BillingTermsError, match=f"'API plan' is a {flat_type}.*would not be billed.*'hybrid'"):
        make_billed_revenue_stream(canvas, **ISSUE_TERMS, stream_type=flat_type)


def test_a_flat_fee_stream_with_only_an_overage_price_is_refused_too():
    terms = ISSUE_TERMS | dict(stream_type="subscription", included_usage=None)

    with pytest.raises(BillingTermsError, match="would not be billed"):
        make_billed_revenue_stream(a_canvas(), **terms)


def test_an_imported_file_with_a_subscription_that_includes_usage_is_refused_with_the_reason():
    stored = canvas_to_dict(a_canvas(ISSUE_TERMS | dict(stream_type="hybrid")))
    stored["revenue_streams"][0]["stream_type"] = "subscription"
    raw = json.dumps({"schema_version": 1, "project": "Imported", "canvas": stored}).encode()

    with pytest.raises(ProjectFileError, match="invalid: Revenue stream 'API plan' is a subscription"):
        import_project(raw, date(2026, 11, 30))


def test_a_saved_canvas_from_before_the_rule_still_opens_and_the_financial_model_refuses_its_stream():
    # The issue's case: it used to bill the $100 fee only ($1,000 of MRR) while showing the overage terms.
    stored = canvas_to_dict(a_canvas(ISSUE_TERMS | dict(stream_type="hybrid")))
    stored["revenue_streams"][0]["stream_type"] = "subscription"
    canvas = canvas_from_dict(stored)

    assert canvas.revenue_streams[0].included_usage == D(1000)
    with pytest.raises(StreamTermsError, match="'API plan' is a subscription.*Revenue streams page"):
        run_model(canvas.revenue_streams, ten_customers(canvas))


def test_a_yearly_hybrid_plan_includes_its_usage_per_year_and_bills_a_twelfth_of_it_each_month():
    # $1,200 a year with 12,000 units a year included: 1,500 units a month is 18,000 a year, 6,000 over at
    # $0.01 = $60, so $1,260 a year = $105 a month ($100 fee + 500 units over a 1,000-unit month).
    stream = make_billed_revenue_stream(a_canvas(), **ISSUE_TERMS | dict(
        stream_type="hybrid", price_usd="1200", billing_period="year", included_usage="12000"))
    plan = make_stream_plan("API plan", usage={"average": (1, 1500)})

    assert monthly_charge(stream, plan, D(1500), D(1)) == D("105")
    assert monthly_charge(stream, plan, D(900), D(1)) == D("100")


def test_a_usage_based_stream_invoiced_yearly_is_booked_in_the_month_of_use():
    # 10 customers x 5,000 requests x $0.01 = $500 every month, recurring.
    canvas = a_canvas(dict(name="Metered", segment="Startups", stream_type="usage-based", price_usd="0.01",
                           unit="request", billing_period="year"))
    month = project(canvas.revenue_streams, ten_customers(canvas)).months[0]

    assert (month.mrr, month.one_off_revenue) == (D("500.00"), D("0.00"))
    assert "invoiced yearly, booked in the month it is used" in describe_billing(canvas.revenue_streams[0])


@pytest.mark.parametrize("stream_type", ["usage-based", "transaction", "advertising"])
def test_usage_billed_one_off_is_refused_because_usage_is_billed_each_month(stream_type):
    terms = dict(name="Metered", segment="Startups", stream_type=stream_type, price_usd="0.01", unit="request",
                 billing_period="one-off")

    with pytest.raises(BillingTermsError, match="billed one-off, but usage is billed on each month's requests"):
        make_billed_revenue_stream(a_canvas(), **terms)


def test_included_usage_on_a_one_off_price_is_refused_because_it_has_no_period():
    terms = ISSUE_TERMS | dict(stream_type="hybrid", billing_period="one-off")

    with pytest.raises(BillingTermsError, match="includes 1,000 month of access with a one-off price"):
        make_billed_revenue_stream(a_canvas(), **terms)


def test_a_one_off_set_up_fee_with_pay_per_use_bills_the_fee_once_and_the_usage_monthly():
    # 10 customers joined in month 1 pay $100 once; each month 5,000 requests x $0.01 = $50 a customer.
    canvas = a_canvas(ISSUE_TERMS | dict(stream_type="hybrid", billing_period="one-off", included_usage=None))
    assumptions = assumptions_for(canvas, segments=[a_segment(starting=0, new=10, churn=0)], usage=FIVE_THOUSAND,
                                  cost_1k=0, horizon=2)
    first, second = project(canvas.revenue_streams, assumptions).months

    assert (first.one_off_revenue, first.mrr) == (D("1000.00"), D("500.00"))
    assert (second.one_off_revenue, second.mrr) == (D("1000.00"), D("1000.00"))


def test_a_per_unit_stream_with_an_overage_price_but_no_included_usage_is_refused():
    terms = dict(name="Metered", segment="Startups", stream_type="transaction", price_usd="0.01", unit="sale",
                 billing_period="month", overage_price_usd="0.02")

    with pytest.raises(BillingTermsError, match="overage price but no included usage"):
        make_billed_revenue_stream(a_canvas(), **terms)


def test_included_usage_without_an_overage_price_is_refused_for_every_type_that_takes_it():
    terms = dict(name="Ads", segment="Startups", stream_type="advertising", price_usd="5", unit="1,000 views",
                 billing_period="month", included_usage="100")

    with pytest.raises(BillingTermsError, match="has no overage price"):
        make_billed_revenue_stream(a_canvas(), **terms)


def test_the_example_projects_streams_bill_as_they_read():
    canvas = canvas_from_dict(EXAMPLE_CANVAS)

    assert [billing_problem(s) for s in canvas.revenue_streams] == [None, None, None]
    team, pay_as_you_go, enterprise = (describe_billing(s) for s in canvas.revenue_streams)
    assert team == "$490.00 per team a month, 10,000 units included a month, then $0.02 per unit"
    assert pay_as_you_go == "$30.00 per 1,000 tickets used, each month"
    assert enterprise == "$60,000.00 per deployment a year (booked as $5,000.00 a month)"


def test_the_description_of_a_one_off_fee_says_it_is_not_recurring():
    stream = make_revenue_stream(a_canvas(), name="Setup", segment="Startups", stream_type="licence",
                                 price_usd="0.005", unit="install", billing_period="one-off")

    assert describe_billing(stream) == "$0.005 per install once, when a customer joins (not recurring)"
    assert billing_problem(stream) is None
