"""Sections of the Image classifier page (the page itself is pages/image_classifier.py)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import streamlit as st
from PIL import Image

from business.store import ReadOnlyStoreError
from business.csv_safety import neutral_frame
from business.database import refused_write
from modelkit import jobs
from modelkit.config import TrainConfig
from modelkit.events import read_events
from modelkit.vision.zip_safety import ImageDataError
from modelkit.paths import app_data_dir
from ui.auth import founder_action, require_founder, training_time_limit_s
from ui.models.charts import confusion_figure, loss_figure, validation_figure
from ui.models.run_choice import project_runs
from ui.session import current_project_id
from ui.models.data_check import discard_upload
from ui.models.uploads import stored_or_said, write_once
from ui.text import plain
from ui.warmup import model_library

# session-state / widget keys (tests drive the page by these)
SOURCE, UPLOAD, TV_SET, MODEL, IMAGE_SIZE, AUGMENT = "img_source", "img_upload", "img_tv_set", "img_model", "img_size", "img_augment"
EPOCHS, BATCH, LR, MAX_STEPS, RUN_ID, START, CANCEL = "img_epochs", "img_batch", "img_lr", "img_max_steps", "img_run_id", "img_start", "img_cancel"
SOURCES = {"digits": "Handwritten digits (bundled, offline)", "zip": "Upload a zip (one folder per class)",
           "torchvision": "MNIST / Fashion-MNIST / CIFAR-10 (downloaded when online)"}
MODELS = {"auto": "Automatic (picked for this data)", "small_cnn": "Small CNN (from scratch, fast)",
          "efficientnet_lite0": "EfficientNet-Lite0 (pretrained, bundled)", "resnet18": "ResNet-18",
          "mobilenet_v3_small": "MobileNetV3-Small"}
ACTIVE = ("queued", "running", "cancelling")
PREDICTED = "img_predicted_seconds"
DATA_FIELDS = ("task", "model_name", "data_path", "image_size", "val_fraction", "seed", "max_train_rows", "max_val_rows")


def save_upload(upload) -> str:
    """Uploads are stored by content hash, so the same zip is unpacked and checked once.

    A write: refused (ReadOnlyStoreError) for an investor's session, whatever the page offered."""
    require_founder("upload data")
    data = upload.getvalue()
    path = app_data_dir() / "uploads" / f"{hashlib.sha256(data).hexdigest()[:16]}.zip"
    write_once(path, data)
    return str(path)


def data_path_from_widgets() -> str | None:
    source = st.radio("Images", list(SOURCES), format_func=SOURCES.get, key=SOURCE, horizontal=True)
    if source == "digits":
        return "digits"
    if source == "torchvision":
        name = st.selectbox("Data set", ["mnist", "fashion_mnist", "cifar10"], key=TV_SET)
        return f"torchvision:{name}"
    upload = st.file_uploader("Zip of class folders (train/ and val/ optional)", type=["zip"], key=UPLOAD)
    if not upload:
        return None
    return stored_or_said(lambda: save_upload(upload))


def chosen_model(choice: str, data_path: str, say: bool = False) -> str:
    """The model a run gets; "auto" is resolved for the data, and (`say`) the page says which and why."""
    from modelkit.vision.choice import AUTO, pick_image_model

    if choice != AUTO:
        return choice
    picked = pick_image_model(data_path)
    if say:
        st.caption(f"Model: {MODELS.get(picked.model, picked.model)}, picked for {picked.reason}.")
    return picked.model


def data_config(data_path: str) -> str:
    """What the data check depends on (the model and image size set below, or their defaults), as the cache key:
    editing epochs must not re-read every image."""
    config = TrainConfig(task="image", model_name=st.session_state.get(MODEL, "auto"), data_path=data_path,
                         image_size=int(st.session_state.get(IMAGE_SIZE, 0)))
    return json.dumps({k: asdict(config)[k] for k in DATA_FIELDS}, sort_keys=True)


def training_config(data_path: str, report: dict) -> dict:
    """The settings, starting from what this data suggests (reasons on hover)."""
    from modelkit.defaults import image_defaults
    from ui.models.before_start import on_gpu

    train_rows = sum(report["train_counts"].values())
    model_now = chosen_model(st.session_state.get(MODEL, "auto"), data_path, say=True)
    suggested = image_defaults(train_rows, len(report["classes"]), model_now != "small_cnn", on_gpu())
    why = suggested.reasons
    with st.expander("Model and training settings", expanded=False):
        model = chosen_model(st.selectbox("Model", list(MODELS), format_func=MODELS.get, key=MODEL), data_path)
        cols = st.columns(4)
        size = cols[0].number_input("Image size (0 = model default)", 0, 512, 0, step=8, key=IMAGE_SIZE)
        epochs = cols[1].number_input("Epochs", 1, 100, suggested.epochs, key=EPOCHS, help=why["epochs"])
        batch = cols[2].number_input("Batch size", 1, 1024, suggested.batch_size, key=BATCH, help=why["batch_size"])
        lr = cols[3].number_input("Learning rate", 1e-5, 1.0, suggested.learning_rate, format="%.5f", key=LR,
                                  help=why["learning_rate"])
        augment = st.multiselect("Augmentation", ["flip", "crop", "jitter"], key=AUGMENT)
        max_steps = st.number_input("Stop after N steps (0 = all epochs)", 0, 100_000, 0, key=MAX_STEPS)
    config = TrainConfig(task="image", model_name=model, data_path=data_path, image_size=int(size), epochs=int(epochs),
                         batch_size=int(batch), learning_rate=float(lr), augment=",".join(augment),
                         max_steps=int(max_steps) or None, warmup_ratio=0.05)
    before_start(config, train_rows, suggested)
    return asdict(config)


