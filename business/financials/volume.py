"""How many predictions a month the financial model expects: the volume a serving bill is priced at.

The base scenario's busiest month over the horizon (usually the last): a serving machine must keep up with
the peak, and a bill at month 1's handful of requests would hide what the plan costs at scale.
No streamlit, no torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from business.canvas.model import Canvas
from business.financials.assumptions import FinancialAssumptions, FinancialsError
from business.financials.report import run_model


@dataclass(frozen=True)
class ModelledVolume:
    requests_per_month: Decimal
    month: int
    horizon_months: int

    def describe(self) -> str:
        return (f"{self.requests_per_month:,.0f} requests in month {self.month} of {self.horizon_months}, "
                "the busiest month of the financial model's base scenario")


def modelled_volume(canvas: Canvas, assumptions: FinancialAssumptions | None) -> ModelledVolume | None:
    """The base scenario's busiest month; None when there is no saved model, no stream, or no request at all."""
    if assumptions is None or not canvas.revenue_streams:
        return None
    try:
        base = run_model(canvas.revenue_streams, assumptions).base
    except FinancialsError:
        return None
    busiest = max(base.months, key=lambda row: (row.requests, -row.month))
    if busiest.requests <= 0:
        return None
    return ModelledVolume(busiest.requests, busiest.month, assumptions.horizon_months)
