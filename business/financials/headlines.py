"""The headline figures of a projection (MRR, ARR, gross margin, runway, break-even, cash out), each with
the short definition shown beneath it on the financials page and the investor view.

Runway, break-even and cash out are read off the same months of one projection, so they never contradict
one another: the runway lasts the horizon exactly when the cash never runs out, and a break-even month is
one from which the cash no longer falls.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from business.financials.projection import Projection


@dataclass(frozen=True)
class HeadlineFigure:
    """One headline of a projection: its value as shown and, beneath it, what it means."""
    label: str
    value: str
    definition: str


def headline_figures(projection: Projection) -> tuple[HeadlineFigure, ...]:
    """MRR, ARR, gross margin, runway, break-even and cash out of a projection, each with its definition."""
    last, horizon = projection.last, len(projection.months)
    return (
        HeadlineFigure(f"MRR, month {horizon}", _usd(last.mrr),
                       f"Recurring revenue booked in month {horizon}: fees (a yearly fee as a twelfth) and "
                       "usage; one-off fees are left out."),
        HeadlineFigure(f"ARR, month {horizon}", _usd(last.arr), f"MRR of month {horizon} × 12."),
        HeadlineFigure(f"Gross margin, month {horizon}",
                       "no revenue" if last.gross_margin is None else f"{last.gross_margin * 100:,.1f} %",
                       f"(Revenue − inference − hosting) / revenue, in month {horizon}."),
        HeadlineFigure("Runway today", projection.cash_runway.value(), _runway_definition(projection)),
        HeadlineFigure("Break-even", _month_or(projection.break_even_month, f"not in {horizon} months"),
                       _break_even_definition(projection)),
        HeadlineFigure("Cash runs out", _month_or(projection.cash_out_month, f"not in {horizon} months"),
                       "First month the cash at month end goes below zero, funding counted in its month."),
    )


def _runway_definition(projection: Projection) -> str:
    meaning = ("How long the cash lasts in this projection: starting cash, plus funding in the month it "
               "arrives, minus each month's net burn")
    if projection.cash_runway.lasts_the_horizon:
        return f"{meaning}. It lasts all {len(projection.months)} months."
    return f"{meaning}; it runs out during month {projection.cash_out_month}."


def _break_even_definition(projection: Projection) -> str:
    meaning = "First month from which revenue covers all costs in every later month of the projection"
    covered = [r.month for r in projection.months if r.net_burn <= 0]
    if projection.break_even_month is None and covered:
        return (f"{meaning}. Revenue covers all costs in {len(covered)} of the {len(projection.months)} months "
                f"(first in month {covered[0]}), but not to the end: month {projection.last.month} loses money.")
    return f"{meaning}."


def _month_or(month: int | None, otherwise: str) -> str:
    return otherwise if month is None else f"month {month}"


def _usd(amount: Decimal) -> str:
    return f"${amount:,.2f}"
