"""Small builders for the financial model's tests: a canvas of streams, a segment, whole assumptions."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from business.canvas.model import Canvas, make_item, make_revenue_stream, with_block
from business.financials.assumptions import (Scenario, make_assumptions, make_cost_per_request, make_segment_plan,
                                             make_stream_plan)

D = Decimal
ALL_AVERAGE = {"average": (1, 100)}


def a_canvas(*streams: dict, segments=("Startups",)) -> Canvas:
    canvas = with_block(Canvas(), "customer_segments", [make_item(s) for s in segments])
    built = tuple(make_revenue_stream(canvas, **fields) for fields in streams)
    return replace(canvas, revenue_streams=built)


def a_subscription(name="Pro", price="50", period="month", segment="Startups", **extra) -> dict:
    return dict(name=name, segment=segment, stream_type="subscription", price_usd=price, unit="seat",
                billing_period=period, **extra)


def a_segment(segment="Startups", starting=10, new=2, growth=0, churn="0.10", cac=30):
    return make_segment_plan(segment, starting_customers=starting, new_customers_per_month=new,
                             new_customer_growth_rate=growth, monthly_churn=churn, cac_usd=cac)


def assumptions_for(canvas: Canvas, *, segments=None, usage=ALL_AVERAGE, per_unit=1, horizon=2, cost_1k="2.00",
                    hosting=100, team=1000, other=0, cash=10_000, funding=(), scenarios=(Scenario("base"),)):
    return make_assumptions(
        horizon_months=horizon, segments=segments or [a_segment()],
        streams=[make_stream_plan(s.name, requests_per_billed_unit=per_unit, usage=usage)
                 for s in canvas.revenue_streams],
        cost_per_request=make_cost_per_request(cost_1k, "estimate"), hosting_usd_per_month=hosting,
        team_usd_per_month=team, other_opex_usd_per_month=other, starting_cash_usd=cash, funding=funding,
        scenarios=scenarios)
