"""Read a run card (the JSON the model pages write) into estimator inputs, as plain dicts, and say
whose run it is and what keeps it from being a headline (cancelled, short run, too little data).

A run card looks like {"model": {"name", "parameters"}, "metrics": {...}, "throughput":
{"samples_per_s", "device"}, "size_bytes", "compression": [{"method", "size_bytes",
"latency_ms_p50", "latency_ms_p95", "accuracy"}, ...]}. Only model.name and model.parameters are
required; anything else missing becomes None, and anything malformed raises InvalidRunCard
naming the key. Nothing here needs torch.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from business.costs.compute import MAX_PARAMETERS, EstimateError
from business.costs.models import KINDS, PRESETS, ModelSpec

# Names a run card may carry -> the preset whose shape or FLOPs per image it shares.
_PRESET_ALIASES = {
    "minilm": "minilm-l6", "distilbert": "distilbert", "bertlarge": "bert-large", "bertbase": "bert-base",
    "resnet18": "resnet-18", "resnet50": "resnet-50", "mobilenetv3small": "mobilenet-v3-small",
    "mobilenetv3": "mobilenet-v3",
}
PRESET_IMAGE_SIZE = 224  # the CNN presets' FLOPs and activations are per 224×224 image


class InvalidRunCard(EstimateError):
    pass


@dataclass(frozen=True)
class MeasuredModel:
    spec: ModelSpec
    samples_per_s: float | None
    device: str | None
    size_bytes: int | None
    latency_ms_p50: float | None


@dataclass(frozen=True)
class MeasuredCompression:
    method: str
    size_bytes: int | None
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    accuracy: float | None
    size_ratio: float | None  # uncompressed size / this size, when both are on the card
    speedup: float | None  # uncompressed p50 latency / this p50 latency, when both are on the card


def _number(path: str, value: object, integer: bool = False) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InvalidRunCard(f"run card {path}={value!r} must be a non-negative number")
    if integer:
        if value != int(value):
            raise InvalidRunCard(f"run card {path}={value!r} must be a whole number")
        return int(value)
    return float(value)


def _section(card: dict, key: str) -> dict:
    section = card.get(key) or {}
    if not isinstance(section, dict):
        raise InvalidRunCard(f"run card {key!r} must be an object, got {section!r:.80}")
    return section


def matching_preset(name: str) -> ModelSpec | None:
    """The preset a model's name points at (MiniLM, DistilBERT, BERT-base, ...), or None."""
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    for alias, key in _PRESET_ALIASES.items():
        if alias in squashed:
            return PRESETS[key]
    return None


def model_from_run_card(card: object) -> MeasuredModel:
    """The measured model as estimator input. Shape or FLOPs per image are borrowed from a preset
    of the same family when the name says so (a fine-tuned head changes neither much)."""
    if not isinstance(card, dict):
        raise InvalidRunCard(f"a run card must be a JSON object, got {type(card).__name__}")
    model = _section(card, "model")
    name = model.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidRunCard(f"run card model.name={name!r} is missing or empty")
    parameters = _number("model.parameters", model.get("parameters"), integer=True)
    if not parameters or parameters > MAX_PARAMETERS:
        raise InvalidRunCard(f"run card model.parameters={model.get('parameters')!r} must be a positive count")
    family = matching_preset(name)
    task_kind = {"text": "encoder", "image": "cnn"}.get(str(card.get("task", "")))
    kind = model.get("kind") or task_kind or (family.kind if family else "encoder")
    if kind not in KINDS:
        raise InvalidRunCard(f"run card model.kind={kind!r} must be one of {', '.join(KINDS)}")
    spec = ModelSpec("run-card", name.strip(), kind, parameters, "measured: run card")
    if family is not None and family.kind == kind:
        spec = _borrow_from(spec, family, _image_size(card))
    throughput = _section(card, "throughput")
    return MeasuredModel(
        spec=spec,
        # Older cards name the inference throughput only "infer_samples_per_s".
        samples_per_s=_number("throughput.samples_per_s",
                              throughput.get("samples_per_s", throughput.get("infer_samples_per_s"))) or None,
        device=str(throughput["device"]) if throughput.get("device") else None,
        size_bytes=_number("size_bytes", card.get("size_bytes"), integer=True),
        latency_ms_p50=_number("latency_ms_p50", card.get("latency_ms_p50")),
    )


def _image_size(card: dict) -> int | None:
    config = card.get("config")
    size = config.get("image_size") if isinstance(config, dict) else None
    return _number("config.image_size", size, integer=True) or None


