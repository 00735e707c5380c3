"""A headline keeps its figure's true source, in the summary and in every export; tiles get units that fit."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from pptx import Presentation
from pypdf import PdfReader

from business.financials.assumptions import make_cost_per_request
from business.financials.storage import load_assumptions, save_assumptions
from business.provenance import measured, typed
from business.reports.export import to_html, to_pdf
from business.reports.slides import to_pptx
from business.reports.summary import SERVING, per_predictions_text
from tests.report_builders import saved_example, summary_of

SAVED_ON = date(2026, 11, 30)
ENTERED = "entered by you on 2026-11-30"


def summary_with_cost(tmp_path, provenance, usd_per_1k="5.00"):
    """The example project after the founder saved a new inference cost (version 2 of its assumptions)."""
    store, project_id = saved_example(tmp_path)
    saved, version = load_assumptions(store, project_id)
    cost = make_cost_per_request(usd_per_1k, provenance)
    save_assumptions(store, project_id, replace(saved, cost_per_request=cost), version, "typed a cost")
    return summary_of(store, project_id, tmp_path / "runs")


def test_a_typed_cost_is_the_headline_s_provenance_not_the_estimator_s(tmp_path):
    headline = summary_with_cost(tmp_path, typed(SAVED_ON)).headline(SERVING)

    assert headline.provenance == typed(SAVED_ON)
    assert headline.source.startswith(ENTERED)
    assert "cost estimator" not in headline.source
    assert headline.value == "$5.00 per 1,000 predictions" and headline.short == "$5.00 per 1K"


def test_a_measured_cost_names_its_run_in_the_headline(tmp_path):
    headline = summary_with_cost(tmp_path, measured("20261130-ab12-text", SAVED_ON)).headline(SERVING)

    assert headline.source.startswith("measured by run 20261130-ab12-text on 2026-11-30")


def test_the_gross_margin_says_the_inference_cost_behind_it_was_typed(tmp_path):
    summary = summary_with_cost(tmp_path, typed(SAVED_ON))

    assert f"inference cost {ENTERED}" in summary.headline("Gross margin").source


def test_the_html_pdf_and_slides_say_entered_by_you_beside_a_typed_cost(tmp_path):
    summary = summary_with_cost(tmp_path, typed(SAVED_ON))

    html = to_html(summary)
    pdf = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(to_pdf(summary))).pages).split())
    deck = Presentation(io.BytesIO(to_pptx(summary)))
    slides = "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                       if shape.has_text_frame)

    for text in (html, pdf, slides):
        assert ENTERED in text
        assert "$5.00 per 1,000 predictions" in text
        assert "estimate: cost estimator" not in text


@pytest.mark.parametrize("usd_per_1k, tile, whole", [
    ("5", "$5.00 per 1K", "$5.00 per 1,000 predictions"),
    ("1234.5", "$1,234.50 per 1K", "$1,234.50 per 1,000 predictions"),
    ("0.0000696", "$0.0696 per 1M", "$0.0696 per 1M predictions ($0.0000696 per 1,000)"),
    ("0.0790", "$0.0790 per 1K", "$0.0790 per 1,000 predictions"),  # the Costs page's $0.0790, not "$0.08"
    ("0.000000004", "$0.00400 per 1B", "$0.00400 per 1B predictions ($0.00000000400 per 1,000)"),
    ("0", "$0.00 per 1K", "$0.00 per 1,000 predictions"),
])
def test_a_cost_per_prediction_is_put_in_the_unit_that_shows_at_least_a_cent(usd_per_1k, tile, whole):
    assert per_predictions_text(Decimal(usd_per_1k)) == (tile, whole)


def test_every_tile_is_short_enough_for_a_phone_and_the_whole_value_stays_in_value(tmp_path):
    summary = summary_of(*saved_example(tmp_path), tmp_path / "runs")

    assert all(len(h.short) <= 16 for h in summary.headlines), [h.short for h in summary.headlines]
    assert summary.headline("Break-even").short == summary.headline("Break-even").value == "not in 24 months"


def test_the_stamp_shows_local_date_and_time_when_the_moment_is_known(tmp_path):
    summary = summary_of(*saved_example(tmp_path), tmp_path / "runs")
    moment = datetime(2026, 11, 29, 16, 45, tzinfo=timezone.utc)

    stamped = replace(summary, generated_at=moment).stamp()

    assert moment.astimezone().strftime("%d %b %Y, %H:%M") in stamped
    assert "T16:45" not in stamped
