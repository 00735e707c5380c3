"""Charts in every export: each revenue stream in its own colour (HTML, PDF, PPTX), and the PDF draws them."""
import io
import json
import re

import plotly.io as pio
import pytest
import streamlit  # noqa: F401  (installs Streamlit's plotly template, as in the running app)
from pptx import Presentation
from pypdf import PdfReader

from business.reports import palette
from business.reports.charts import AREA, investor_charts
from business.reports.drawing import month_ticks, nice_ticks, tick_label
from business.reports.export import to_html, to_pdf
from business.reports.slides import to_pptx
from tests.report_builders import saved_example, summary_of
from ui.costs.financials_charts import cash_figure, margin_vs_bands_figure, revenue_by_stream_figure

STREAMLIT_PLACEHOLDER = re.compile(r"^#0000[0-9]{2}$")  # Streamlit's front end swaps these for real colours
PDF_FILL = re.compile(r"([\d.]+) ([\d.]+) ([\d.]+) rg")


def example(tmp_path):
    store, project_id = saved_example(tmp_path)
    return summary_of(store, project_id, tmp_path / "runs")


def plotly_figures_in(page: str) -> list[tuple[list[dict], dict]]:
    """(data, layout) of every Plotly.newPlot call in an HTML page, parsed as JSON."""
    decoder, found = json.JSONDecoder(), []
    for match in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", page):
        data, end = decoder.raw_decode(page, match.end())
        layout, _ = decoder.raw_decode(page, page.index("{", end))
        found.append((data, layout))
    return found


def pdf_fill_colours(content: str) -> set[tuple[int, int, int]]:
    return {tuple(round(float(part) * 255) for part in match.groups()) for match in PDF_FILL.finditer(content)}


def test_each_revenue_stream_has_its_own_real_colour_in_the_html_report(tmp_path):
    assert pio.templates.default == "streamlit"  # the condition under which the report drew all streams black
    summary = example(tmp_path)
    base = summary.model.base
    page = to_html(summary, [revenue_by_stream_figure(base), cash_figure(base), margin_vs_bands_figure(base)])
    (revenue, revenue_layout), *others = plotly_figures_in(page)
    streams = list(base.months[0].revenue_by_stream)
    assert [trace["name"] for trace in revenue] == streams
    colours = [trace["line"]["color"] for trace in revenue]
    assert colours == [palette.stream_colour(i) for i in range(len(streams))]
    assert len(set(colours)) == len(streams)
    assert all(trace["fillcolor"].startswith("rgba(") for trace in revenue)
    for data, layout in [(revenue, revenue_layout), *others]:
        colorway = layout["template"]["layout"]["colorway"]
        assert not any(STREAMLIT_PLACEHOLDER.match(c) for c in colorway), colorway


def test_the_html_export_leaves_the_pages_figure_untouched(tmp_path):
    summary = example(tmp_path)
    figure = revenue_by_stream_figure(summary.model.base)
    to_html(summary, [figure])
    assert figure.layout.template.layout.colorway[0] == "#000001"  # still themed by Streamlit on the page


def test_the_pdf_report_has_a_chart_page_drawing_each_stream_in_its_colour(tmp_path):
    summary = example(tmp_path)
    reader = PdfReader(io.BytesIO(to_pdf(summary)))
    [page] = [p for p in reader.pages if "Monthly revenue by stream" in p.extract_text()]
    text = " ".join(page.extract_text().split())
    for title in ("Monthly revenue by stream", "Cash and net burn", "Gross margin vs published bands"):
        assert title in text
    streams = list(summary.model.base.months[0].revenue_by_stream)
    for name in [*streams, "net burn (USD/month)", "cash at month end (USD)", "your gross margin", "SaaS 60%–80%"]:
        assert name in text, name
    assert "month" in text and "$0" in text and "100 %" in text  # axes with their tick labels
    content = page.get_contents().get_data().decode("latin-1")
    fills = pdf_fill_colours(content)
    for index in range(len(streams)):
        assert palette.rgb(palette.stream_colour(index)) in fills
    assert palette.rgb(palette.CASH) in fills and palette.rgb(palette.BURN) in fills
    assert content.count(" re") >= 24 + 3  # a bar per month of net burn, the legend swatches
    assert content.count(" l\n") >= 24 * 3  # grid, axes, lines


def test_a_project_without_a_projection_has_no_chart_page_in_the_pdf(tmp_path):
    store, project_id = saved_example(tmp_path, with_assumptions=False)
    summary = summary_of(store, project_id, tmp_path / "runs")
    reader = PdfReader(io.BytesIO(to_pdf(summary)))
    assert not any("Monthly revenue by stream" in page.extract_text() for page in reader.pages)


def test_the_slide_deck_carries_the_three_charts_with_each_stream_in_its_colour(tmp_path):
    summary = example(tmp_path)
    deck = Presentation(io.BytesIO(to_pptx(summary)))
    charts = {shape.chart.plots[0].series[0].name: shape.chart for slide in deck.slides for shape in slide.shapes
              if shape.has_chart}
    streams = list(summary.model.base.months[0].revenue_by_stream)
    assert set(charts) == {streams[0], "net burn (USD/month)", "your gross margin"}
    revenue = charts[streams[0]].plots[0]
    assert [s.name for s in revenue.series] == streams
    colours = [str(s.format.fill.fore_color.rgb) for s in revenue.series]
    assert colours == [palette.stream_colour(i).removeprefix("#") for i in range(len(streams))]


def test_the_revenue_chart_stacks_every_stream_to_the_months_revenue(tmp_path):
    model = example(tmp_path).model
    base = model.base
    revenue, cash, margin = investor_charts(model)
    assert all(series.kind == AREA for series in revenue.series)
    expected = [float(sum(r.revenue_by_stream.values())) for r in base.months]
    assert revenue.stacked_totals == pytest.approx(expected)
    low, high = margin.value_range()
    assert low <= 0 and high >= 80  # the SaaS band's top is always on the chart
    assert cash.value_range()[1] == max(float(r.cash_end) for r in base.months)


def test_axis_ticks_are_round_and_cover_the_data():
    assert nice_ticks(0, 98.2) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(-20_000, 4_800_000) == [-1_000_000, 0, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000]
    assert nice_ticks(5, 5)[0] <= 5 <= nice_ticks(5, 5)[-1]
    assert [tick_label(v, 2_500, "usd") for v in (0, 2_500, -7_500)] == ["$0", "$2.5k", "-$7.5k"]
    assert tick_label(4_000_000, 1_000_000, "usd") == "$4M" and tick_label(12.5, 2.5, "percent") == "12.5 %"


def test_month_labels_never_crowd_each_other():
    assert month_ticks(range(1, 25)) == [0, 2, 5, 8, 11, 14, 17, 20, 23]  # months 1, 3, 6, ... 24
    assert month_ticks(range(1, 13)) == [1, 3, 5, 7, 9, 11]  # months 2, 4, ... 12
    assert month_ticks([1]) == [0]
