"""The image page's "Compare models" section: every image model available here, trained on the same data with
the same budget as queued jobs, then one table and one plot of what was measured, priced per 1,000 predictions.

Widgets -> modelkit.vision.compare (plan, queue, progress, cancel; the measuring job writes rows.json) and
business.costs.model_comparison (money) -> render. "Make featured" saves the row's run as the project's
featured image run (business/reports/featured.py), a founder's action.
"""
from __future__ import annotations

import sys

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from business.costs.compute import EstimateError
from business.costs.model_comparison import price_rows
from business.database import refused_write
from modelkit import jobs
from modelkit.paths import runs_root
from ui.auth import founder_action, require_founder, training_time_limit_s
from ui.text import plain
from ui.warmup import model_library

START = "cmp_start"
EPOCHS = "cmp_epochs"
PICK = "cmp_pick"
CANCEL = "cmp_cancel"
CPU_PRICE = "cmp_cpu_usd_per_hour"
FEATURE = "cmp_feature_"  # + run id
SET_UP = "cmp_set_up"  # the founder asked for the comparison form before the model library was loaded
SET_UP_BUTTON = "cmp_set_up_button"
WATCHING = "cmp_watching"  # the comparison this session saw running
STATE_WORDS = {"queued": "waiting in the queue", "running": "training", "cancelling": "stopping",
               "done": "done", "failed": "failed", "cancelled": "cancelled"}


@st.cache_data(ttl=120, show_spinner=False)
def available_candidates() -> list:
    """Which models this machine can compare (a quick network probe when a backbone's weights are not cached)."""
    from modelkit.vision.compare import candidates

    return candidates()


def compare_section(config: dict | None) -> None:
    """`config`: the page's training settings for the checked data (None when no data is checked yet)."""
    from modelkit.vision.compare import list_comparisons
    from ui.session import current_project_id

    st.subheader("Compare models", anchor=False)
    st.caption("Trains every image model available on this machine on the same images with the same budget "
               "(epochs, step cap, batch size, seed, validation split), one queued job each, then measures them "
               "side by side on this CPU. Each model stays a normal run you can open above.")
    if config:
        start_form(config)
    comparisons = list_comparisons(current_project_id())
    if not comparisons:
        st.caption("No comparison in this project yet.")
        return
    ids = [plan["comparison_id"] for plan in comparisons]
    chosen = st.selectbox("Comparison", ids, key=PICK, format_func=lambda i: comparison_label(comparisons, i))
    plan = comparisons[ids.index(chosen)]
    st.fragment(progress_panel, run_every=2.0 if comparison_active(chosen) else None)(chosen)
    results(plan)


def comparison_label(comparisons: list[dict], comparison_id: str) -> str:
    plan = next(p for p in comparisons if p["comparison_id"] == comparison_id)
    models = sum(1 for c in plan["candidates"] if c.get("run_id"))
    return (f"{comparison_id} - {models} models, {plan['budget']['epochs']} epoch(s), {plan['train_images']:,} training "
            "images")


def start_form(config: dict) -> None:
    # Listing the candidates needs torchvision; a page opened before the background import finished draws
    # a button instead, so the first render stays quick (the data check above is already on screen).
    if "torchvision" not in sys.modules and not st.session_state.get(SET_UP):
        if not st.button("Set up a comparison", key=SET_UP_BUTTON):
            return
        st.session_state[SET_UP] = True
    with model_library("Listing the models this machine can compare…"):
        from modelkit.vision.model import MODELS

        found = available_candidates()
    st.dataframe(pd.DataFrame([{"model": MODELS.get(c.model, c.model), "compared": "yes" if c.available else "no",
                                "why": c.reason} for c in found]), hide_index=True, width="stretch")
    cols = st.columns([1, 2])
    epochs = cols[0].number_input("Epochs for every model", 1, 100, int(config.get("epochs") or 2), key=EPOCHS)
    steps = config.get("max_steps")
    cols[1].caption(f"Same for all: batch {config['batch_size']}, seed {config['seed']}, validation share "
                    f"{config['val_fraction']:.0%}" + (f", at most {steps} steps" if steps else "") + "; the learning "
                    "rate follows the model (from scratch or pretrained).")
    if st.button("Compare models on this data", key=START):
        start(config, int(epochs))


