"""Charts drawn into a PDF with fpdf2's own primitives: lines, rectangles, polygons and text.

No image renderer and no network at run time: the investor PDF draws `business.reports.charts.ChartData`
directly, in the colours the page uses. `draw_chart_page(pdf, charts, top, family, clean)` lays up to
four charts out on the current landscape A4 page (a free cell carries the charts' notes);
`draw_chart(pdf, chart, box, family, clean)` draws one chart into a box (millimetres).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from fpdf import FPDF

from business.reports.charts import AREA, BAR, LINE, PERCENT, ChartData
from business.reports.palette import rgb

TITLE_H = 6.0
AXIS_W = 17.0  # room for the y tick labels and the rotated y label
X_AXIS_H = 9.0  # room for the x tick labels and the x label
LEGEND_LINE_H = 4.0
MARKERS_UP_TO = 24  # months; beyond that, markers would crowd the line
GRID, AXIS, TEXT = "#DDDDDD", "#555555", "#333333"
AREA_OPACITY, BAR_OPACITY, BAND_OPACITY = 0.6, 0.5, 0.18  # as on the page's plotly charts


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h


def draw_chart_page(pdf: FPDF, charts: Sequence[ChartData], top: float, family: str,
                    clean: Callable[[str], str]) -> None:
    """Up to four charts in a 2 × 2 grid below `top` on a landscape A4 page; notes in the first free cell."""
    left, width, bottom, gap = pdf.l_margin, pdf.w - pdf.l_margin - pdf.r_margin, pdf.h - 8.0, 6.0
    cell_w, cell_h = (width - gap) / 2, (bottom - top - gap) / 2
    boxes = [Box(left + col * (cell_w + gap), top + row * (cell_h + gap), cell_w, cell_h)
             for row in range(2) for col in range(2)]
    with pdf.local_context():  # colours, line width and font come back as they were for the next page
        for chart, box in zip(charts[:4], boxes):
            draw_chart(pdf, chart, box, family, clean)
        notes = [f"{chart.title}: {chart.note}" for chart in charts if chart.note]
        if notes and len(charts) < 4:
            free = boxes[len(charts)]
            pdf.set_font(family, size=8)
            _text_colour(pdf, TEXT)
            pdf.set_xy(free.x, free.y + 2)
            pdf.multi_cell(free.w, 4, clean("About these charts\n" + "\n".join(notes)), align="L")


def draw_chart(pdf: FPDF, chart: ChartData, box: Box, family: str, clean: Callable[[str], str]) -> None:
    _title(pdf, chart.title, box, family, clean)
    legend = _legend_rows(pdf, chart, box.w, family, clean)
    plot = Box(box.x + AXIS_W, box.y + TITLE_H + 2, box.w - AXIS_W - 2,
               box.h - TITLE_H - 2 - X_AXIS_H - LEGEND_LINE_H * len(legend))
    low, high = chart.value_range()
    ticks = nice_ticks(low, high)
    # A small dip below zero (a month of profit in a burn chart) gets a little room, not a whole tick step.
    bottom = ticks[0] if low >= 0 else max(ticks[0], low - 0.05 * (high - low))
    ticks = [t for t in ticks if t >= bottom - 1e-9]
    scale = _Scale(plot, len(chart.months), bottom, ticks[-1])
    _y_axis(pdf, chart, plot, scale, ticks, box, family, clean)
    _x_axis(pdf, chart, plot, scale, family, clean)
    _bands(pdf, chart, plot, scale, family, clean)
    _bars(pdf, chart, scale)
    _areas(pdf, chart, scale)
    _references(pdf, chart, plot, scale, family, clean)
    _lines(pdf, chart, scale)
    _legend(pdf, legend, box.x + AXIS_W, plot.bottom + X_AXIS_H, family)


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10^k) from at or below `low` to at or above `high`."""
    if high <= low:
        low, high = low - 1.0, high + 1.0
    raw = (high - low) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start, end = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(k * step, 10) for k in range(start, end + 1)]


def month_ticks(months: Sequence[int], most: int = 10) -> list[int]:
    """Indexes of the months to label: multiples of 1, 2, 3, 6, 12... months, and the first when it has room."""
    every = next(step for step in (1, 2, 3, 6, 12, 24, 60, 120) if len(months) / step <= most or step == 120)
    picked = [index for index, month in enumerate(months) if month % every == 0]
    if months and (not picked or months[picked[0]] - months[0] >= every * 0.6):
        picked.insert(0, 0)  # the first month, unless a labelled month crowds it
    return picked


