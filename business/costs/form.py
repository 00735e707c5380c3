"""The Costs page's form values (in the units a founder types) -> checked `CostInputs`.

The page keeps widgets only; this module turns "millions of parameters", "billions of tokens",
percentages and a pasted run card into estimator inputs, raising an `EstimateError` subclass
that names the field for anything it cannot use. `FORM_DEFAULTS` is what the form starts with.
"""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from decimal import Decimal

from business.costs.compression import InvalidCompression
from business.costs.compute import EstimateError, NotANumber, UtilizationOutOfRange, require_count, require_positive
from business.costs.estimator import CostInputs
from business.costs.hf_config import model_from_config
from business.costs.models import ModelSpec, custom_model, preset
from business.costs.run_cards import InvalidRunCard, measured_compression, model_from_run_card
from business.untrusted_json import SchemaError, parse_json

CUSTOM = "custom"
RUN_CARD = "run-card"
MAX_RUN_CARD_BYTES = 10_000_000  # a card with a 1,000-class confusion matrix is a few MB
CONFIG = "config"
# Without a deadline the "cheapest" training is often one GPU running for years; 30 days is a
# founder's usual horizon. Clearing the field asks for the cheapest at any speed.
DEFAULT_DEADLINE_HOURS = 720.0

FORM_DEFAULTS: dict[str, object] = {
    "model": "bert-base", "custom_parameters_m": 100.0, "custom_kind": "encoder", "forward_gflops": None,
    "run_card_json": "", "training_tokens_b": 1.0, "training_images": 50_000.0, "epochs": 3.0,
    "train_precision": "bf16", "optimizer": "adam", "batch_size": 32, "sequence_length": 128,
    "utilization_pct": None, "gpu": "H100 SXM 80GB", "deadline_hours": DEFAULT_DEADLINE_HOURS, "max_gpus": 64,
    "max_price_age_days": 90, "tokens_per_request": 128.0, "output_tokens": 256.0, "images_per_request": 1.0,
    "requests_per_month": 1_000_000.0, "serving_precision": "fp32", "always_on_gpus": 1,
    "measured_machine_usd_per_hour": None, "sparsity_pct": 50.0, "structured_pruning": False,
    "student_parameters_m": None, "config_json": "",
}


def _number(values: dict, name: str, label: str) -> float:
    value = values.get(name, FORM_DEFAULTS.get(name))
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise NotANumber(f"{label} is empty or not a number")
    return float(value)


def _optional(values: dict, name: str, label: str) -> float | None:
    return None if values.get(name) is None else _number(values, name, label)


def _model(values: dict) -> tuple[ModelSpec, object | None, tuple]:
    choice = values.get("model", FORM_DEFAULTS["model"])
    gflops = _optional(values, "forward_gflops", "forward GFLOP per image")
    flops = require_positive("forward GFLOP per image", gflops, 1e6) * 1e9 if gflops is not None else None
    if choice == CUSTOM:
        parameters = require_positive("parameters (millions)", _number(values, "custom_parameters_m",
                                                                       "parameters (millions)"), 1e7)
        return custom_model("custom model", str(values.get("custom_kind")), round(parameters * 1e6), flops), None, ()
    if choice == CONFIG:
        return model_from_config(str(values.get("config_json") or "")), None, ()
    if choice == RUN_CARD:
        card = values.get("run_card") or _parse_card(str(values.get("run_card_json") or ""))
        measured = model_from_run_card(card)
        if measured.spec.kind == "cnn" and measured.spec.forward_flops_per_image is None and flops:
            measured = replace(measured, spec=replace(measured.spec, forward_flops_per_image=flops))
        return measured.spec, measured, tuple(measured_compression(card))
    return preset(str(choice)), None, ()


