"""Investor report files: HTML opens offline, PDF and PPTX open; all carry the numbers and the stamp."""
import io
import re

from pptx import Presentation
from pypdf import PdfReader

from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.reports.export import to_html, to_pdf
from business.reports.slides import to_pptx
from tests.report_builders import saved_example, summary_of, write_run
from ui.costs.financials_charts import cash_figure, revenue_by_stream_figure

EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?\s*(https?:)?//", re.IGNORECASE)


def example_summary(tmp_path, with_run: bool = True):
    store, project_id = saved_example(tmp_path)
    if with_run:
        write_run(tmp_path / "runs", "text-best", accuracy=0.91)
    return summary_of(store, project_id, tmp_path / "runs")


def headline_values(summary) -> list[str]:
    return [h.value for h in summary.headlines]


def test_the_html_report_embeds_plotly_and_loads_no_external_script(tmp_path):
    summary = example_summary(tmp_path)
    base = summary.model.base
    page = to_html(summary, [revenue_by_stream_figure(base), cash_figure(base)])
    assert not EXTERNAL_SCRIPT.search(page)
    assert page.count("Plotly.newPlot") == 2
    assert len(page) > 1_000_000  # plotly.js itself is inline
    for value in headline_values(summary):
        assert value in page
    assert "2026-11-29" in page and "canvas version 1, financial assumptions version 1" in page
    assert "accuracy 91.0 %" in page


def test_user_text_in_the_html_report_is_escaped(tmp_path):
    store, project_id = saved_example(tmp_path)
    payload = store.load_latest(project_id, "canvas").payload
    canvas = canvas_from_dict(payload)
    payload = canvas_to_dict(canvas)
    payload["blocks"]["channels"].append({"text": "<script>alert(1)</script>", "evidence": "hypothesis", "note": ""})
    store.save(project_id, "canvas", payload, 1, "hostile")
    page = to_html(summary_of(store, project_id, tmp_path / "runs"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page  # no charts passed: no script at all


def test_a_canvas_entry_with_line_breaks_stays_one_escaped_item_in_the_html_report(tmp_path):
    store, project_id = saved_example(tmp_path)
    payload = canvas_to_dict(canvas_from_dict(store.load_latest(project_id, "canvas").payload))
    payload["blocks"]["channels"].append({"text": "Partners\n<b>Resellers</b>", "evidence": "hypothesis", "note": ""})
    store.save(project_id, "canvas", payload, 1, "two lines")
    page = to_html(summary_of(store, project_id, tmp_path / "runs"))
    assert "<li>Partners<br>&lt;b&gt;Resellers&lt;/b&gt; <span" in page


def test_the_pdf_report_opens_and_contains_the_numbers_and_the_stamp(tmp_path):
    summary = example_summary(tmp_path)
    reader = PdfReader(io.BytesIO(to_pdf(summary)))
    assert len(reader.pages) >= 3
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for value in headline_values(summary):
        assert value in flat, value
    assert "canvas version 1" in flat and "2026-11-29" in flat
    assert "Key Partners" in flat and "run text-best" in flat


def test_the_slide_deck_opens_and_contains_the_numbers_and_a_cash_chart(tmp_path):
    summary = example_summary(tmp_path)
    deck = Presentation(io.BytesIO(to_pptx(summary)))
    shapes = [shape for slide in deck.slides for shape in slide.shapes]
    text = "\n".join(shape.text_frame.text for shape in shapes if shape.has_text_frame)
    for value in headline_values(summary):
        assert value in text, value
    assert "financial assumptions version 1" in text and "2026-11-29" in text
    assert any(shape.has_chart for shape in shapes)


def test_a_young_project_still_exports_all_three_files_saying_what_is_missing(tmp_path):
    store, project_id = saved_example(tmp_path, with_assumptions=False)
    summary = summary_of(store, project_id, tmp_path / "runs")
    assert "no text run yet" in to_html(summary)
    assert to_pdf(summary).startswith(b"%PDF")
    deck = Presentation(io.BytesIO(to_pptx(summary)))
    assert not any(shape.has_chart for slide in deck.slides for shape in slide.shapes)
