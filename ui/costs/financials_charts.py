"""Plotly figures and display tables of the financial model, for pages/financials.py.

No arithmetic beyond unit conversion for display. Tables are formatted as text so an empty value
reads "—" or says why, never NaN. User names go into plotly escaped, since plotly reads a few HTML
tags in labels. pandas and plotly load inside the functions, so a page draws its headline figures before
they are imported (on a fresh server, ui/warmup.py may still be importing them).
"""
from __future__ import annotations

import html
from decimal import Decimal
from typing import TYPE_CHECKING

from business.financials.projection import Projection
from business.financials.report import (GROSS_MARGIN_BANDS, GROSS_MARGIN_MARKERS, PLAN_AVERAGE, CohortMargin,
                                        FinancialModel, monthly_table, whole_customers)
from business.reports import palette
from ui.text import chart_title

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

WHOLE_CUSTOMERS_NOTE = ("Customers are shown as whole customers. The model computes them as expected values, "
                        "with fractions (10 customers at 5 % churn leave 9.5 on average), and rounds only what "
                        "it shows, so a month's customers can differ by one from the previous month's − churned "
                        "+ new as shown.")
COHORT_COLOURS = {"light": "#9ecae1", "average": "#4292c6", "power": "#08519c", PLAN_AVERAGE: "#636363"}


def chart_text(text: str) -> str:
    # quote=False: plotly shows &quot; literally, but decodes &lt; &gt; &amp; (checked in a browser).
    return html.escape(text, quote=False)


def bottom_legend(figure: go.Figure) -> go.Figure:
    return figure.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0})


def usd(amount: Decimal | None) -> str:
    return "—" if amount is None else f"${amount:,.2f}"


def rate(fraction: Decimal | None, none: str = "—") -> str:
    return none if fraction is None else f"{fraction * 100:,.1f} %"


def month_or(month: int | None, otherwise: str) -> str:
    return otherwise if month is None else f"month {month}"


def scenario_title(title: str, projection: Projection) -> str:
    """A chart title that names the scenario it draws, escaped (scenario names are user text)."""
    return chart_title(f"{title} ({projection.scenario.name} scenario)")


def revenue_by_stream_figure(projection: Projection) -> go.Figure:
    months = [r.month for r in projection.months]
    import plotly.graph_objects as go

    figure = go.Figure()
    # Explicit colours: the exported HTML has no Streamlit front end to fill in its placeholder colour cycle.
    for index, stream in enumerate(projection.months[0].revenue_by_stream):
        colour = palette.stream_colour(index)
        figure.add_scatter(x=months, y=[float(r.revenue_by_stream[stream]) for r in projection.months],
                           name=chart_text(stream), stackgroup="revenue", mode="lines",
                           line={"color": colour}, fillcolor=palette.rgba(colour, 0.55))
    figure.update_layout(title=scenario_title("Monthly revenue by stream", projection), xaxis_title="month",
                         yaxis_title="USD per month", hovermode="x unified")
    return bottom_legend(figure)


def cash_figure(projection: Projection) -> go.Figure:
    months = [r.month for r in projection.months]
    import plotly.graph_objects as go

    figure = go.Figure()
    figure.add_bar(x=months, y=[float(r.net_burn) for r in projection.months], name="net burn (USD/month)",
                   marker_color=palette.BURN, opacity=0.5)
    figure.add_scatter(x=months, y=[float(r.cash_end) for r in projection.months], name="cash at month end (USD)",
                       mode="lines+markers", line={"color": palette.CASH})
    funded = [r for r in projection.months if r.funding > 0]
    if funded:
        figure.add_scatter(x=[r.month for r in funded], y=[float(r.cash_end) for r in funded], mode="markers",
                           name="funding arrives", marker={"symbol": "star", "size": 14, "color": palette.FUNDING})
    figure.add_hline(y=0, line_dash="dot", line_color=palette.ZERO_LINE)
    if projection.cash_out_month is not None:
        figure.add_vline(x=projection.cash_out_month, line_dash="dash", line_color=palette.BURN,
                         annotation_text=f"cash runs out: month {projection.cash_out_month}")
    figure.update_layout(title=scenario_title("Cash and net burn", projection), xaxis_title="month", yaxis_title="USD",
                         hovermode="x unified")
    return bottom_legend(figure)