def tick_label(value: float, step: float, unit: str) -> str:
    """Short axis text: "$1.5M", "-$250k", "40 %"; as many decimals as the step needs."""
    if abs(value) < 1e-12:
        return "0 %" if unit == PERCENT else "$0"
    if unit == PERCENT:
        return f"{value:,.{_decimals(step)}f} %"
    size = max(abs(value), abs(step))
    divisor, suffix = next(((d, s) for d, s in ((1e9, "B"), (1e6, "M"), (1e3, "k")) if size >= d), (1.0, ""))
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value) / divisor:,.{_decimals(step / divisor)}f}{suffix}"


def _decimals(step: float) -> int:
    for decimals in range(4):
        if abs(round(step, decimals) - step) < 1e-9 * max(1.0, abs(step)):
            return decimals
    return 3


class _Scale:
    """Data to page coordinates: month i sits at the centre of its slot, so bars and lines line up."""

    def __init__(self, plot: Box, count: int, low: float, high: float) -> None:
        self.plot, self.count, self.low, self.high = plot, max(count, 1), low, high
        self.slot = plot.w / self.count

    def x(self, index: int) -> float:
        return self.plot.x + (index + 0.5) * self.slot

    def y(self, value: float) -> float:
        return self.plot.bottom - (value - self.low) / (self.high - self.low) * self.plot.h


def _title(pdf: FPDF, title: str, box: Box, family: str, clean) -> None:
    size = 9.5
    pdf.set_font(family, size=size)
    while size > 6 and pdf.get_string_width(clean(title)) > box.w:
        size -= 0.5  # a long scenario name shrinks the title rather than run into the next chart
        pdf.set_font(family, size=size)
    _text_colour(pdf, TEXT)
    pdf.text(box.x, box.y + 4.5, clean(title))


def _y_axis(pdf: FPDF, chart: ChartData, plot: Box, scale: _Scale, ticks: list[float], box: Box, family: str,
            clean) -> None:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    pdf.set_font(family, size=6.5)
    pdf.set_line_width(0.1)
    for tick in ticks:
        y = scale.y(tick)
        _draw_colour(pdf, GRID)
        pdf.line(plot.x, y, plot.x + plot.w, y)
        label = clean(tick_label(tick, step, chart.y_unit))
        _text_colour(pdf, TEXT)
        pdf.text(plot.x - 1.2 - pdf.get_string_width(label), y + 1.0, label)
    _draw_colour(pdf, AXIS)
    pdf.set_line_width(0.25)
    pdf.line(plot.x, plot.y, plot.x, plot.bottom)
    pdf.set_font(family, size=7)
    label = clean(chart.y_label)
    centre_y = plot.y + plot.h / 2
    with pdf.rotation(90, box.x + 2.5, centre_y):
        pdf.text(box.x + 2.5 - pdf.get_string_width(label) / 2, centre_y, label)


def _x_axis(pdf: FPDF, chart: ChartData, plot: Box, scale: _Scale, family: str, clean) -> None:
    _draw_colour(pdf, AXIS)
    pdf.set_line_width(0.25)
    pdf.line(plot.x, plot.bottom, plot.x + plot.w, plot.bottom)
    pdf.set_font(family, size=6.5)
    _text_colour(pdf, TEXT)
    for index in month_ticks(chart.months):
        pdf.line(scale.x(index), plot.bottom, scale.x(index), plot.bottom + 1.0)
        label = str(chart.months[index])
        pdf.text(scale.x(index) - pdf.get_string_width(label) / 2, plot.bottom + 3.8, label)
    pdf.set_font(family, size=7)
    label = clean(chart.x_label)
    pdf.text(plot.x + plot.w / 2 - pdf.get_string_width(label) / 2, plot.bottom + 7.6, label)


def _bands(pdf: FPDF, chart: ChartData, plot: Box, scale: _Scale, family: str, clean) -> None:
    pdf.set_font(family, size=5.5)
    for band in chart.bands:
        top, bottom = scale.y(band.high), scale.y(band.low)
        _fill_colour(pdf, band.colour)
        with pdf.local_context(fill_opacity=BAND_OPACITY):
            pdf.rect(plot.x, top, plot.w, bottom - top, style="F")
        _text_colour(pdf, AXIS)
        pdf.text(plot.x + 1.0, top + 2.4, clean(band.label))


