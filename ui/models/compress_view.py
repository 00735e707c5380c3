"""The model pages' "Compress" section (text and image): measured rows, a Pareto plot beside the published
rules of thumb (ui.models.compress_rows), a queued compression job with progress, and what each row costs to serve.

Widgets -> modelkit.jobs (a "compress" job; modelkit.variants reads its progress file) and
business.costs.variant_bills (money, published predictions) -> render. Text runs are distilled, pruned
(heads, FFN neurons), magnitude-pruned (zeroed weights) or put in int8; image runs have their CNN's channels
pruned or are put in static int8. Rows timed on a busy machine are named, and every row can be measured again
(a "compress --measure-only" job). "Serve this variant" saves the project's financial model with the row's cost
per request, measured by the run and naming the variant. Widget keys start with the task's prefix
("text_compress_...", "img_compress_...").
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from business.costs.compute import EstimateError
from business.database import refused_write
from business.costs.variant_bills import floor_note, serve_variant, variant_bills
from modelkit import jobs
from modelkit.paths import runs_root
from modelkit.variants import TEACHER, read_progress
from ui.auth import founder_action, training_time_limit_s
from ui.costs.formats import number_column
from ui.models.compress_rows import busy_text, pareto_figure, rows_table
from ui.models.serving_inputs import cpu_price_input, this_machine_cores, volume_input
from ui.text import plain

PREFIX = {"text": "text", "image": "img"}
HEADING = {"text": "5. Compress (measured)", "image": "Compress (measured)"}
METHODS = {"text": ("distill", "prune", "sparse", "int8"), "image": ("prune", "int8")}
METHOD_NAMES = {"distill": "Distil into fewer layers", "prune": "Prune heads and FFN neurons",
                "sparse": "Zero the smallest weights (unstructured)", "int8": "int8 (dynamic) on top"}
IMAGE_METHOD_NAMES = {"prune": "Prune CNN channels (small CNN)", "int8": "int8 (static) on top"}
WATCHING = "compress_watching"  # the run whose compression job this session saw running


def key(task: str, name: str) -> str:
    """One widget's key: "text_compress_method", "img_compress_method", ..."""
    return f"{PREFIX[task]}_compress_{name}"


def compression_section(run_id: str, card: dict, task: str = "text") -> None:
    st.subheader(HEADING[task], anchor=False)
    st.caption("Each method makes a smaller model from this run and measures it beside the original, "
               "alternating on this machine's CPU so the ratios are fair; every number is measured.")
    rows = [row for row in card.get("compression") or [] if isinstance(row, dict)]
    if rows:
        table = rows_table(rows)
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={"parameters": number_column("parameters", table["parameters"].tolist(), 0)})
        st.plotly_chart(pareto_figure(rows), key=key(task, "pareto"))
        measured_on_a_busy_machine(run_id, rows, task)
    st.fragment(job_panel, run_every=2.0 if compress_active(run_id) else None)(run_id, rows)
    (compress_form if task == "text" else image_compress_form)(run_id, rows)
    if rows:
        money_section(run_id, rows, task)


def measured_on_a_busy_machine(run_id: str, rows: list[dict], task: str) -> None:
    if text := busy_text(rows):
        st.warning(plain(text))
    if st.button("Measure every row again", key=key(task, "remeasure"), disabled=compress_active(run_id),
                 help="Times and scores the teacher and every variant again, side by side; builds nothing."):
        submit_job(run_id, {"measure_only": True})


def compress_active(run_id: str) -> bool:
    status = jobs.job_status(run_id, runs_root())
    return status.get("spec", {}).get("command") == "compress" and status["state"] in jobs.ACTIVE


