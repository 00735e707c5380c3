"""How many predictions a month the financial model expects: the one volume serving costs are priced at.

The average month of the base scenario over the horizon. The same rule prices the example project's cost
per request (business.example_project): the projection charges requests × cost per request every month,
so a bill spread over the average volume adds up over the horizon to the bills of those months. Every
page that asks "at the financial model's volume" uses this, so they agree. No streamlit, no torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from business.canvas.model import Canvas
from business.financials.assumptions import FinancialAssumptions, FinancialsError
from business.financials.projection import project


@dataclass(frozen=True)
class ModelledVolume:
    requests_per_month: Decimal
    horizon_months: int
    busiest_month_requests: Decimal

    def describe(self) -> str:
        return (f"{self.requests_per_month:,.0f} requests a month, the average over the {self.horizon_months} "
                f"months of the financial model's base scenario (busiest month {self.busiest_month_requests:,.0f})")


def average_volume(streams, assumptions: FinancialAssumptions) -> ModelledVolume:
    months = project(streams, assumptions).months
    requests = [row.requests for row in months]
    return ModelledVolume(sum(requests, Decimal(0)) / len(requests), len(requests), max(requests))


def modelled_volume(canvas: Canvas, assumptions: FinancialAssumptions | None) -> ModelledVolume | None:
    """None when there is no saved model, no stream, or no request at all."""
    if assumptions is None or not canvas.revenue_streams:
        return None
    try:
        volume = average_volume(canvas.revenue_streams, assumptions)
    except FinancialsError:
        return None
    return volume if volume.requests_per_month > 0 else None