def before_start(config: TrainConfig, train_rows: int, suggested) -> None:
    """Short-run warnings and the predicted time (from past runs of this model here), before the start."""
    from business.costs.training_time import predict_from_samples
    from modelkit.defaults import short_run_warnings
    from ui.models.before_start import on_gpu, past_cards, show_before_start

    warnings = short_run_warnings(config.epochs, config.max_steps, config.learning_rate, config.batch_size,
                                  train_rows, suggested)
    samples = min(config.epochs * train_rows, (config.max_steps or 10**12) * config.batch_size)
    prediction = predict_from_samples(past_cards(), "image", config.model_name, "cuda" if on_gpu() else "cpu",
                                      samples)
    show_before_start(warnings, prediction)
    st.session_state[PREDICTED] = None if isinstance(prediction, str) else round(prediction.seconds, 1)


@st.cache_data(show_spinner=False, max_entries=8)
def check_data(config_json: str) -> dict:
    from modelkit.vision.sources import check_images

    return check_images(TrainConfig(**json.loads(config_json)), samples_per_class=4)


def checked_report(data_path: str) -> dict | None:
    """The data check's report; None after saying why the data was refused (and removing a refused upload, so
    nothing of it stays in uploads/: modelkit has removed what it unpacked).

    PIL and numpy only (no torch), so the page's first render does not wait for the model library; only
    torchvision's own data sets need it to be read."""
    waiting = model_library if data_path.startswith("torchvision:") else st.spinner
    try:
        with waiting("Checking the images..."):
            return check_data(data_config(data_path))
    except ImageDataError as error:
        st.error(plain(str(error)))
        discard_upload(data_path)
        return None


def show_report(report: dict) -> None:
    counts = pd.DataFrame({"train": report["train_counts"], "validation": report["val_counts"]})
    cols = st.columns(4)
    cols[0].metric("Classes", len(report["classes"]))
    cols[1].metric("Training images", f"{int(counts['train'].sum()):,}")
    cols[2].metric("Validation images", f"{int(counts['validation'].sum()):,}")
    cols[3].metric("Skipped files", len(report["skipped"]))
    st.caption(f"Split: {report['split']}; kept at {report['stored_size']} px, "
               f"{'RGB' if report['channels'] == 3 else 'greyscale'}")
    sizes = report.get("sizes") or {}
    if sizes:
        st.caption(f"Sizes found: {sizes['min_width']}x{sizes['min_height']} to {sizes['max_width']}x"
                   f"{sizes['max_height']} px ({sizes['distinct']:,} distinct)")
    st.dataframe(counts, width="stretch")
    show_samples(report.get("samples") or {})
    for warning in report["warnings"]:
        st.warning(plain(warning))  # file names come from the upload: shown as typed
    if report["skipped"]:
        st.dataframe(pd.DataFrame(report["skipped"]), width="stretch", hide_index=True)


def show_samples(samples: dict, columns: int = 6) -> None:
    """A few training images per class, as stored for the model (first classes only when there are many)."""
    if not samples:
        return
    with st.expander("Sample images per class (as the model will see them)", expanded=False):
        for name, images in list(samples.items())[:20]:
            cols = st.columns(columns)
            cols[0].text(name)  # a folder name from the upload: shown as typed
            for col, pixels in zip(cols[1:], images):
                col.image(Image.fromarray(pixels).resize((64, 64), Image.NEAREST))


def start_training(config: dict) -> None:
    config = {**config, "predicted_seconds": st.session_state.get(PREDICTED)}
    try:
        require_founder("start training")
        st.session_state[RUN_ID] = jobs.submit(jobs.JobSpec(task="image", config=config,
                                                            time_limit_s=training_time_limit_s(),
                                                            project_id=current_project_id()))
    except (jobs.JobError, ReadOnlyStoreError) as error:
        st.error(plain(str(error)))
    except OSError as error:  # the run folder cannot be written: a full or read-only data folder
        st.error(plain(refused_write(error, "start training")))


def image_runs() -> list:
    """This project's image runs (modelkit RunSummary), newest first."""
    return project_runs("image")


def curves(run_dir: Path) -> None:
    steps = read_events(run_dir, ("step",))
    evals = read_events(run_dir, ("eval",))
    cols = st.columns(2)
    if steps:
        cols[0].plotly_chart(loss_figure(steps), key="img_loss")
    if evals:
        cols[1].plotly_chart(validation_figure(evals, "epoch", ("accuracy",), "Validation accuracy"), key="img_acc")