def job_panel(run_id: str, rows: list[dict]) -> None:
    status = jobs.job_status(run_id, runs_root())
    if status.get("spec", {}).get("command") != "compress":
        return
    progress = read_progress(runs_root() / run_id) or {}
    if status["state"] in jobs.ACTIVE:
        st.session_state[WATCHING] = run_id
        total, step = progress.get("total") or 0, progress.get("step") or 0
        what = f"{progress.get('variant', 'variant')}: {progress.get('phase', status['state'])}"
        st.progress(step / total if total else 0.0, text=plain(f"{what} {step}/{total}" if total else what))
    elif st.session_state.pop(WATCHING, None) == run_id:
        st.rerun(scope="app")  # the job just ended: redraw the table and the plot with its row
    elif status["state"] == "done":
        made = next((row for row in rows if row.get("variant") == progress.get("variant")), None)
        teacher = next((row for row in rows if row.get("method") == "fp32"), None)
        if made and teacher and made is not teacher:
            st.success(plain(f"{made['method']} measured: {teacher['latency_ms_p50'] / made['latency_ms_p50']:.2f}× "
                             f"the teacher's speed at batch 1, accuracy {made['accuracy']:.3f} "
                             f"(teacher {teacher['accuracy']:.3f})."))
    elif status["state"] == "failed":
        st.error(plain("The last compression job failed: " + (status.get("error") or "no message").splitlines()[-1]))
    elif status["state"] == "cancelled":
        st.info("The last compression job was cancelled; the trained model and earlier variants are unchanged.")


def int8_bases(rows: list[dict]) -> list[str]:
    return [TEACHER] + [row["method"] for row in rows if row.get("kind") in ("distill", "prune", "sparse")]