def _parse_card(text: str) -> dict:
    if not text.strip():
        raise InvalidRunCard("no run card: pick a trained run or paste its run_card.json")
    try:
        # Size and nesting checked before parsing: a pasted card nested 50,000 deep is a message, not a crash.
        return parse_json(text.encode("utf-8", "replace"), max_bytes=MAX_RUN_CARD_BYTES, what="The pasted run card")
    except SchemaError as error:
        raise InvalidRunCard(str(error)) from None


def _utilization(values: dict) -> float | None:
    percent = _optional(values, "utilization_pct", "utilization (%)")
    if percent is not None and not 0 < percent <= 100:
        raise UtilizationOutOfRange(f"utilization={percent:g}% must be above 0% and at most 100%")
    return None if percent is None else percent / 100


def _sparsity(values: dict) -> float:
    percent = _number(values, "sparsity_pct", "pruning sparsity (%)")
    if not 0 <= percent < 100:
        raise InvalidCompression(f"sparsity={percent:g}% must be from 0% up to (not including) 100%")
    return percent / 100


def inputs_from_form(values: dict, today: date) -> CostInputs:
    """Form values -> estimator inputs; raises EstimateError naming the field it cannot use."""
    model, measured, compression = _model(values)
    deadline = _optional(values, "deadline_hours", "deadline (hours)")
    machine = _optional(values, "measured_machine_usd_per_hour", "measured machine ($/hour)")
    student = _optional(values, "student_parameters_m", "student parameters (millions)")
    max_gpus = require_count("max_gpus", _number(values, "max_gpus", "most GPUs"), 1024)
    if model.is_transformer:
        tokens = require_positive("training tokens (billions)",
                                  _number(values, "training_tokens_b", "training tokens (billions)"), 1e6) * 1e9
    else:
        tokens = 1.0  # unused by a CNN; images and epochs are checked by the CNN path
    return CostInputs(
        model=model, today=today, training_tokens=tokens,
        training_images=_number(values, "training_images", "training images per epoch"),
        epochs=_number(values, "epochs", "epochs"),
        train_precision=str(values.get("train_precision", FORM_DEFAULTS["train_precision"])),
        optimizer=str(values.get("optimizer", FORM_DEFAULTS["optimizer"])),
        batch_size=require_count("batch_size", _number(values, "batch_size", "batch size"), 1_000_000),
        sequence_length=require_count("sequence_length", _number(values, "sequence_length", "sequence length"),
                                      10_000_000),
        utilization=_utilization(values), gpu=str(values.get("gpu", FORM_DEFAULTS["gpu"])),
        gpu_counts=tuple(range(1, max_gpus + 1)),
        deadline_hours=require_positive("deadline_hours", deadline, 1e7) if deadline is not None else None,
        max_price_age_days=require_count("max_price_age_days", _number(values, "max_price_age_days",
                                                                       "price age limit (days)"), 100_000),
        tokens_per_request=_number(values, "tokens_per_request", "tokens per request"),
        output_tokens=_number(values, "output_tokens", "output tokens per request"),
        images_per_request=_number(values, "images_per_request", "images per request"),
        requests_per_month=_number(values, "requests_per_month", "requests per month"),
        serving_precision=str(values.get("serving_precision", FORM_DEFAULTS["serving_precision"])),
        always_on_gpus=_always_on(values),
        sparsity=_sparsity(values), structured_pruning=bool(values.get("structured_pruning")),
        student_parameters=round(student * 1e6) if student is not None else None,
        measured=measured, measured_compression=compression,
        measured_machine_usd_per_hour=_machine_price(machine),
    )


def _always_on(values: dict) -> int:
    count = _number(values, "always_on_gpus", "GPUs kept up all month")
    if count == 0:
        return 0
    return require_count("always_on_gpus", count, 10_000)


def _machine_price(usd_per_hour: float | None) -> Decimal | None:
    if usd_per_hour is None:
        return None
    if not usd_per_hour > 0 or usd_per_hour > 10_000:
        raise EstimateError(f"measured machine price ${usd_per_hour:g}/hour must be above 0 and at most $10,000")
    return Decimal(repr(usd_per_hour))
