"""The investor summary as a slide deck (PPTX, python-pptx) an investor can forward.

Slides: title with the date and data versions, headline numbers with sources, the canvas, value
propositions, models, and the investor charts of the base scenario (revenue by stream, cash and burn,
gross margin) as native PowerPoint charts (editable, no image renderer needed), in the page's colours. Every slide's footer repeats the stamp. User text goes in as plain text runs.
"""
from __future__ import annotations

import io

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from business.canvas.blocks import block_entries
from business.canvas.model import BLOCK_TITLES
from business.canvas.export import CANVAS_GRID
from business.reports.charts import AREA, ChartData, investor_charts
from business.reports.summary import InvestorSummary
from business.reports.export import _proposition_fields, run_lines

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.4)
BLANK_LAYOUT = 6
MAX_ITEMS_PER_BLOCK = 6  # a slide is read at a glance; the PDF and HTML carry every item


def to_pptx(summary: InvestorSummary) -> bytes:
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    _title_slide(deck, summary)
    _bullets_slide(deck, summary, "Headline numbers",
                   [(f"{h.label}: {h.value}", h.source) for h in summary.headlines])
    _canvas_slide(deck, summary)
    _bullets_slide(deck, summary, "Value propositions", [
        (f"{p.name} (for {p.segment})", "; ".join(f"{label}: {text}" for label, text in _proposition_fields(p) if text))
        for p in summary.value_propositions] or [("No value proposition written yet.", "")])
    _bullets_slide(deck, summary, "Models", [(f"{title}: {line}", "") for title, line in run_lines(summary)]
                   + [(f"Note: {note}", "") for note in summary.notes])
    if summary.model is not None:
        for chart_data in investor_charts(summary.model):
            _chart_slide(deck, summary, chart_data)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _slide(deck, summary: InvestorSummary, title: str):
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    _text_box(slide, MARGIN, Inches(0.25), WIDTH - 2 * MARGIN, Inches(0.8), title, Pt(28), bold=True)
    _text_box(slide, MARGIN, HEIGHT - Inches(0.45), WIDTH - 2 * MARGIN, Inches(0.35), summary.stamp(), Pt(10))
    return slide


def _text_box(slide, left, top, width, height, text: str, size, bold: bool = False):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold = size, bold
    return frame


def _title_slide(deck, summary: InvestorSummary) -> None:
    slide = _slide(deck, summary, f"{summary.project_name}")
    _text_box(slide, MARGIN, Inches(2.5), WIDTH - 2 * MARGIN, Inches(1.5),
              f"Investor summary, {summary.generated_text()}\nFrom {summary.data_version()}", Pt(24))


def _bullets_slide(deck, summary: InvestorSummary, title: str, rows: list[tuple[str, str]]) -> None:
    slide = _slide(deck, summary, title)
    frame = _text_box(slide, MARGIN, Inches(1.2), WIDTH - 2 * MARGIN, HEIGHT - Inches(1.8), "", Pt(4))
    for index, (line, detail) in enumerate(rows):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text, run.font.size, run.font.bold = line, Pt(18), True
        if detail:
            small = frame.add_paragraph().add_run()
            small.text, small.font.size = detail, Pt(11)


def _canvas_slide(deck, summary: InvestorSummary) -> None:
    slide = _slide(deck, summary, "Business model canvas")
    top, height = Inches(1.1), HEIGHT - Inches(1.7)
    unit_w, unit_h = Emu(int((WIDTH - 2 * MARGIN) / 10)), Emu(int(height / 3))
    for key, col, row, col_span, row_span in CANVAS_GRID:
        shape = slide.shapes.add_shape(1, MARGIN + col * unit_w, top + row * unit_h, col_span * unit_w,
                                       row_span * unit_h)  # 1: a rectangle
        shape.fill.background()
        frame = shape.text_frame
        frame.word_wrap = True
        heading = frame.paragraphs[0].add_run()
        heading.text, heading.font.size, heading.font.bold = BLOCK_TITLES[key], Pt(11), True
        items = block_entries(summary.canvas, key)  # a form's propositions and streams are part of their block
        for item in items[:MAX_ITEMS_PER_BLOCK]:
            run = frame.add_paragraph().add_run()
            run.text, run.font.size = f"• {item.label() if item.evidence is None else item.text}", Pt(8)
        if len(items) > MAX_ITEMS_PER_BLOCK:
            run = frame.add_paragraph().add_run()
            run.text, run.font.size = f"… {len(items) - MAX_ITEMS_PER_BLOCK} more", Pt(8)


def _chart_slide(deck, summary: InvestorSummary, chart_data: ChartData) -> None:
    """A native PowerPoint chart (editable in the deck), each series in its colour from the palette."""
    slide = _slide(deck, summary, chart_data.title)
    data = CategoryChartData()
    data.categories = [str(month) for month in chart_data.months]
    for series in chart_data.series:
        data.add_series(series.name, series.values)
    stacked = all(series.kind == AREA for series in chart_data.series)
    note_h = Inches(0.6) if chart_data.note else 0
    chart = slide.shapes.add_chart(XL_CHART_TYPE.AREA_STACKED if stacked else XL_CHART_TYPE.LINE, MARGIN,
                                   Inches(1.1), WIDTH - 2 * MARGIN, HEIGHT - Inches(1.7) - note_h, data).chart
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    for plotted, series in zip(chart.plots[0].series, chart_data.series):
        colour = RGBColor.from_string(series.colour.removeprefix("#"))
        if stacked:
            plotted.format.fill.solid()
            plotted.format.fill.fore_color.rgb = colour
        plotted.format.line.color.rgb = colour
    if chart_data.note:
        _text_box(slide, MARGIN, HEIGHT - Inches(0.6) - note_h, WIDTH - 2 * MARGIN, note_h, chart_data.note, Pt(11))