def compress_form(run_id: str, rows: list[dict]) -> None:
    layers = teacher_layers(run_id)
    with st.form(key("text", "form"), border=True):
        cols = st.columns(3)
        cols[0].selectbox("Method", METHODS["text"], format_func=METHOD_NAMES.get, key=key("text", "method"))
        cols[1].number_input("Student layers (distil)", min_value=1, max_value=max(1, layers - 1),
                             value=max(1, layers // 2), key=key("text", "layers"),
                             help="Taken from every other teacher layer.")
        cols[2].number_input("Distillation epochs", min_value=0.5, max_value=20.0, value=None, step=0.5,
                             key=key("text", "epochs"), placeholder="from the data",
                             help="Empty: chosen from the data, at least 3 passes and about 150 steps (on the 256 "
                                  "support tickets, 24 steps lost 10.9 points of accuracy and 150 lost none).")
        cols = st.columns(3)
        cols[0].slider("Heads removed (prune)", 0.0, 0.9, 0.5, 0.05, key=key("text", "heads"))
        cols[1].slider("FFN neurons removed (prune)", 0.0, 0.9, 0.5, 0.05, key=key("text", "ffn"))
        cols[2].slider("Weights zeroed (unstructured)", 0.1, 0.9, 0.5, 0.05, key=key("text", "sparsity"),
                       help="The smallest weights of the Linear layers (not the embedding table or the classifier) "
                            "are set to zero, then the "
                            "model is fine-tuned with them held at zero. The tensors stay dense: smaller when "
                            "zipped, not faster on a CPU or GPU (measured in the table, gzip MB column).")
        st.selectbox("int8 on top of", int8_bases(rows), key=key("text", "base"))
        submitted = st.form_submit_button("Start compression job")
    if submitted:
        submit_job(run_id, job_flags())


def image_compress_form(run_id: str, rows: list[dict]) -> None:
    from modelkit.vision.variants import run_model_name  # a JSON read, no torch

    model = run_model_name(runs_root() / run_id)
    methods = METHODS["image"] if model == "small_cnn" else ("int8",)
    if model != "small_cnn":
        st.caption(plain(f"Channel pruning is offered for small CNN runs; this run is {model}, so int8 only."))
    with st.form(key("image", "form"), border=True):
        cols = st.columns(3)
        cols[0].selectbox("Method", methods, format_func=IMAGE_METHOD_NAMES.get, key=key("image", "method"))
        cols[1].slider("Channels removed (prune)", 0.05, 0.9, 0.5, 0.05, key=key("image", "channels"),
                       help="The share of every convolution's channels removed, the least important first (L1 "
                            "norm of each filter as its batch-norm scales it); the smaller CNN is then fine-tuned.")
        cols[2].number_input("Recovery epochs (prune)", min_value=0.5, max_value=20.0, value=1.0, step=0.5,
                             key=key("image", "epochs"))
        st.selectbox("int8 on top of", int8_bases(rows), key=key("image", "base"))
        submitted = st.form_submit_button("Start compression job")
    if submitted:
        submit_job(run_id, image_job_flags())


def submit_job(run_id: str, flags: dict) -> None:
    try:
        founder_action("start a compression job", jobs.submit,
                       jobs.JobSpec(command="compress", run_id=run_id, config=flags,
                                    time_limit_s=training_time_limit_s()), runs_root())
    except ValueError as error:  # e.g. the run is already busy with another job
        st.error(plain(str(error)))
    except OSError as error:  # a full or read-only data folder
        st.error(plain(refused_write(error, "start the compression job")))
    else:
        st.rerun()  # the progress panel starts polling


def teacher_layers(run_id: str) -> int:
    """From the saved model's config.json: a plain JSON read, no model load."""
    import json

    try:
        return int(json.loads((runs_root() / run_id / "model" / "config.json").read_text())["num_hidden_layers"])
    except (OSError, ValueError, KeyError, TypeError):
        return 6  # the bundled MiniLM's depth; the job itself refuses a student that is not smaller


def job_flags() -> dict:
    """The compression request as CLI flags (modelkit.jobs passes `config` to `python -m modelkit compress`)."""
    state = st.session_state
    method = state[key("text", "method")]
    flags = {"method": method}
    if method == "distill":
        flags["layers"] = int(state[key("text", "layers")])
        if state[key("text", "epochs")] is not None:
            flags["epochs"] = float(state[key("text", "epochs")])
    elif method == "prune":
        flags.update(heads_fraction=float(state[key("text", "heads")]), ffn_fraction=float(state[key("text", "ffn")]))
    elif method == "sparse":
        flags["sparsity"] = float(state[key("text", "sparsity")])
    else:
        flags["base"] = state[key("text", "base")]
    return flags


def image_job_flags() -> dict:
    state = st.session_state
    method = state[key("image", "method")]
    if method == "prune":
        return {"method": method, "channels_fraction": float(state[key("image", "channels")]),
                "recovery_epochs": float(state[key("image", "epochs")])}
    return {"method": method, "base": state[key("image", "base")]}


def money_section(run_id: str, rows: list[dict], task: str = "text") -> None:
    from business.costs.catalog import load_catalog

    st.markdown("**What each row costs to serve**")
    cols = st.columns(2)
    price = cpu_price_input(key(task, "cpu_usd_per_hour"), cols[0])
    volume = volume_input(key(task, "requests_per_month"), cols[1])
    try:
        bills = variant_bills(rows, load_catalog(), volume, price, cpu_cores=this_machine_cores())
    except EstimateError as error:
        st.error(plain(str(error)))
        return
    st.dataframe(pd.DataFrame([{"method": b.method, "predictions/s": b.throughput_per_s,
                                "USD per 1,000": str(b.usd_per_1k_predictions), "USD per month": str(b.monthly_usd),
                                "priced on": b.machine.label} for b in bills]), hide_index=True, width="stretch")
    if note := floor_note(bills, volume):
        st.caption(plain(note))
    choice = st.selectbox("Serve this variant", [b.method for b in bills], key=key(task, "serve"))
    if st.button("Use its cost in the financial model", key=key(task, "serve_button")):
        bill = next(b for b in bills if b.method == choice)
        if busy_text([row for row in rows if row.get("method") == choice]):
            st.error(plain(f"{choice} was measured while this machine was busy, so its cost would be wrong in the "
                           "financial model and the investor view. Measure every row again, then serve it."))
            return
        try:
            founder_action("change the financial model", save_cost, run_id, serve_variant(run_id, bill, date.today()))
        except ValueError as error:  # a save against a newer version, or a cost the model refuses
            st.error(plain(str(error)))


def save_cost(run_id: str, cost) -> None:
    from dataclasses import replace

    from business.financials.storage import load_assumptions, save_assumptions
    from ui.session import current_project_id, flash, get_store

    store, project_id = get_store(), current_project_id()
    assumptions, version = load_assumptions(store, project_id)
    if assumptions is None:
        st.error("Save the financial model once (Costs / Financial model) before serving a variant into it.")
        return
    save_assumptions(store, project_id, replace(assumptions, cost_per_request=cost), version,
                     f"cost per request from run {run_id}")
    flash(f"The financial model now uses {cost.describe()}.")
    st.success(plain(f"The financial model now uses {cost.describe()}."))