def _borrow_from(spec: ModelSpec, family: ModelSpec, image_size: int | None) -> ModelSpec:
    """The card's model with the preset family's shape, or its FLOPs and activations per image
    scaled to the card's image size (a convolutional net's work grows with the pixel count)."""
    if family.kind != "cnn":
        return replace(spec, shape=family.shape, source=f"measured: run card (shape of the {family.name} preset)")
    scale = (image_size / PRESET_IMAGE_SIZE) ** 2 if image_size else 1.0
    note = f", scaled to {image_size}×{image_size}" if image_size and image_size != PRESET_IMAGE_SIZE else ""
    return replace(spec, forward_flops_per_image=family.forward_flops_per_image * scale,
                   activation_bytes_per_image=family.activation_bytes_per_image * scale,
                   source=f"measured: run card (FLOPs and activations of the {family.name} preset{note})")


def measured_compression(card: object) -> list[MeasuredCompression]:
    """The card's compression results, each with ratios against the uncompressed model: its "fp32"
    row when the card measured one in the same session, else the card's own size and latency.
    A card without a "compression" list has none."""
    measured = model_from_run_card(card)
    rows = card.get("compression") or []  # type: ignore[union-attr]  (a dict: checked above)
    if not isinstance(rows, list):
        raise InvalidRunCard(f"run card 'compression' must be a list, got {rows!r:.80}")
    results = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("method"), str):
            raise InvalidRunCard(f"run card compression[{index}] needs a 'method' text, got {row!r:.80}")
        results.append(MeasuredCompression(
            method=row["method"],
            size_bytes=_number(f"compression[{index}].size_bytes", row.get("size_bytes"), integer=True),
            latency_ms_p50=_number(f"compression[{index}].latency_ms_p50", row.get("latency_ms_p50")),
            latency_ms_p95=_number(f"compression[{index}].latency_ms_p95", row.get("latency_ms_p95")),
            accuracy=_number(f"compression[{index}].accuracy", row.get("accuracy")),
            size_ratio=None, speedup=None))
    base = next((r for r in results if r.method == "fp32"), None)
    base_size = base.size_bytes if base else measured.size_bytes
    base_p50 = base.latency_ms_p50 if base else measured.latency_ms_p50
    return [replace(r, size_ratio=_ratio(base_size, r.size_bytes), speedup=_ratio(base_p50, r.latency_ms_p50))
            for r in results]


def _ratio(before: float | None, after: float | None) -> float | None:
    return before / after if before and after else None


# -- whose run it is, and whether it is a run worth a headline -------------------------------------
@dataclass(frozen=True)
class RunCaveat:
    """Why a run's numbers are not a finished result: a short tag for lists, a sentence for captions."""
    tag: str  # "cancelled", "short run", "too little data"
    detail: str


def card_project_id(card: object) -> int | None:
    """The project a run card says it belongs to; None for a card made before runs had a project."""
    value = card.get("project_id") if isinstance(card, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number > 0 else None


def run_caveats(card: object, state: str | None = None) -> tuple[RunCaveat, ...]:
    """What keeps a run from being a headline: cancelled, stopped by max_steps before one full epoch,
    or trained on fewer rows than the data check's minimum. `state` is the job's state when known.

    Older cards lack steps_per_epoch: a run that stopped at its max_steps is then called short, since
    nothing shows it finished an epoch."""
    card = card if isinstance(card, dict) else {}
    config, training = _plain(card.get("config")), _plain(card.get("training"))
    caveats = []
    if state == "cancelled" or training.get("stopped_by") == "cancelled":
        caveats.append(RunCaveat("cancelled", "cancelled before training finished"))
    short = _short_run(config, training)
    if short:
        caveats.append(RunCaveat("short run", short))
    rows, minimum = _whole(training.get("train_rows")), _whole(training.get("min_train_rows"))
    if rows is not None and minimum and rows < minimum:
        caveats.append(RunCaveat("too little data", f"trained on {rows:,} rows; the data check asks for at least "
                                                    f"{minimum:,}"))
    return tuple(caveats)


def _short_run(config: dict, training: dict) -> str | None:
    steps, max_steps = _whole(training.get("global_step")), _whole(config.get("max_steps"))
    per_epoch = _whole(training.get("steps_per_epoch"))
    if per_epoch:
        if steps is not None and steps < per_epoch:
            why = "stopped by max_steps" if training.get("stopped_by") == "max_steps" else "stopped"
            return f"{why} at step {steps:,}, before one full epoch ({per_epoch:,} steps)"
        return None
    if max_steps and steps is not None and steps >= max_steps:
        return f"stopped by max_steps at step {steps:,}; no full epoch is recorded"
    return None


def caveat_tags(caveats: tuple[RunCaveat, ...]) -> str:
    """"short run, too little data", or "" for a complete run."""
    return ", ".join(c.tag for c in caveats)


def _plain(section: object) -> dict:
    return section if isinstance(section, dict) else {}


def _whole(value: object) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None
