"""Sections of the Text classifier page (the page itself is pages/text_classifier.py)."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import streamlit as st

from business.costs.run_cards import caveat_tags, run_caveats
from business.csv_safety import neutral_frame
from business.database import refused_write
from modelkit import jobs
from business.limits import MAX_TABLE_BYTES, MIB, binary_size
from modelkit.events import read_events
from modelkit.paths import app_data_dir, example_dataset_path, runs_root
from modelkit.runs import read_run_card
from ui.models.data_check import checked_text_data, discard_upload, table_too_large
from ui.models.uploads import stored_or_said, write_once
from ui.text import plain
from ui.warmup import model_library
from ui.auth import batch_row_limit, founder_action, require_founder, training_time_limit_s
from ui.models.charts import confusion_figure, loss_figure, validation_figure
from ui.models.run_choice import featured_id, project_runs, run_label
from ui.session import current_project_id

# Session-state keys (page-local until ui/keys.py carries them)
RUN_ID = "text_run_id"
SOURCE = "text_source"
UPLOAD = "text_upload"
MODEL = "text_model"
DEMO_TEXT = "text_demo_text"
COMPARE = "text_compare"
SEEN_STATE = "text_seen_state"
HF_PATH = "text_hf_path"
HF_SOURCE = "Hugging Face dataset"
MODELS = {"bundled": "all-MiniLM-L6-v2 (bundled, offline)", "tiny-bert": "Tiny BERT (random, smoke test)",
          "hub": "A Hugging Face model id"}


def predictor_for(run_dir: str, stamp: float):
    with model_library("Loading the trained model..."):
        return _load_predictor(run_dir, stamp)


@st.cache_resource(show_spinner=False, max_entries=3)
def _load_predictor(run_dir: str, stamp: float):
    from modelkit.text.predict import Predictor

    return Predictor.from_run(run_dir)


def saved_upload() -> Path | None:
    """Uploads are written under APP_DATA_DIR/uploads so the training process can read them.

    A write: refused (ReadOnlyStoreError) for an investor's session, whatever the page offered."""
    upload = st.session_state.get(UPLOAD)
    if upload is None:
        return None
    require_founder("upload data")
    raw = upload.getvalue()
    name = f"{hashlib.sha256(raw).hexdigest()[:16]}{Path(upload.name).suffix.lower() or '.csv'}"
    path = app_data_dir() / "uploads" / name
    write_once(path, raw)
    return path


def hf_dataset_path() -> Path | None:
    """A hub dataset (online or cached) or a saved folder, kept under uploads as JSONL like an upload."""
    from modelkit.text.sources import load_hf_dataset, save_table_jsonl

    with st.form("text_hf_form"):
        name = st.text_input("Dataset name or saved folder", placeholder="stanfordnlp/sst2 or /data/my_dataset",
                             key="text_hf_name")
        c1, c2, c3, c4 = st.columns(4)
        config = c1.text_input("Config (optional)", key="text_hf_config")
        split = c2.text_input("Split", "train", help="a slice works too, e.g. train[:2000]", key="text_hf_split")
        text_col = c3.text_input("Text column (optional)", key="text_hf_text")
        label_col = c4.text_input("Label column (optional)", key="text_hf_label")
        loaded = st.form_submit_button("Load dataset")
    if loaded:
        try:
            require_founder("load a dataset")
            with st.spinner("Loading the dataset..."):
                table = load_hf_dataset(name, config, split, text_col.strip() or None, label_col.strip() or None)
            st.session_state[HF_PATH] = str(save_table_jsonl(table, app_data_dir() / "uploads"))
        except (ValueError, OSError) as error:  # OSError: a full or read-only data folder
            st.session_state.pop(HF_PATH, None)
            st.error(plain(str(error) if isinstance(error, ValueError) else refused_write(error, "keep the dataset")))
            return None
        for warning in table.warnings:
            st.warning(plain(warning))
    if not st.session_state.get(HF_PATH):
        st.info("Name a Hugging Face dataset (downloaded when online, or already cached) or the folder of a saved one.")
        return None
    return Path(st.session_state[HF_PATH])


