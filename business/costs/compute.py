"""Compute arithmetic for training and serving: FLOPs, GPU-hours, wall-clock and energy.

Pure functions over floats with units in their names. Inputs from a page pass through the
`require_*` checks, which raise an `EstimateError` subclass naming the bad value, so a page can
show the message instead of a crash or a NaN. Model presets live in `business.costs.models`.
"""
from __future__ import annotations

import math

from business import figures

SECONDS_PER_HOUR = 3600.0
TERA = 1e12

# Upper bounds that catch typos (1e30 tokens) long before floats overflow. Each sits well above
# the largest published run: ~1.5e13 tokens, ~2e12 parameters.
MAX_PARAMETERS = 1e13
MAX_TOKENS = 1e15
MAX_IMAGES = 1e12
MAX_EPOCHS = 10_000
MAX_FLOPS = 1e30
MAX_GPUS = 100_000
MAX_REQUESTS_PER_MONTH = 1e13


class EstimateError(ValueError):
    """Input the estimator cannot use; the message names the value and why."""


class NonPositiveValue(EstimateError):
    pass


class ValueTooLarge(EstimateError):
    pass


class NotANumber(EstimateError):
    pass


class UtilizationOutOfRange(EstimateError):
    pass


def require_positive(name: str, value: object, maximum: float) -> float:
    """Return `value` as a float if it is a finite number in (0, maximum]; else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotANumber(f"{name}={value!r} is not a number")
    if math.isnan(value):
        raise NotANumber(f"{name} is NaN")
    if value <= 0:
        raise NonPositiveValue(f"{name}={value:g} must be greater than zero")
    if value > maximum or math.isinf(value):
        raise ValueTooLarge(f"{name}={value:g} is above the {maximum:g} this estimator accepts; check the units")
    return float(value)


def require_utilization(utilization: object) -> float:
    if isinstance(utilization, bool) or not isinstance(utilization, (int, float)) or math.isnan(utilization):
        raise NotANumber(f"utilization={utilization!r} is not a number")
    if not 0 < utilization <= 1:
        raise UtilizationOutOfRange(
            f"utilization={utilization:g} must be in (0, 1], a fraction of peak FLOP/s (0.3 = 30%)")
    return float(utilization)


def require_count(name: str, value: object, maximum: float) -> int:
    """A whole number in [1, maximum]: GPUs, epochs, batch size."""
    number = require_positive(name, value, maximum)
    if number != int(number):
        raise NotANumber(f"{name}={value!r} must be a whole number")
    return int(number)


def training_flops_transformer(parameters: float, tokens: float) -> float:
    """Training compute of a dense transformer, C ≈ 6·N·D (Kaplan et al. 2020)."""
    n = require_positive("parameters", parameters, MAX_PARAMETERS)
    d = require_positive("tokens", tokens, MAX_TOKENS)
    return figures.TRAIN_FLOPS_PER_PARAM_TOKEN.value * n * d


def training_flops_cnn(forward_flops_per_image: float, images: float, epochs: float) -> float:
    """Training compute of a CNN: forward FLOPs × 3 (forward + backward) × images × epochs."""
    per_image = require_positive("forward_flops_per_image", forward_flops_per_image, 1e15)
    n_images = require_positive("images", images, MAX_IMAGES)
    n_epochs = require_positive("epochs", epochs, MAX_EPOCHS)
    return figures.TRAIN_TO_FORWARD_RATIO.value * per_image * n_images * n_epochs


def inference_flops_per_request_transformer(parameters: float, tokens_per_request: float) -> float:
    """Forward compute of one request: 2·N FLOP per token processed or generated."""
    n = require_positive("parameters", parameters, MAX_PARAMETERS)
    tokens = require_positive("tokens_per_request", tokens_per_request, 1e8)
    return figures.INFER_FLOPS_PER_PARAM_TOKEN.value * n * tokens


def inference_flops_per_request_cnn(forward_flops_per_image: float, images_per_request: float) -> float:
    per_image = require_positive("forward_flops_per_image", forward_flops_per_image, 1e15)
    images = require_positive("images_per_request", images_per_request, 1e6)
    return per_image * images


def gpu_hours(flops: float, peak_tflops: float, utilization: float) -> float:
    """GPU-hours to do `flops` on a GPU of `peak_tflops` at a fraction `utilization` of peak."""
    work = require_positive("flops", flops, MAX_FLOPS)
    peak = require_positive("peak_tflops", peak_tflops, 1e6)
    used = require_utilization(utilization)
    return work / (peak * TERA * used) / SECONDS_PER_HOUR


def wall_clock_hours(total_gpu_hours: float, gpus: int) -> float:
    """Wall-clock on `gpus` GPUs, assuming linear scaling: the best case, real jobs lose some
    time to communication. Utilization already absorbs the usual single-GPU losses."""
    hours = require_positive("gpu_hours", total_gpu_hours, 1e15)
    count = require_count("gpus", gpus, MAX_GPUS)
    return hours / count


def energy_kwh(total_gpu_hours: float, tdp_w: float) -> float:
    """Energy at the GPU's TDP: an upper bound for the GPU alone (host, cooling not included)."""
    hours = require_positive("gpu_hours", total_gpu_hours, 1e15)
    watts = require_positive("tdp_w", tdp_w, 10_000)
    return hours * watts / 1000.0


def requests_per_gpu_hour(flops_per_request: float, peak_tflops: float, utilization: float) -> float:
    """Requests one GPU serves per hour when serving is compute-bound at `utilization`."""
    return 1.0 / gpu_hours(flops_per_request, peak_tflops, utilization)