def live_panel(run_id: str) -> None:
    if not (jobs.runs_root() / run_id / jobs.JOB_FILE).exists():  # trained from the CLI, not as a job
        curves(jobs.runs_root() / run_id)
        return
    active = jobs.job_status(run_id)["state"] in ACTIVE

    @st.fragment(run_every=2.0 if active else None)
    def panel() -> None:
        job = jobs.job_status(run_id)
        run_dir = jobs.runs_root() / run_id
        progress = job.get("progress") or {}
        if job["state"] == "queued":
            st.info(f"Queued on {job['device']}: {job.get('ahead', 0)} job(s) ahead.")
        elif progress:
            st.progress(progress["step"] / max(progress["total_steps"], 1),
                        text=f"{job['state']}: step {progress['step']} / {progress['total_steps']}, "
                             f"ETA {progress['eta_s']:.0f} s, {progress['samples_per_s']:.0f} images/s")
        else:
            st.caption(f"Job {job['state']}.")
        if job.get("stopped_because"):
            st.warning(f"Stopped: {job['stopped_because']} (the hosted app's cap per job).")
        for note in read_events(run_dir, ("note", "oom_retry", "early_stop")):
            st.caption(note.get("message") or f"{note['type']}: {note}")
        if job["state"] == "failed":
            st.error(f"The run failed: {job.get('error', '')[-800:]}")
        if job["state"] in ("queued", "running"):
            if st.button("Cancel", key=CANCEL):
                founder_action("cancel a training job", jobs.cancel, run_id)
        curves(run_dir)
        if active and job["state"] not in ACTIVE:
            st.rerun()  # the run ended: redraw the whole page with its results

    panel()


def results(run_dir: Path, card: dict) -> None:
    metrics = json.loads((run_dir / "metrics.json").read_text())
    cols = st.columns(4)
    cols[0].metric("Accuracy", f"{card['metrics']['accuracy']:.3f}")
    cols[1].metric("Macro-F1", f"{card['metrics']['macro_f1']:.3f}")
    cols[2].metric("Latency p50 (CPU, 1 image)", f"{card['latency_ms']['p50']:.1f} ms")
    cols[3].metric("Size", f"{card['size_bytes'] / 1e6:.2f} MB")
    st.caption(f"{card['model']['name']}: {card.get('weights', '')}")
    st.plotly_chart(confusion_figure(metrics, height=420), key="img_confusion")
    st.dataframe(pd.DataFrame(metrics["per_class"]).T, width="stretch")
    if metrics["mistakes"]:
        st.subheader("Most confident mistakes")
        cols = st.columns(6)
        for index, mistake in enumerate(metrics["mistakes"][:12]):
            cols[index % 6].image(str(run_dir / mistake["file"]), width="stretch",
                                  caption=f"true {mistake['true']}, predicted {mistake['predicted']} "
                                          f"({mistake['confidence']:.0%})")


def predictor_for(run_dir: str, stamp: float):
    with model_library("Loading the trained model..."):
        return _load_predictor(run_dir, stamp)


@st.cache_resource(show_spinner=False, max_entries=2)
def _load_predictor(run_dir: str, stamp: float):
    from modelkit.vision.predict import ImagePredictor

    return ImagePredictor.from_run(run_dir)


def demo(run_dir: Path) -> None:
    predictor = predictor_for(str(run_dir), (run_dir / "model" / "model.safetensors").stat().st_mtime)
    single, camera, batch = st.tabs(["Upload an image", "Camera", "Batch (zip -> CSV)"])
    with single:
        image = st.file_uploader("An image", type=["png", "jpg", "jpeg", "gif", "bmp", "webp"], key="img_demo")
    with camera:
        photo = st.camera_input("Take a picture", key="img_camera")
    for shot in (image, photo):
        if shot is not None:
            try:
                top = predictor.top_k(shot.getvalue(), k=min(3, len(predictor.label_names)))
            except ImageDataError as error:
                st.error(plain(str(error)))
                continue
            seen, said = predictor.model_view(shot.getvalue())
            left, middle, right = st.columns([1, 1, 2])
            left.image(shot.getvalue(), width=160, caption="your image")
            # nearest-neighbour upscaling keeps an 8 x 8 digit's pixels visible as pixels
            middle.image(Image.fromarray(seen).resize((160, 160), Image.NEAREST), caption=said)
            for label, probability in top:
                right.progress(probability, text=f"{label}: probability {probability:.1%}")
    with batch:
        upload = st.file_uploader("Zip of images", type=["zip"], key="img_batch_zip")
        if upload is not None:
            try:
                frame = predictor.predict_zip(upload.getvalue())
            except ImageDataError as error:
                st.error(plain(str(error)))
                return
            st.dataframe(frame, hide_index=True)
            st.download_button("Download predictions (CSV)", neutral_frame(frame).to_csv(index=False), "predictions.csv",
                               "text/csv")


def compression(run_id: str, card: dict) -> None:
    """The Compress section shared with the text page: channel pruning and static int8 of this run."""
    from ui.models.compress_view import compression_section

    compression_section(run_id, card, "image")
