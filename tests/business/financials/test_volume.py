"""The volume a serving bill is priced at: the financial model's busiest month, or nothing when there is none."""
from __future__ import annotations

from business.canvas.json_io import canvas_from_dict
from business.canvas.model import Canvas
from business.example_project import EXAMPLE_CANVAS, example_assumptions
from business.financials.report import run_model
from business.financials.volume import modelled_volume


def test_the_volume_is_the_busiest_month_of_the_base_scenario():
    canvas = canvas_from_dict(EXAMPLE_CANVAS)
    assumptions = example_assumptions(canvas)

    volume = modelled_volume(canvas, assumptions)

    months = run_model(canvas.revenue_streams, assumptions).base.months
    assert volume.requests_per_month == max(row.requests for row in months) > 0
    assert months[volume.month - 1].requests == volume.requests_per_month
    assert f"month {volume.month} of {assumptions.horizon_months}" in volume.describe()
    assert f"{volume.requests_per_month:,.0f} requests" in volume.describe()


def test_no_saved_model_or_no_stream_gives_no_volume():
    canvas = canvas_from_dict(EXAMPLE_CANVAS)

    assert modelled_volume(canvas, None) is None
    assert modelled_volume(Canvas(), example_assumptions(canvas)) is None
