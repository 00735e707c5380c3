"""The Costs page's charts: training cost by provider, cost against wall-clock, memory, compression.

"Cost vs wall-clock" shows the cheapest way to finish by each deadline (a step line, each step named);
the founder can reveal every offer behind it, one colour and symbol per provider.
graph_objects rather than plotly.express: express spent ~0.3 s per figure on this page.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go
import streamlit as st
from plotly.colors import qualitative

from business.costs.estimator import compression_rows
from business.costs.pricing import cheapest_by_provider, round_usd
from ui.costs.formats import duration, usd
from ui.text import chart_title

PALETTE = qualitative.Dark24  # 24 distinct colours: the catalog has a dozen providers
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
FRONTIER_COLOUR = "#111111"


def chart_label(text: str) -> str:
    return html.escape(text)  # plotly renders HTML in labels; provider names may be user text


def provider_styles(providers) -> dict[str, tuple[str, str]]:
    """(colour, symbol) per provider, none shared: colours first, then symbols past the palette."""
    ordered = sorted(set(providers))
    return {name: (PALETTE[i % len(PALETTE)], SYMBOLS[(i // len(PALETTE)) % len(SYMBOLS)])
            for i, name in enumerate(ordered)}


def render_charts(report, key, show_all_offers: bool) -> None:
    left, right = st.columns(2)
    best = cheapest_by_provider(report.sweep.best_per_offer())
    styles = provider_styles(q.provider for q in report.sweep.best_per_offer())
    bars = go.Figure(go.Bar(
        x=[chart_label(q.provider) for q in best], y=[float(round_usd(q.cost_usd)) for q in best],
        marker_color=[styles[q.provider][0] for q in best],
        hovertext=[chart_label(f"{q.instance}, {q.gpus} GPUs: {usd(round_usd(q.cost_usd))}") for q in best]))
    bars.update_layout(title=chart_title("Training cost by provider (cheapest offer)"), yaxis_title="cost ($)",
                       yaxis_tickformat="$,.2~f")
    left.plotly_chart(bars, key=key("chart_providers"))
    right.plotly_chart(wall_clock_figure(report.sweep, show_all_offers), key=key("chart_scatter"))
    memory = go.Figure([go.Bar(name=part, x=["training", "serving (batch 1)"],
                               y=[report.training_memory.parts()[part] / 1e9, report.serving_memory.parts()[part] / 1e9])
                        for part in report.training_memory.parts()])
    memory.update_layout(barmode="stack", title=chart_title(f"Memory, parts summed ({report.gpu.name}: {report.gpu.memory_gb:g} GB)"),
                         yaxis_title="GB", yaxis_tickformat=",.3~f")
    largest_gb = max(report.training_memory.total_bytes, report.serving_memory.total_bytes) / 1e9
    if largest_gb > report.gpu.memory_gb / 5:  # a line far above small bars would flatten them
        memory.add_hline(y=report.gpu.memory_gb, line_dash="dot", annotation_text=f"{report.gpu.name} memory")
    left.plotly_chart(memory, key=key("chart_memory"))
    if report.serving is None:
        return  # no serving bill, no before/after: the page says why
    rows = compression_rows(report)
    savings = go.Figure([go.Bar(name=name, x=[r["method"] for r in rows],
                                y=[None if r[column] is None else float(r[column]) for r in rows])
                         for name, column in (("before", "monthly_before_usd"), ("after", "monthly_after_usd"))])
    savings.update_layout(barmode="group", title=chart_title("Monthly serving bill before and after compression"),
                          yaxis_title="$ per month", yaxis_tickformat="$,.2~f")
    right.plotly_chart(savings, key=key("chart_savings"))


def wall_clock_figure(sweep, show_all_offers: bool = False) -> go.Figure:
    """The cheapest quote for each deadline as a step line, each step named; every offer behind it
    when asked, one colour and symbol per provider."""
    frontier = sweep.frontier()
    figure = go.Figure()
    if show_all_offers:
        quotes = sweep.quotes  # every offer and GPU count: built only when asked for
        styles = provider_styles(q.provider for q in quotes)
        by_provider: dict[str, list] = {}
        for quote in quotes:
            by_provider.setdefault(quote.provider, []).append(quote)
        for provider, group in sorted(by_provider.items()):
            colour, symbol = styles[provider]
            figure.add_scatter(
                name=chart_label(provider), mode="markers", x=[q.wall_clock_hours for q in group],
                y=[q.cost_float_usd for q in group], marker={"color": colour, "symbol": symbol, "size": 6,
                                                               "opacity": 0.6},
                hovertext=[chart_label(_quote_label(q)) for q in group], hoverinfo="text")
    figure.add_scatter(
        name="cheapest by deadline", mode="lines+markers+text", line={"shape": "hv", "color": FRONTIER_COLOUR, "width": 3},
        marker={"color": FRONTIER_COLOUR, "size": 8}, x=[q.wall_clock_hours for q in frontier],
        y=[q.cost_float_usd for q in frontier], text=[chart_label(_step_label(q)) for q in frontier],
        textposition=_label_positions(len(frontier)), textfont={"size": 10}, cliponaxis=False, hovertext=[chart_label(_quote_label(q)) for q in frontier],
        hoverinfo="text")
    figure.update_layout(title=chart_title("Cost vs wall-clock: the cheapest offer for each deadline"), xaxis_type="log",
                         xaxis_title="wall-clock (h)", yaxis_type="log", yaxis_title="cost ($)",
                         yaxis_tickformat="$,.2~f",
                         xaxis_tickformat=",.4~f", showlegend=show_all_offers)
    return figure


def _label_positions(count: int) -> list[str]:
    """Labels point into the plot: the slowest (rightmost) step's label to its left."""
    return ["top right"] * (count - 1) + ["top left"] if count else []


def _step_label(quote) -> str:
    return f"{quote.provider} {quote.gpus}×{quote.gpu}"


def _quote_label(quote) -> str:
    return (f"{quote.provider} {quote.instance}, {quote.gpus} GPUs: {usd(round_usd(quote.cost_usd))} "
            f"in {duration(quote.wall_clock_hours)}")