def start(config: dict, epochs: int) -> None:
    from modelkit.vision.compare import Budget, start_comparison
    from ui.session import current_project_id

    budget = Budget(epochs=epochs, max_steps=config.get("max_steps"), batch_size=int(config["batch_size"]),
                    seed=int(config["seed"]), val_fraction=float(config["val_fraction"]),
                    augment=config.get("augment") or "")
    try:
        require_founder("start a model comparison")  # the server refuses an investor, whatever the page offered
        st.session_state[PICK] = start_comparison(config["data_path"], budget, current_project_id(),
                                                  time_limit_s=training_time_limit_s())
    except ValueError as error:  # ComparisonError, ImageDataError, JobError, ReadOnlyStoreError: a clear message
        st.error(plain(str(error)))
    except OSError as error:
        st.error(plain(refused_write(error, "start the comparison")))


def comparison_active(comparison_id: str) -> bool:
    from modelkit.vision.compare import is_active, progress

    return is_active(progress(comparison_id, runs_root()))


def progress_panel(comparison_id: str) -> None:
    from modelkit.vision.compare import cancel_comparison, is_active, progress

    states = progress(comparison_id, runs_root())
    if not is_active(states):
        if st.session_state.pop(WATCHING, None) == comparison_id:
            st.rerun(scope="app")  # it just ended: redraw the table and the plot
        for item in states:
            if item.state in ("failed", "cancelled"):
                st.warning(plain(f"{item.model} ({item.run_id}): {item.state}. {item.error}"))
        return
    st.session_state[WATCHING] = comparison_id
    for item in states:
        what = "measuring side by side" if item.model == "measure" else item.model
        share = item.step / item.total_steps if item.total_steps else (1.0 if item.state == "done" else 0.0)
        steps = f", step {item.step} / {item.total_steps}" if item.total_steps else ""
        st.progress(min(share, 1.0), text=plain(f"{what}: {STATE_WORDS.get(item.state, item.state)}{steps}"))
    if st.button("Cancel the comparison", key=CANCEL):
        founder_action("cancel a model comparison", cancel_comparison, comparison_id, runs_root())
        st.rerun(scope="app")


def results(plan: dict) -> None:
    from modelkit.vision.compare import read_rows

    table = read_rows(plan["comparison_id"], runs_root())
    if table is None:
        st.caption("The table appears when every model has trained and been measured.")
        return
    from modelkit.vision.model import MODELS

    for skipped in table["skipped"]:
        st.caption(plain(f"Not compared: {MODELS.get(skipped['model'], skipped['model'])}: {skipped['reason']}"))
    rows = table["rows"]
    if not rows:
        st.warning("No model of this comparison finished training, so nothing was measured.")
        return
    from ui.models.serving_inputs import cpu_price_input

    costs = priced(rows, cpu_price_input(CPU_PRICE, st))  # measured on this CPU: priced on a CPU machine
    st.dataframe(rows_table(rows, costs), hide_index=True, width="stretch")
    st.caption(plain(source_line(table, plan)))
    st.plotly_chart(tradeoff_figure(rows), key="cmp_plot")
    feature_buttons(rows)


def priced(rows: list[dict], price: str | None) -> dict:
    """Run id -> its bill: on the catalog's CPU machine with as many cores (price None), else at the founder's."""
    from business.costs.catalog import load_catalog
    from ui.models.serving_inputs import this_machine_cores

    try:
        return {bill.run_id: bill for bill in price_rows(rows, load_catalog(), price, this_machine_cores())}
    except EstimateError as error:
        st.error(plain(str(error)))
        return {}


