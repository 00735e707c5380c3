"""The volume a serving bill is priced at: the financial model's average month (the example cost per request's
volume too), or nothing when there is none."""
from __future__ import annotations

from business.canvas.json_io import canvas_from_dict
from business.canvas.model import Canvas
from business.example_project import EXAMPLE_CANVAS, example_assumptions
from business.financials.report import run_model
from business.financials.volume import modelled_volume


def test_the_volume_is_the_average_month_of_the_base_scenario_the_one_the_example_cost_is_spread_over():
    canvas = canvas_from_dict(EXAMPLE_CANVAS)
    assumptions = example_assumptions(canvas)

    volume = modelled_volume(canvas, assumptions)

    months = run_model(canvas.revenue_streams, assumptions).base.months
    assert volume.requests_per_month == sum(row.requests for row in months) / len(months) > 0
    assert volume.busiest_month_requests == max(row.requests for row in months)
    assert f"average over the {assumptions.horizon_months} months" in volume.describe()
    # the investor view's "cost to serve" states the volume its serving bill was spread over: the same number
    label = assumptions.cost_per_request.provenance.label()
    assert f"requests a month {volume.requests_per_month:,.0f}" in label, label


def test_no_saved_model_or_no_stream_gives_no_volume():
    canvas = canvas_from_dict(EXAMPLE_CANVAS)

    assert modelled_volume(canvas, None) is None
    assert modelled_volume(Canvas(), example_assumptions(canvas)) is None
