"""The model pages' charts: training curves and the confusion matrix, as plotly figures.

Shared by the text and image views so both draw curves the same way: whole-number step and epoch axes,
markers when a series has few points (one evaluation is a dot, not an invisible line), and value ranges
that contain every point with a margin (a loss never runs over the top gridline; an accuracy of 0.53
is never off a 0-0.4 axis). The confusion matrix names every class on both axes. Pure functions of
event lists and metrics dicts, so tests check them without a browser.
"""
from __future__ import annotations

import plotly.graph_objects as go

SPARSE_POINTS = 30  # up to this many points a series gets markers, so each measurement is visible
HEIGHT_PX = 280


def series_mode(points: int) -> str:
    return "lines+markers" if points <= SPARSE_POINTS else "lines"


def value_range(values: list[float], floor: float | None = 0.0, at_least: float | None = None) -> list[float]:
    """An axis range holding every value with an 8 % margin on top: from `floor` (or just below the lowest
    value when None) up to past the highest, and at least up to `at_least` (1.04 for a 0-1 score)."""
    low, high = min(values), max(values)
    bottom = min(floor, low) if floor is not None else low - 0.08 * ((high - low) or abs(high) or 1.0)
    top = high + 0.08 * ((high - bottom) or abs(high) or 1.0)
    return [bottom, max(top, at_least) if at_least is not None else top]


def whole_number_axis(values: list[int], title: str) -> dict:
    """An x axis that labels whole steps or epochs only ("16", never "16.000000" or "15.5")."""
    low, high = (min(values), max(values)) if values else (0, 1)
    if low == high:  # a single point: show one step either side so it is not pinned to an edge
        low, high = low - 1, high + 1
    pad = 0.04 * (high - low)  # room for the first and last markers
    return dict(title=title, tickformat="d", dtick=max(1, round((high - low) / 8)), range=[low - pad, high + pad])


def loss_figure(steps: list[dict], title: str = "Training loss") -> go.Figure:
    """Training loss per logged step."""
    x = [int(event["step"]) for event in steps]
    y = [float(event["loss"]) for event in steps]
    figure = go.Figure(go.Scatter(x=x, y=y, mode=series_mode(len(x)), name="training loss"))
    figure.update_layout(title=title, height=HEIGHT_PX, margin=dict(t=40, b=10, l=10, r=10), showlegend=False,
                         xaxis=whole_number_axis(x, "step"),
                         yaxis=dict(title="loss", range=value_range(y) if y else None))
    return figure


def validation_figure(evals: list[dict], x_key: str = "step", metrics: tuple[str, ...] = ("accuracy", "macro_f1"),
                      title: str = "Validation") -> go.Figure:
    """Validation scores per evaluation (once an epoch), on a 0-1 axis that grows if a value ever exceeds it."""
    x = [int(event[x_key]) + (1 if x_key == "epoch" else 0) for event in evals]  # epochs counted from 1
    figure = go.Figure()
    values = []
    for metric in metrics:
        y = [float(event[metric]) for event in evals if metric in event]
        values += y
        figure.add_trace(go.Scatter(x=x[:len(y)], y=y, mode=series_mode(len(y)), name=metric.replace("_", "-")))
    scores = value_range(values, 0.0, at_least=1.04) if values else [0, 1.04]
    figure.update_layout(title=title, height=HEIGHT_PX, margin=dict(t=40, b=10, l=10, r=10),
                         xaxis=whole_number_axis(x, "epoch" if x_key == "epoch" else "step"),
                         yaxis=dict(title="score", range=scores),
                         legend=dict(orientation="h", y=-0.25))
    return figure


def confusion_figure(metrics: dict, height: int = 360) -> go.Figure:
    """True (rows) against predicted (columns), every class labelled, even "0"..."9" as names not numbers."""
    labels = [str(label) for label in metrics["labels"]]
    matrix = metrics["confusion_matrix"]
    figure = go.Figure(go.Heatmap(z=matrix, x=labels, y=labels, colorscale="Blues", text=matrix,
                                  texttemplate="%{text}",
                                  hovertemplate="true %{y}<br>predicted %{x}<br>%{z}<extra></extra>"))
    every_class = dict(type="category", tickmode="array", tickvals=labels, ticktext=labels)
    figure.update_layout(title="Confusion matrix", height=height, margin=dict(l=10, r=10, t=40, b=10),
                         xaxis=dict(title="predicted", **every_class),
                         yaxis=dict(title="true", autorange="reversed", **every_class))
    return figure