def rows_table(rows: list[dict], costs: dict) -> pd.DataFrame:
    return pd.DataFrame([{
        "model": row["name"], "run": row["run_id"], "accuracy (val)": row["accuracy"], "macro-F1 (val)": row["macro_f1"],
        "p50 ms (b=1)": row["latency_ms_p50"], "p95 ms (b=1)": row["latency_ms_p95"],
        "p50 ms (b=32)": row["latency_ms_p50_batch32"], "p95 ms (b=32)": row["latency_ms_p95_batch32"],
        "size MB": round(row["size_bytes"] / 1e6, 2), "parameters": row["parameters"],
        "training s": row["train_seconds"], "input px": row["image_size"],
        "USD per 1,000": str(costs[row["run_id"]].usd_per_1k_predictions) if row["run_id"] in costs else "-",
    } for row in rows])


def source_line(table: dict, plan: dict) -> str:
    hardware = table["hardware"]
    return (f"Measured on this machine's CPU ({hardware['cpu']}, {hardware['torch_threads']} threads) by comparison "
            f"{plan['comparison_id']} at {table['measured_at']}: latency in milliseconds per forward pass at batch 1 "
            f"and 32 ({table['repeats']['batch_1']} and {table['repeats']['batch_32']} timed passes, alternating "
            f"between the models); accuracy and macro-F1 on the same {plan['val_images']:,} validation images, from "
            "each run's own evaluation; size = weight files on disk; training s = the job's wall time (data, cached "
            "features, training, evaluation); USD per 1,000 = the CPU machine's price over the batch-32 throughput, "
            "kept busy.")


def tradeoff_figure(rows: list[dict]) -> go.Figure:
    """Accuracy against batch-1 latency (log scale), bubble area ~ size on disk."""
    sizes = [max(row["size_bytes"], 1) / 1e6 for row in rows]
    figure = go.Figure(go.Scatter(
        x=[row["latency_ms_p50"] for row in rows], y=[row["accuracy"] for row in rows], mode="markers+text",
        text=[row["name"].split(" (")[0] for row in rows], textposition="top center",
        customdata=[[row["run_id"], size, row["parameters"]] for row, size in zip(rows, sizes)],
        hovertemplate="%{text}<br>run %{customdata[0]}<br>p50 %{x:.2f} ms<br>accuracy %{y:.3f}<br>"
                      "%{customdata[1]:.2f} MB, %{customdata[2]:,} parameters<extra></extra>",
        marker={"size": sizes, "sizemode": "area", "sizeref": 2 * max(sizes) / 50 ** 2, "sizemin": 8}))
    figure.update_layout(xaxis_title="latency p50 at batch 1 (ms, this CPU; log scale)",
                         yaxis_title="validation accuracy", xaxis_type="log", height=400,
                         margin={"t": 30, "b": 40}, showlegend=False)
    return figure


def feature_buttons(rows: list[dict]) -> None:
    from ui.models.run_choice import featured_id

    chosen = featured_id("image")
    st.markdown("**Show one to investors**")
    for row in rows:
        cols = st.columns([3, 1])
        cols[0].text(f"{row['name']} - run {row['run_id']}" + (" - shown to investors" if row["run_id"] == chosen else ""))
        if cols[1].button("Make featured", key=FEATURE + row["run_id"], disabled=row["run_id"] == chosen):
            make_featured(row["run_id"])


def make_featured(run_id: str) -> None:
    from business.reports.featured import feature_run
    from ui.models.run_choice import MESSAGE
    from ui.session import current_project_id, get_store

    saved = {}
    try:
        done = founder_action("choose what investors see", lambda: saved.update(
            version=feature_run(get_store(), current_project_id(), "image", run_id)))
    except ValueError as error:  # FeaturedRunError, a stale or read-only store
        st.error(plain(str(error)))
        return
    if done:
        st.session_state[MESSAGE] = ("success", f"Investors now see image run {run_id} (saved as version "
                                                f"{saved['version']} of this choice).")
        st.rerun()
