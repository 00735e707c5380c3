"""What the model pages' Compress section shows of the measured rows: the table, the Pareto plot with each
published rule of thumb joined to the row it predicts, and what to say when rows were timed on a busy machine.
Pure functions of the rows (no widgets); ui.models.compress_view renders them."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from business.costs.variant_bills import published_predictions
from modelkit.variants import NOISY_SPREAD


def rows_table(rows: list[dict]) -> pd.DataFrame:
    columns = {"method": "method", "parameters": "parameters", "size_bytes": "size MB",
               "latency_ms_p50": "p50 ms (b=1)", "latency_ms_p95": "p95 ms (b=1)",
               "latency_ms_p50_batch32": "p50 ms (b=32)", "latency_ms_p95_batch32": "p95 ms (b=32)",
               "throughput_per_s": "predictions/s", "accuracy": "accuracy", "macro_f1": "macro-F1",
               "method_seconds": "method s"}
    if any(row.get("size_gzip_bytes") for row in rows):  # measured beside a magnitude-pruned variant
        columns = {**dict(list(columns.items())[:3]), "size_gzip_bytes": "gzip MB", **dict(list(columns.items())[3:])}
    table = pd.DataFrame([{key: row.get(key) for key in columns} for row in rows]).rename(columns=columns)
    table["size MB"] = (pd.to_numeric(table["size MB"], errors="coerce") / 1e6).round(2)
    if "gzip MB" in table:  # text, so a row nobody zipped reads "-", not "None"
        table["gzip MB"] = [f"{value / 1e6:,.2f}" if pd.notna(value) and value else "-" for value in table["gzip MB"]]
    return table


def pareto_figure(rows: list[dict]) -> go.Figure:
    """Accuracy against batch-1 latency, bubble = size on disk; hollow = the published rule's prediction."""
    measured = [row for row in rows if row.get("latency_ms_p50") and row.get("accuracy") is not None]
    figure = go.Figure()
    sizes = [max(row.get("size_bytes") or 0, 1) / 1e6 for row in measured]
    scale = max(sizes, default=1) / 40
    figure.add_trace(go.Scatter(
        x=[row["latency_ms_p50"] for row in measured], y=[row["accuracy"] for row in measured],
        mode="markers+text", text=[row["method"] for row in measured], textposition="top center",
        marker={"size": sizes, "sizemode": "diameter", "sizeref": scale, "sizemin": 6}, name="measured"))
    teacher = next((row for row in measured if row["method"] == "fp32"), None)
    predicted = published_predictions(rows)
    if teacher:
        points = [(p, teacher["latency_ms_p50"] / p.speedup,
                   p.accuracy if p.accuracy is not None else teacher["accuracy"]) for p in predicted.values()]
        figure.add_trace(rule_to_measured(points, {row["method"]: row for row in measured}))
        figure.add_trace(go.Scatter(
            x=[x for _, x, _ in points], y=[y for _, _, y in points], mode="markers",
            text=[f"rule for {p.method}" for p, _, _ in points],
            hovertext=[f"rule for {p.method}: {p.source}" for p, _, _ in points], hoverinfo="text",
            marker={"size": 12, "symbol": "circle-open", "line": {"width": 2}}, name="published rule of thumb"))
    figure.update_layout(xaxis_title="latency p50 at batch 1 (ms, CPU)", yaxis_title="validation accuracy",
                         height=380, margin={"t": 30, "b": 40})
    return figure


def rule_to_measured(points: list, measured: dict[str, dict]) -> go.Scatter:
    """A dotted segment from each published-rule point to the row it predicts: how far the rule was off."""
    xs, ys = [], []
    for prediction, x, y in points:
        row = measured.get(prediction.method)
        if row:
            xs += [x, row["latency_ms_p50"], None]
            ys += [y, row["accuracy"], None]
    return go.Scatter(x=xs, y=ys, mode="lines", line={"dash": "dot", "width": 1, "color": "gray"},
                      hoverinfo="skip", name="rule → measured")


def spread(row: dict) -> float:
    """p95 over p50 at batch 1: rows stored before the "noisy" flag existed are judged by their numbers."""
    p50, p95 = row.get("latency_ms_p50"), row.get("latency_ms_p95")
    return p95 / p50 if isinstance(p50, (int, float)) and isinstance(p95, (int, float)) and p50 > 0 else 0.0


def busy_text(rows: list[dict]) -> str | None:
    """What to say when some rows were timed while other work held the CPU (modelkit.variants.NOISY_SPREAD)."""
    noisy = [row["method"] for row in rows if row.get("noisy") or spread(row) > NOISY_SPREAD]
    if not noisy:
        return None
    load, cores = rows[0].get("load_average"), rows[0].get("cpu_cores")
    busy = f"; load average {load:.1f} on {cores} cores" if load is not None and cores else ""
    which = "Every row was" if len(noisy) == len(rows) else f"{', '.join(noisy)}:"
    return (f"{which} measured while this machine was busy (p95 more than twice p50 at batch 1{busy}), "
            "so the latencies, speed-ups and costs are unreliable. Measure every row again when the machine is "
            "idle.")
