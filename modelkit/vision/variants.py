"""Compressed variants of a finished image run: the small CNN with channels pruned, and static int8 on top.

`modelkit.vision.compress.compress(run_dir, ImageCompressRequest(method=...))` builds one variant into
`<run>/variants/<name>/` (modelkit.variants: written whole or not at all, the teacher's `model/` never
touched), then re-measures the teacher and every variant side by side (modelkit.vision.variant_rows).
CLI: `python -m modelkit compress --run-dir IMAGE_RUN --method prune|int8 [--channels-fraction 0.5]`.

A pruned variant holds model.safetensors, preprocessor.json and structure.json (its channel widths). A
static int8 variant stores no weights: it is rebuilt from its base, calibrated on the same first training
images, which gives the same int8 model every time.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from modelkit import variants as common
from modelkit.errors import CompressionRequestError
from modelkit.variants import TEACHER

METHODS = ("prune", "int8")


@dataclass(frozen=True)
class ImageCompressRequest:
    method: str
    channels_fraction: float = 0.5  # prune: share of every convolution's output channels removed
    base: str = TEACHER  # int8: the model quantized (the teacher or a variant's name)
    recovery_epochs: float = 1.0  # prune: fine-tune on the run's training images after pruning
    temperature: float = 2.0
    alpha: float = 0.5
    learning_rate: float = 1e-3
    batch_size: int = 32
    seed: int = 42


def variant_name(request: ImageCompressRequest) -> str:
    if request.method == "prune":
        return f"prune-c{round(request.channels_fraction * 100)}"
    return "int8-static" if request.base == TEACHER else f"{request.base}+int8"


def run_model_name(run_dir: Path) -> str:
    path = Path(run_dir) / "model" / "preprocessor.json"
    return json.loads(path.read_text()).get("model_name", "small_cnn") if path.exists() else "small_cnn"


def check_request(run_dir: Path, request: ImageCompressRequest) -> None:
    from modelkit.vision.prune import check_channels_fraction

    if request.method not in METHODS:
        raise CompressionRequestError(f"method {request.method!r} must be one of {', '.join(METHODS)} for an "
                                      "image run (distillation is for text runs)")
    common.check_finished(run_dir, "model.safetensors")
    if request.method == "prune":
        check_channels_fraction(request.channels_fraction)
        model = run_model_name(run_dir)
        if model != "small_cnn":
            raise CompressionRequestError(
                f"channel pruning supports runs of the small CNN; run {Path(run_dir).name} is {model} "
                "(int8 works on it)")
    elif request.base != TEACHER:
        _, recipe = common.read_recipe(run_dir, request.base)
        if recipe["method"] == "int8":
            raise CompressionRequestError(f"variant {request.base!r} is already int8")


def run_sets(run_dir: Path):
    """(training images, validation images) of the run, read as its training read them."""
    from modelkit.train import TrainConfig
    from modelkit.vision.task import load_sets

    config = TrainConfig(**json.loads((Path(run_dir) / "model" / "train_config.json").read_text()))
    train, val, _ = load_sets(config)
    return train, val


def quantized(model, processor, train, run_dir: Path, name: str):
    from modelkit.vision.quantize import CALIBRATION_IMAGES, pick_engine, quantize_static_int8

    engine = pick_engine()
    if engine is None:
        raise CompressionRequestError("int8 needs a quantized engine (x86, fbgemm, onednn or qnnpack) and this "
                                      "torch build has none")
    try:
        return quantize_static_int8(model, processor, train.images[:CALIBRATION_IMAGES], engine), engine
    except Exception as error:  # noqa: BLE001 - a model FX cannot trace is a refused request, said plainly
        raise CompressionRequestError(f"static int8 of {name} in run {Path(run_dir).name} failed: FX could not "
                                      f"quantize this model ({error.__class__.__name__}: {error})") from None


def load_model(run_dir: Path, name: str, train=None):
    """(model, processor, recipe) of the teacher or a variant, on the CPU. `train` (the training images)
    saves re-reading them when an int8 variant is rebuilt."""
    from modelkit.vision.prune import load_pruned
    from modelkit.vision.task import load_trained

    if name == TEACHER:
        model, processor, _ = load_trained(Path(run_dir))
        return model, processor, {"method": "teacher", "name": TEACHER}
    folder, recipe = common.read_recipe(run_dir, name)
    if recipe["method"] == "int8":
        model, processor, _ = load_model(run_dir, recipe["base"], train)
        train = train if train is not None else run_sets(run_dir)[0]
        return quantized(model, processor, train, run_dir, name)[0], processor, recipe
    return (*load_pruned(folder), recipe)


def build_variant(run_dir: Path, request: ImageCompressRequest, on_step=None, should_stop=None):
    """(model or None for int8, processor, details, seconds the method took); nothing written yet."""
    from modelkit.vision.prune import prune_channels, recover, widths_of

    teacher, processor, _ = load_model(run_dir, TEACHER)
    train, _ = run_sets(run_dir)
    started = time.perf_counter()
    if request.method == "int8":
        base, _, _ = load_model(run_dir, request.base, train)
        _, engine = quantized(base, processor, train, run_dir, request.base)
        return None, processor, {"base": request.base, "engine": engine,
                                 "calibration_images": min(len(train), 256)}, time.perf_counter() - started
    student = prune_channels(teacher, request.channels_fraction)
    settings = {"epochs": request.recovery_epochs, "batch_size": request.batch_size,
                "learning_rate": request.learning_rate, "temperature": request.temperature,
                "alpha": request.alpha, "seed": request.seed}
    training = recover(teacher, student, processor, train.images, list(train.labels), settings, on_step, should_stop)
    details = {"widths": list(widths_of(student.net)), "teacher_widths": list(widths_of(teacher.net)),
               "importance": "L1 norm of each filter scaled by its batch-norm (|γ|/√(var+ε))",
               "settings": settings, "training": training}
    return student, processor, details, time.perf_counter() - started


def store_variant(run_dir: Path, name: str, model, processor, recipe: dict) -> Path:
    from modelkit.vision.prune import save_pruned

    return common.store_variant(run_dir, name, recipe,
                                None if model is None else lambda folder: save_pruned(model, processor, folder))
