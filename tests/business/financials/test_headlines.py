"""Headline figures: runway, break-even and cash out read one projection and never contradict each other."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from business.financials.assumptions import make_funding_event
from business.financials.headlines import headline_figures
from business.financials.projection import project
from tests.financial_builders import D, a_canvas, a_segment, a_subscription, assumptions_for

NO_REVENUE = dict(segments=[a_segment(starting=0, new=0, churn=0, cac=0)], hosting=0, cost_1k=0, team=1000,
                  horizon=12)


def figures(projection) -> dict[str, object]:
    return {figure.label: figure for figure in headline_figures(projection)}


def test_funding_that_arrives_in_month_one_counts_toward_the_runway():
    # No starting cash, $24,000 raised in month 1, $1,000 burnt a month: $12,000 left after 12 months.
    canvas = a_canvas(a_subscription())
    funded = assumptions_for(canvas, cash=0, funding=[make_funding_event(1, 24_000, "seed")], **NO_REVENUE)
    projection = project(canvas.revenue_streams, funded)
    shown = figures(projection)

    assert projection.cash_runway.lasts_the_horizon
    assert shown["Runway today"].value == "over 12 months"
    assert shown["Cash runs out"].value == "not in 12 months"
    assert "It lasts all 12 months" in shown["Runway today"].definition


def test_the_runway_counts_the_share_of_the_last_month_the_cash_still_covers():
    # $5,500 raised in month 1 at $1,000 a month: five whole months, then $500 of month 6's $1,000.
    canvas = a_canvas(a_subscription())
    funded = assumptions_for(canvas, cash=0, funding=[make_funding_event(1, 5_500, "seed")], **NO_REVENUE)
    projection = project(canvas.revenue_streams, funded)

    assert projection.cash_runway.months == D("5.5")
    assert projection.cash_out_month == 6
    assert figures(projection)["Runway today"].value == "5.5 months"


def test_a_runway_is_rounded_down_never_up():
    # $5,999 at $1,000 a month lasts 5.999 months: shown as 5.9, not 6.0.
    canvas = a_canvas(a_subscription())
    projection = project(canvas.revenue_streams, assumptions_for(canvas, cash=5_999, **NO_REVENUE))

    assert figures(projection)["Runway today"].value == "5.9 months"


def test_with_no_new_customers_and_twenty_percent_churn_the_headlines_agree():
    # 10 customers at $100, 20 % churn a month, $500 of team cost, $1,000 of cash. Revenue 800, 640, 512
    # covers the costs in months 1-3 (cash 1,300, 1,440, 1,452), then 409.60, 327.68, 262.14, 209.72,
    # 167.77 do not (cash 1,361.60, 1,189.28, 951.42, 661.14, 328.91) and month 9 ($134.22, burn $365.78)
    # ends at -$36.87. The page once said break-even "month 1", runway "infinite", cash out "month 20".
    canvas = a_canvas(a_subscription(price="100"))
    churning = assumptions_for(canvas, segments=[a_segment(starting=10, new=0, churn="0.20", cac=0)], hosting=0,
                               team=500, cost_1k=0, cash=1000, horizon=24)
    projection = project(canvas.revenue_streams, churning)
    shown = figures(projection)

    assert projection.months[8].cash_end == D("-36.87")
    assert projection.cash_runway.months == 8 + D("328.91") / D("365.78")
    assert [shown[k].value for k in ("Runway today", "Break-even", "Cash runs out")] == [
        "8.8 months", "not in 24 months", "month 9"]
    assert "covers all costs in 3 of the 24 months (first in month 1)" in shown["Break-even"].definition


def test_break_even_is_the_month_from_which_revenue_covers_costs_to_the_end():
    # Month t has t customers at $100 against $250 of team cost: burn 150, 50, then -50 from month 3 on.
    canvas = a_canvas(a_subscription(price="100"))
    growing = assumptions_for(canvas, segments=[a_segment(starting=0, new=1, churn=0, cac=0)], hosting=0,
                              team=250, cost_1k=0, cash=300, horizon=4)
    shown = figures(project(canvas.revenue_streams, growing))

    assert shown["Break-even"].value == "month 3"
    assert shown["Break-even"].definition == ("First month from which revenue covers all costs in every later "
                                              "month of the projection.")


def test_every_headline_has_a_definition_to_show_beneath_it():
    canvas = a_canvas(a_subscription())
    shown = headline_figures(project(canvas.revenue_streams, assumptions_for(canvas)))

    assert [f.label for f in shown] == ["MRR, month 2", "ARR, month 2", "Gross margin, month 2", "Runway today",
                                        "Break-even", "Cash runs out"]
    assert all(len(f.definition) > 10 for f in shown)


money = st.decimals(min_value=0, max_value=20_000, places=2)


@settings(max_examples=60, deadline=None)
@given(price=money, starting=st.integers(0, 50), new=st.integers(0, 5), churn=st.decimals(0, 1, places=2),
       cash=money, team=money, funding_month=st.integers(1, 12), funding=money)
def test_runway_break_even_and_cash_out_never_contradict_each_other(price, starting, new, churn, cash, team,
                                                                    funding_month, funding):
    canvas = a_canvas(a_subscription(price=str(price)))
    assumptions = assumptions_for(canvas, segments=[a_segment(starting=starting, new=new, churn=churn, cac=0)],
                                  cash=cash, team=team, hosting=0, cost_1k=0, horizon=12,
                                  funding=[make_funding_event(funding_month, funding, "round")])
    projection = project(canvas.revenue_streams, assumptions)

    assert projection.cash_runway.lasts_the_horizon == (projection.cash_out_month is None)
    if projection.cash_out_month is not None:
        assert projection.cash_out_month - 1 <= projection.cash_runway.months < projection.cash_out_month
    if projection.break_even_month is not None:
        after = projection.months[projection.break_even_month - 1:]
        assert all(row.net_burn <= 0 for row in after)
        assert projection.cash_out_month is None or projection.cash_out_month < projection.break_even_month