def margin_vs_bands_figure(projection: Projection) -> go.Figure:
    rows = [r for r in projection.months if r.gross_margin is not None]
    import plotly.graph_objects as go

    figure = go.Figure()
    for band in GROSS_MARGIN_BANDS:
        figure.add_hrect(y0=float(band.low * 100), y1=float(band.high * 100), line_width=0,
                         fillcolor=palette.rgba(palette.BAND_COLOURS.get(band.label, palette.OTHER_BAND), 0.18),
                         annotation_text=chart_text(f"{band.label} {band.low:.0%}–{band.high:.0%}"),
                         annotation_position="top left")
    for marker in GROSS_MARGIN_MARKERS:
        figure.add_hline(y=float(marker.value * 100), line_dash="dot", line_color=palette.ZERO_LINE,
                         annotation_text=chart_text(f"{marker.label} ~{marker.value:.0%}"),
                         annotation_position="bottom right")
    figure.add_scatter(x=[r.month for r in rows], y=[float(r.gross_margin * 100) for r in rows],
                       name="your gross margin", mode="lines+markers", line={"color": palette.MARGIN})
    # One source a line: a single long line was cut off on a phone-wide screen.
    sources = "<br>".join(chart_text(s) for s in dict.fromkeys(f.source for f in (*GROSS_MARGIN_BANDS,
                                                                                   *GROSS_MARGIN_MARKERS)))
    figure.update_layout(title={"text": scenario_title("Gross margin vs published bands", projection),
                                "subtitle": {"text": f"bands and markers:<br>{sources}"}}, xaxis_title="month",
                         yaxis_title="gross margin, % of revenue", showlegend=False)
    return figure


def cohort_margin_figure(margins: tuple[CohortMargin, ...], month: int, scenario: str) -> go.Figure:
    import plotly.graph_objects as go

    figure = go.Figure()
    for cohort in (*("light", "average", "power"), PLAN_AVERAGE):
        rows = [m for m in margins if m.cohort == cohort]
        figure.add_bar(x=[chart_text(m.stream) for m in rows], y=[float(m.margin_usd) for m in rows],
                       name=cohort, marker_color=COHORT_COLOURS[cohort])
    figure.add_hline(y=0, line_color=palette.ZERO_LINE)
    figure.update_layout(title=chart_title(f"Margin by usage cohort, month {month} ({scenario} scenario)"),
                         barmode="group", yaxis_title="margin, USD per customer a month",
                         xaxis_title="plan (revenue stream)")
    return bottom_legend(figure)


def comparison_frame(model: FinancialModel, horizon: int) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([{
        "Scenario": s.name, "Customers at the end": f"{whole_customers(s.customers_end):,}",
        "MRR at the end": usd(s.mrr_end_usd), "ARR at the end": usd(s.arr_end_usd),
        "Revenue, all months": usd(s.revenue_total_usd),
        "Gross margin at the end": rate(s.gross_margin_end, "no revenue"),
        "Net burn, all months": usd(s.net_burn_total_usd),
        "Lowest cash": f"{usd(s.lowest_cash_usd)} (month {s.lowest_cash_month})",
        "Cash at the end": usd(s.cash_end_usd),
        "Break-even": month_or(s.break_even_month, f"not within {horizon} months"),
        "Cash runs out": month_or(s.cash_out_month, f"not within {horizon} months"),
    } for s in model.comparison])


def unit_economics_frame(model: FinancialModel) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([{
        "Segment": u.segment, "Revenue per customer a month": usd(u.revenue_per_month_usd),
        "Contribution per customer a month": usd(u.contribution_per_month_usd),
        "Churn a month": rate(u.monthly_churn), "CAC": usd(u.cac_usd),
        "LTV": u.describe_ltv(), "CAC payback": u.describe_payback(),
        "LTV / CAC": ratio(u.ltv_usd, u.cac_usd),
    } for u in model.unit_economics])


def ratio(ltv: Decimal | None, cac: Decimal) -> str:
    if ltv is None:
        return "unbounded"
    return "no CAC" if cac == 0 else f"{ltv / cac:,.1f}×"


def cohort_frame(margins: tuple[CohortMargin, ...]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([{
        "Plan": m.stream, "Usage cohort": m.cohort, "Share of customers": rate(m.share_of_customers),
        "Requests a month": f"{m.requests_per_month:,.0f}", "Revenue per customer": usd(m.revenue_usd),
        "Inference cost per customer": usd(m.inference_cost_usd), "Margin per customer": usd(m.margin_usd),
        "Margin": rate(m.margin, "no revenue"),
    } for m in margins])


def monthly_frame(projection: Projection) -> pd.DataFrame:
    """The CSV's rows as display text: thousands separators, and a reason instead of a blank."""
    def cell(column: str, content: object) -> str:
        if content is None:
            return "no burn this month" if column.startswith("months of cash") else "no revenue"
        if isinstance(content, Decimal):
            return f"{content:,.2f}" if "USD" in column else f"{content:,}"
        return str(content)
    import pandas as pd

    return pd.DataFrame([{c: cell(c, x) for c, x in row.items()} for row in monthly_table(projection)])
