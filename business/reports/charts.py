"""The investor charts as plain data (series, colours, reference bands), for the PDF and the slide deck.

The same projection rows the page's plotly figures read (ui/costs/financials_charts.py), in the same
colours (business/reports/palette.py), so the PDF (business/reports/drawing.py) and the PPTX
(business/reports/slides.py) draw the charts the page shows without a browser or an image renderer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from business.financials.projection import Projection
from business.financials.report import GROSS_MARGIN_BANDS, GROSS_MARGIN_MARKERS, FinancialModel
from business.reports import palette

AREA, LINE, BAR = "area", "line", "bar"  # areas stack on each other; lines and bars start at zero
USD, PERCENT = "usd", "percent"


@dataclass(frozen=True)
class Series:
    name: str
    colour: str  # "#RRGGBB"
    values: tuple[float | None, ...]  # one per month; None where there is nothing to show (no revenue)
    kind: str = LINE


@dataclass(frozen=True)
class Band:
    """A shaded range of the y axis: a published benchmark the series is read against."""
    label: str
    low: float
    high: float
    colour: str


@dataclass(frozen=True)
class Reference:
    """A horizontal reference line (zero, a published figure)."""
    label: str
    value: float
    colour: str


@dataclass(frozen=True)
class ChartData:
    title: str
    x_label: str
    y_label: str
    y_unit: str  # USD or PERCENT: how tick labels read
    months: tuple[int, ...]
    series: tuple[Series, ...]
    bands: tuple[Band, ...] = ()
    references: tuple[Reference, ...] = ()
    note: str = ""  # where the reference figures come from
    stacked_totals: tuple[float, ...] = field(init=False)

    def __post_init__(self) -> None:
        totals = [sum(s.values[i] or 0.0 for s in self.series if s.kind == AREA) for i in range(len(self.months))]
        object.__setattr__(self, "stacked_totals", tuple(totals))

    def value_range(self) -> tuple[float, float]:
        """Lowest and highest y the chart must show: every value, stacked total, band and reference, and 0."""
        values = [0.0, *self.stacked_totals]
        values += [v for s in self.series if s.kind != AREA for v in s.values if v is not None]
        values += [edge for b in self.bands for edge in (b.low, b.high)] + [r.value for r in self.references]
        return min(values), max(values)


def investor_charts(model: FinancialModel) -> tuple[ChartData, ...]:
    """The three charts of the investor view, drawn from the base scenario."""
    base = model.base
    return revenue_chart(base), cash_chart(base), margin_chart(base)


def revenue_chart(projection: Projection) -> ChartData:
    rows = projection.months
    streams = list(rows[0].revenue_by_stream) if rows else []
    series = tuple(Series(name, palette.stream_colour(index), tuple(float(r.revenue_by_stream[name]) for r in rows), AREA)
                   for index, name in enumerate(streams))
    return ChartData(f"Monthly revenue by stream ({_scenario(projection)})", "month", "USD per month", USD,
                     _months(projection), series)


def cash_chart(projection: Projection) -> ChartData:
    rows = projection.months
    series = (Series("net burn (USD/month)", palette.BURN, tuple(float(r.net_burn) for r in rows), BAR),
              Series("cash at month end (USD)", palette.CASH, tuple(float(r.cash_end) for r in rows), LINE))
    note = ("" if projection.cash_out_month is None
            else f"Cash runs out in month {projection.cash_out_month}.")
    return ChartData(f"Cash and net burn ({_scenario(projection)})", "month", "USD", USD, _months(projection),
                     series, references=(Reference("zero", 0.0, palette.ZERO_LINE),), note=note)


def margin_chart(projection: Projection) -> ChartData:
    margins = tuple(None if r.gross_margin is None else float(r.gross_margin * 100) for r in projection.months)
    bands = tuple(Band(f"{b.label} {b.low:.0%}–{b.high:.0%}", float(b.low * 100), float(b.high * 100),
                       palette.BAND_COLOURS.get(b.label, palette.OTHER_BAND)) for b in GROSS_MARGIN_BANDS)
    references = tuple(Reference(f"{m.label} ~{m.value:.0%}", float(m.value * 100), palette.ZERO_LINE)
                       for m in GROSS_MARGIN_MARKERS)
    sources = "; ".join(dict.fromkeys(f.source for f in (*GROSS_MARGIN_BANDS, *GROSS_MARGIN_MARKERS)))
    return ChartData(f"Gross margin vs published bands ({_scenario(projection)})", "month",
                     "gross margin, % of revenue", PERCENT, _months(projection),
                     (Series("your gross margin", palette.MARGIN, margins, LINE),), bands, references,
                     note=f"Bands and markers: {sources}. No point where a month has no revenue.")


def _months(projection: Projection) -> tuple[int, ...]:
    return tuple(r.month for r in projection.months)


def _scenario(projection: Projection) -> str:
    return f"{projection.scenario.name} scenario, projection"