def _bars(pdf: FPDF, chart: ChartData, scale: _Scale) -> None:
    width = scale.slot * 0.6
    for series in (s for s in chart.series if s.kind == BAR):
        _fill_colour(pdf, series.colour)
        with pdf.local_context(fill_opacity=BAR_OPACITY):
            for index, value in enumerate(series.values):
                if value:
                    top = min(scale.y(value), scale.y(0.0))
                    pdf.rect(scale.x(index) - width / 2, top, width, abs(scale.y(value) - scale.y(0.0)), style="F")


def _areas(pdf: FPDF, chart: ChartData, scale: _Scale) -> None:
    """Stacked areas: each stream fills the band between the streams below it and itself."""
    below = [0.0] * len(chart.months)
    for series in (s for s in chart.series if s.kind == AREA):
        above = [base + (value or 0.0) for base, value in zip(below, series.values)]
        outline = [(scale.x(i), scale.y(v)) for i, v in enumerate(above)]
        floor = [(scale.x(i), scale.y(v)) for i, v in reversed(list(enumerate(below)))]
        _fill_colour(pdf, series.colour)
        with pdf.local_context(fill_opacity=AREA_OPACITY):
            pdf.polygon(outline + floor, style="F")
        _draw_colour(pdf, series.colour)
        pdf.set_line_width(0.35)
        pdf.polyline(outline)
        below = above


def _lines(pdf: FPDF, chart: ChartData, scale: _Scale) -> None:
    for series in (s for s in chart.series if s.kind == LINE):
        _draw_colour(pdf, series.colour)
        _fill_colour(pdf, series.colour)
        pdf.set_line_width(0.45)
        points = [(scale.x(i), scale.y(v)) if v is not None else None for i, v in enumerate(series.values)]
        for start, end in zip(points, points[1:]):
            if start and end:  # a month without a value (no revenue) leaves a gap
                pdf.line(*start, *end)
        if len(points) <= MARKERS_UP_TO:
            for point in filter(None, points):
                pdf.circle(*point, 0.6, style="F")


def _references(pdf: FPDF, chart: ChartData, plot: Box, scale: _Scale, family: str, clean) -> None:
    pdf.set_font(family, size=5.5)
    for reference in chart.references:
        y = scale.y(reference.value)
        _draw_colour(pdf, reference.colour)
        pdf.set_line_width(0.2)
        pdf.set_dash_pattern(dash=0.8, gap=0.8)
        pdf.line(plot.x, y, plot.x + plot.w, y)
        pdf.set_dash_pattern()
        if reference.label != "zero":
            label = clean(reference.label)
            _text_colour(pdf, AXIS)
            pdf.text(plot.x + plot.w - pdf.get_string_width(label) - 0.5, y - 0.8, label)


def _legend_rows(pdf: FPDF, chart: ChartData, width: float, family: str, clean) -> list[list[tuple[str, str]]]:
    """Series names with their colours, wrapped into rows that fit the chart's width."""
    pdf.set_font(family, size=7)
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for series in chart.series:
        name = clean(series.name)
        item_w = 5.0 + pdf.get_string_width(name) + 4.0
        if rows[-1] and used + item_w > width - AXIS_W:
            rows.append([])
            used = 0.0
        rows[-1].append((series.colour, name))
        used += item_w
    return rows if rows[0] else []


def _legend(pdf: FPDF, rows: list[list[tuple[str, str]]], x: float, y: float, family: str) -> None:
    pdf.set_font(family, size=7)
    _text_colour(pdf, TEXT)
    for row_index, row in enumerate(rows):
        cursor, baseline = x, y + row_index * LEGEND_LINE_H + 3.0
        for colour, name in row:
            _fill_colour(pdf, colour)
            pdf.rect(cursor, baseline - 2.2, 3.5, 2.4, style="F")
            pdf.text(cursor + 5.0, baseline, name)
            cursor += 5.0 + pdf.get_string_width(name) + 4.0


def _draw_colour(pdf: FPDF, colour: str) -> None:
    pdf.set_draw_color(*rgb(colour))


def _fill_colour(pdf: FPDF, colour: str) -> None:
    pdf.set_fill_color(*rgb(colour))


def _text_colour(pdf: FPDF, colour: str) -> None:
    pdf.set_text_color(*rgb(colour))