def data_section() -> tuple[dict, object] | None:
    """Pick data, map columns, show the data check; (the training config's data part, the data report),
    or None."""
    st.subheader("1. Data", anchor=False)
    source = st.radio("Data", ["Built-in example: support tickets", "Upload CSV / TSV / JSONL", HF_SOURCE], key=SOURCE,
                      horizontal=True, label_visibility="collapsed")
    path = example_dataset_path()
    if source == HF_SOURCE:
        path = hf_dataset_path()
        if path is None:
            return None
    elif source.startswith("Upload"):
        upload = st.file_uploader(f"Labelled texts (max {binary_size(MAX_TABLE_BYTES)})", key=UPLOAD,
                                  type=["csv", "tsv", "jsonl", "json", "txt"], max_upload_size=MAX_TABLE_BYTES // MIB)
        refusal = table_too_large(upload.size) if upload is not None else ""
        path = None if refusal else stored_or_said(saved_upload)
        if refusal:
            st.error(plain(refusal))
        if path is None:
            st.info("Upload a table with a text column and a label column.")
            return None
    uploaded = source.startswith("Upload")
    shown_name = upload.name if uploaded else Path(path).name  # never where the server keeps it
    columns, text_index, label_index = table_columns(str(path))
    text_col = st.selectbox("Text column", columns, index=text_index, key="text_text_column") if columns else None
    label_col = st.selectbox("Label column", columns, index=label_index, key="text_label_column") if columns else None
    merge = st.checkbox("Merge labels that differ only by case or spaces", key="text_merge_labels")
    checked = checked_text_data(path, shown_name, text_col, label_col, merge,
                                st.session_state.get("text_max_length", 128))
    if checked.error:
        st.error(plain(checked.error))
        if uploaded:
            discard_upload(path)  # a refused upload leaves nothing in uploads/
        return None
    show_report(checked.report)
    data = {"data_path": "" if path == example_dataset_path() else str(path), "text_column": checked.text_column,
            "label_column": checked.label_column, "merge_label_variants": merge}
    return data, checked.report


@st.cache_data(show_spinner=False)
def table_columns(path: str) -> tuple[list[str], int, int]:
    """The table's columns and the positions of the text and label columns modelkit would pick (or guess)."""
    from modelkit.text.columns import map_columns
    from modelkit.text.data import decode_text, parse_frame, read_bytes

    try:
        text = decode_text(read_bytes(path))[0]
        sample = text if len(text) <= 200_000 else text[:200_000].rsplit("\n", 1)[0]  # whole lines only
        frame = parse_frame(sample, path, even_rows=len(sample) == len(text))
    except ValueError:
        return [], 0, 0
    columns = [str(c) for c in frame.columns]
    try:
        mapping = map_columns(frame)
        return columns, columns.index(mapping.text.column), columns.index(mapping.label.column)
    except ValueError:
        return columns, 0, min(1, len(columns) - 1)


def show_report(report) -> None:
    cols = st.columns(5)
    cols[0].metric("Rows", f"{report.rows:,}", help=f"{report.train_rows} train / {report.val_rows} validation")
    cols[1].metric("Classes", len(report.class_counts))
    cols[2].metric("Imbalance", f"{report.imbalance_ratio}:1")
    cols[3].metric("Duplicates", report.duplicate_texts)
    cols[4].metric("Tokens p95", report.token_length_percentiles.get("p95", "-"),
                   help=f"{report.truncated_texts} text(s) longer than {report.max_length} tokens are truncated")
    st.bar_chart(pd.Series(report.class_counts, name="texts"), horizontal=True, height=160)
    for warning in report.warnings:
        st.warning(plain(warning))
    st.caption(plain(f"Encoding {report.encoding}; empty texts {report.empty_texts}; validation texts also in training "
               f"{report.train_val_overlap}; token length percentiles "
               f"{', '.join(f'{k} {v:,}' for k, v in report.token_length_percentiles.items())}."))


@st.fragment
def training_form(data: dict, report) -> None:
    """Settings start from the data's suggestions (reasons on hover); warnings and the predicted time follow
    every change at once (a fragment: the data check above is not redone)."""
    from modelkit.defaults import short_run_warnings, text_defaults
    from modelkit.text.names import display_name
    from ui.models.before_start import on_gpu, predict_text, show_before_start

    st.subheader("2. Train", anchor=False)
    token_p95 = (report.token_length_percentiles or {}).get("p95")
    suggested = text_defaults(report.train_rows, len(report.class_counts), token_p95, on_gpu())
    why = suggested.reasons
    choice = st.selectbox("Model", list(MODELS), format_func=MODELS.get, key=MODEL)
    hub_id = st.text_input("Hugging Face model id (when chosen above)", "distilbert-base-uncased", key="text_hub_id")
    c1, c2, c3, c4 = st.columns(4)
    epochs = c1.number_input("Epochs", 1, 50, suggested.epochs, key="text_epochs", help=why["epochs"])
    batch = c2.number_input("Batch size", 1, 512, suggested.batch_size, key="text_batch", help=why["batch_size"])
    rate = c3.number_input("Learning rate", 1e-6, 1e-2, suggested.learning_rate, format="%.0e", key="text_lr",
                           help=why["learning_rate"])
    length = c4.number_input("Max tokens", 16, 512, suggested.max_length, key="text_max_length",
                             help=why["max_length"])
    c5, c6, c7 = st.columns(3)
    max_steps = c5.number_input("Stop after steps (0 = all)", 0, 10**6, 0, key="text_max_steps")
    seed = c6.number_input("Seed", 0, 10**6, 42, key="text_seed")
    processes = c7.number_input("Processes (GPUs)", 1, 16, 1, key="text_processes")
    model = hub_id.strip() if choice == "hub" else choice
    warnings = short_run_warnings(int(epochs), int(max_steps) or None, float(rate), int(batch), report.train_rows,
                                  suggested)
    # one pass's tokens at this length (the data check counted them at the length of its last run)
    tokens = min(report.train_tokens or report.train_rows * int(length), report.train_rows * int(length))
    passes = min(int(epochs), -(-int(max_steps) * int(batch) // max(report.train_rows, 1)) if max_steps else int(epochs))
    prediction = predict_text(model, display_name(model), tokens, passes)
    show_before_start(warnings, prediction)
    if st.button("Start training", type="primary", key="text_start"):
        config = {**data, "model_name": model, "epochs": int(epochs), "batch_size": int(batch),
                  "learning_rate": float(rate), "max_length": int(length), "seed": int(seed),
                  "max_steps": int(max_steps) or None,
                  "predicted_seconds": None if isinstance(prediction, str) else round(prediction.seconds, 1)}
        if start_job(config, int(processes)):
            st.rerun(scope="app")  # the run picker and live panel below are outside this fragment


def start_job(config: dict, processes: int) -> bool:
    from modelkit.text.model import resolve_model_source

    try:
        require_founder("start training")
        resolve_model_source(config["model_name"])  # offline and not cached: say so now, not in a log
        st.session_state[RUN_ID] = jobs.submit(jobs.JobSpec(config=config, num_processes=processes,
                                                            time_limit_s=training_time_limit_s(),
                                                            project_id=current_project_id()))
        return True
    except ValueError as error:
        st.error(plain(str(error)))
    except OSError as error:  # the run folder cannot be written: a full or read-only data folder
        st.error(plain(refused_write(error, "start training")))
    return False


def run_picker():
    """This project's text runs; the picked one (a modelkit RunSummary), or None when it has none."""
    runs = project_runs("text")
    if not runs:
        st.caption("No text run in this project yet.")
        return None
    ids = [run.run_id for run in runs]
    current = st.session_state.get(RUN_ID)
    shown = featured_id("text")
    labels = {run.run_id: run_label(run, shown) for run in runs}
    picked = st.selectbox("Run", ids, index=ids.index(current) if current in ids else 0, format_func=labels.get)
    st.session_state[RUN_ID] = picked
    return next(run for run in runs if run.run_id == picked)


def live_panel(run_id: str) -> None:
    """Polls the run folder: state, queue, progress/ETA, curves, cancel. Reruns the page when a job ends."""
    status = jobs.job_status(run_id, runs_root())
    state = status["state"]
    if st.session_state.get(SEEN_STATE, {}).get(run_id) in jobs.ACTIVE and state not in jobs.ACTIVE:
        st.session_state[SEEN_STATE][run_id] = state
        st.rerun(scope="app")
    st.session_state.setdefault(SEEN_STATE, {})[run_id] = state
    queue = jobs.list_queue(status["device"], runs_root())
    st.markdown(f"**State:** {state} on `{status['device']}`" + (f" - {status['ahead']} job(s) ahead" if state == "queued" else ""))
    if queue:
        st.dataframe(pd.DataFrame([{"position": j["position"], "run": j["run_id"], "state": j["state"],
                                    "model": j["spec"]["config"].get("model_name")} for j in queue]), hide_index=True)
    progress = status.get("progress")
    if progress:
        st.progress(min(progress["step"] / max(progress["total_steps"], 1), 1.0),
                    text=f"step {progress['step']}/{progress['total_steps']} - {progress['samples_per_s']} samples/s - "
                         f"ETA {progress['eta_s']:.0f} s")
    draw_curves(runs_root() / run_id)
    for event in read_events(runs_root() / run_id, ("oom_retry", "early_stop", "note")):
        st.info(plain(event.get("message") or json.dumps(event)))
    if state in ("queued", "running"):
        if st.button("Cancel", key=f"cancel_{run_id}"):
            founder_action("cancel a training job", jobs.cancel, run_id, runs_root())
    if state == "failed":
        st.error(f"The {status['spec'].get('command', 'training')} job failed. The last lines of its log:")
        st.code(status.get("error") or jobs.log_tail(runs_root() / run_id), language=None)
    if status.get("stopped_because"):
        st.warning(f"Stopped: {status['stopped_because']} (the hosted app's cap per job).")


def draw_curves(run_dir: Path) -> None:
    steps, evals = read_events(run_dir, ("step",)), read_events(run_dir, ("eval",))
    left, right = st.columns(2)
    if steps:
        left.plotly_chart(loss_figure(steps), key=f"text_loss_{run_dir.name}")
    if evals:
        right.plotly_chart(validation_figure(evals), key=f"text_validation_{run_dir.name}")


def results_section(run_dir: Path, card: dict) -> None:
    st.subheader("3. Results", anchor=False)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Accuracy", f"{metrics['accuracy']:.3f}")
    c2.metric("Macro-F1", f"{metrics['macro_f1']:.3f}")
    c3.metric("Latency p50 (batch 1)", f"{card['latency_ms']['p50']:.1f} ms", help=card["throughput"]["device"])
    c4.metric("Size on disk", f"{card['size_bytes'] / 1e6:.1f} MB")
    left, right = st.columns(2)
    left.dataframe(pd.DataFrame(metrics["per_class"]).T, width="stretch")
    right.plotly_chart(confusion_figure(metrics), width="stretch")
    if metrics.get("mistakes"):
        st.caption("Most confident mistakes")
        st.dataframe(pd.DataFrame(metrics["mistakes"]), hide_index=True, width="stretch")
    d1, d2, d3 = st.columns(3)
    d1.download_button("Run card (JSON)", json.dumps(card, indent=2), f"{run_dir.name}.json", key="text_card_json")
    d2.download_button("Run card (Markdown)", (run_dir / "run_card.md").read_text(), f"{run_dir.name}.md",
                       key="text_card_md")
    if d3.button("Prepare model download", key="text_zip"):
        d3.download_button("Model (safetensors, zip)", model_zip(str(run_dir / "model")), f"{run_dir.name}-model.zip",
                           key="text_model_zip")


def model_zip(model_dir: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for file in Path(model_dir).iterdir():
            archive.write(file, f"model/{file.name}")
    return buffer.getvalue()


@st.fragment
def demo_section(run_dir: Path) -> None:
    st.subheader("4. Try it", anchor=False)
    predictor = predictor_for(str(run_dir), (run_dir / "model" / "model.safetensors").stat().st_mtime)
    text = st.text_area("Text", "I was charged twice for my subscription this month.", key=DEMO_TEXT)
    if text.strip():
        row = predictor.predict([text]).iloc[0]
        probabilities = pd.Series({name: row[f"p_{name}"] for name in predictor.label_names}, name="probability")
        st.markdown(f"Predicted: **{plain(row['label'])}** ({row['confidence']:.1%})")
        st.bar_chart(probabilities, horizontal=True, height=40 + 28 * len(probabilities))
    batch = st.file_uploader("Predict a whole CSV (a text column is enough)", type=["csv", "tsv", "jsonl"],
                             key="text_batch_upload")
    if batch is not None:
        try:
            frame = predictor.predict_table(batch.getvalue(), batch.name, max_rows=batch_row_limit())
        except ValueError as error:
            st.error(plain(str(error)))
            return
        st.dataframe(frame.head(50), hide_index=True)
        st.download_button("Download predictions (CSV)", neutral_frame(frame).to_csv(index=False), "predictions.csv",
                           key="text_predictions_csv")


def compare_section() -> None:
    cards = {run.run_id: read_run_card(run.path) for run in project_runs("text")}
    cards = {run_id: card for run_id, card in cards.items() if card}
    if len(cards) < 2:
        return
    st.subheader("6. Compare runs", anchor=False)
    picked = st.multiselect("Runs", list(cards), default=list(cards)[:2], key=COMPARE)
    rows = {run_id: compare_row(cards[run_id]) for run_id in picked}
    st.dataframe(pd.DataFrame(rows).astype(str), width="stretch")


def compare_row(card: dict) -> dict:
    """One column of the comparison; a figure an older card lacks shows as "-" instead of failing the page."""
    def get(*path):
        value = card
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return "-" if value is None else value

    size = card.get("size_bytes")
    return {"model": get("model", "name"), "parameters": get("model", "parameters"),
            "status": caveat_tags(run_caveats(card)) or "complete", "accuracy": get("metrics", "accuracy"),
            "macro_f1": get("metrics", "macro_f1"), "epochs": get("config", "epochs"),
            "size_MB": round(size / 1e6, 1) if isinstance(size, (int, float)) else "-",
            "latency_p50_ms": get("latency_ms", "p50"), "train_samples_per_s": get("throughput", "train_samples_per_s")}
