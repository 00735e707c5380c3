"""The cost estimator in one call: inputs of the Costs page -> every figure the page shows.

`estimate_costs(CostInputs, offers)` runs compute, memory, the price sweep, serving cost and
compression savings, and returns a `CostReport`. `serving_cost_for(...)` is the smaller entry
for the financial model: dollars per request and per 1,000 predictions for a model. Both raise
`EstimateError` subclasses only, with messages a page can show as they are.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from business import figures
from business.costs import compute
from business.costs.catalog import GpuOffer, GpuSpec, spec_for
from business.costs.compression import CompressionEstimate, all_estimates, with_monthly_costs
from business.costs.compute import EstimateError
from business.costs.memory import MemoryBreakdown, fit_on_gpus, inference_memory, training_memory
from business.costs.models import ModelSpec, default_utilization
from business.costs.pricing import (DEFAULT_GPU_COUNTS, HOURS_PER_MONTH, Quote, Sweep, Workload, cost_per_1000_requests,
                              cost_per_request_from_throughput, monthly_serving_cost, round_usd,
                              serving_cost_per_request, sweep_quotes)
from business.costs.run_cards import MeasuredCompression, MeasuredModel


class NoOfferFits(EstimateError):
    pass


@dataclass(frozen=True)
class CostInputs:
    model: ModelSpec
    today: date
    training_tokens: float = 1e9  # transformers: tokens seen in training (dataset tokens × epochs)
    training_images: float = 50_000  # CNNs: images per epoch
    epochs: float = 3
    train_precision: str = "bf16"
    optimizer: str = "adam"
    batch_size: int = 32
    sequence_length: int = 128
    utilization: float | None = None  # None: Epoch AI's published default for the model kind
    gpu: str = "H100 SXM 80GB"
    gpu_counts: tuple[int, ...] = DEFAULT_GPU_COUNTS
    deadline_hours: float | None = None
    max_price_age_days: int = 90
    tokens_per_request: float = 128
    images_per_request: float = 1
    requests_per_month: float = 1_000_000
    serving_precision: str = "fp32"
    always_on_gpus: int = 1  # GPUs kept up all month however few requests come: the bill's floor
    sparsity: float = 0.5
    structured_pruning: bool = False
    student_parameters: float | None = None
    measured: MeasuredModel | None = None
    measured_compression: tuple[MeasuredCompression, ...] = ()
    measured_machine_usd_per_hour: Decimal | None = None


@dataclass(frozen=True)
class ServingCost:
    offer: GpuOffer
    precision: str
    flops_per_request: float
    cost_per_request_usd: Decimal
    cost_per_1000_usd: Decimal
    monthly_usd: Decimal
    method: str
    floor_monthly_usd: Decimal = Decimal(0)  # the GPUs kept up all month, whatever the volume

    @property
    def requests_to_pass_floor(self) -> Decimal:
        """Monthly requests above which the bill grows with volume (and compression starts to pay)."""
        return self.floor_monthly_usd / self.cost_per_request_usd if self.cost_per_request_usd else Decimal(0)


@dataclass(frozen=True)
class CostReport:
    train_flops: float
    train_flops_method: str
    utilization: float
    utilization_source: str
    gpu: GpuSpec
    gpu_hours: float
    energy_kwh: float
    training_memory: MemoryBreakdown
    serving_memory: MemoryBreakdown
    fit_by_gpu: tuple[tuple[str, float, str], ...]  # (GPU, memory GB, verdict) for training
    sweep: Sweep
    serving: ServingCost
    compression: tuple[CompressionEstimate, ...]
    measured_cost_per_request_usd: Decimal | None = None
    measured_compression: tuple[MeasuredCompression, ...] = field(default=())


def training_flops_for(inputs: CostInputs) -> tuple[float, str]:
    model = inputs.model
    if model.is_transformer:
        return (compute.training_flops_transformer(model.parameters, inputs.training_tokens),
                f"6·N·D ({figures.TRAIN_FLOPS_PER_PARAM_TOKEN.source})")
    if model.forward_flops_per_image is None:
        raise EstimateError(f"{model.name}: a CNN needs forward FLOPs per image to estimate training compute")
    return (compute.training_flops_cnn(model.forward_flops_per_image, inputs.training_images, inputs.epochs),
            f"3 × forward FLOPs × images × epochs ({figures.TRAIN_TO_FORWARD_RATIO.source})")


def inference_flops_for(model: ModelSpec, tokens_per_request: float, images_per_request: float) -> float:
    if model.is_transformer:
        return compute.inference_flops_per_request_transformer(model.parameters, tokens_per_request)
    if model.forward_flops_per_image is None:
        raise EstimateError(f"{model.name}: a CNN needs forward FLOPs per image to estimate serving compute")
    return compute.inference_flops_per_request_cnn(model.forward_flops_per_image, images_per_request)


def serving_cost_for(model: ModelSpec, offers: tuple[GpuOffer, ...], precision: str = "fp32",
                     tokens_per_request: float = 128, images_per_request: float = 1,
                     requests_per_month: float = 1_000_000, utilization: float | None = None,
                     always_on_gpus: int = 0) -> ServingCost:
    """Cheapest serving among offers whose instance holds the model: dollars per request and per
    1,000 predictions (compute-bound at `utilization`, requests batched), and the monthly bill,
    which never falls below `always_on_gpus` GPUs kept up all month."""
    used = utilization if utilization is not None else default_utilization(model).value
    flops = inference_flops_for(model, tokens_per_request, images_per_request)
    memory_bytes = inference_memory(model, precision).total_bytes
    best: tuple[Decimal, GpuOffer, int] | None = None
    for offer in offers:
        spec = spec_for(offer.gpu)
        peak = spec.peak_tflops(precision)
        replica_gpus = fit_on_gpus(memory_bytes, spec.memory_gb, offer.gpus_per_instance).gpus_needed
        if not peak or replica_gpus is None:
            continue
        cost = serving_cost_per_request(flops, offer.usd_per_gpu_hour, peak, used)
        if best is None or cost < best[0]:
            best = (cost, offer, replica_gpus)
    if best is None:
        raise NoOfferFits(f"no offer holds {model.name} at {precision} for serving; try a lower precision")
    cost, offer, replica_gpus = best
    # A model spread over k GPUs keeps k GPUs up per replica.
    floor_gpus = max(always_on_gpus, replica_gpus) if always_on_gpus else 0
    return ServingCost(offer, precision, flops, cost, cost_per_1000_requests(cost),
                       monthly_serving_cost(requests_per_month, cost, offer.usd_per_gpu_hour, floor_gpus),
                       f"{'2·N FLOP per token' if model.is_transformer else 'forward FLOPs per image'} at "
                       f"{used:.0%} of {precision} peak on the cheapest offer that holds the model, GPU kept "
                       f"busy (batched requests); monthly bill at least {floor_gpus} GPU(s) × {HOURS_PER_MONTH} h",
                       offer.usd_per_gpu_hour * floor_gpus * HOURS_PER_MONTH)


def _fit_table(memory: MemoryBreakdown, offers: tuple[GpuOffer, ...]) -> tuple[tuple[str, float, str], ...]:
    rows = {}
    for offer in offers:
        spec = spec_for(offer.gpu)
        rows.setdefault(spec.name, (spec.name, spec.memory_gb, fit_on_gpus(memory.total_bytes, spec.memory_gb).verdict))
    return tuple(sorted(rows.values(), key=lambda row: row[1]))


def _compression_rows(inputs: CostInputs, serving: ServingCost) -> tuple[CompressionEstimate, ...]:
    estimates = all_estimates(inputs.model, inputs.sparsity, inputs.structured_pruning, inputs.student_parameters)
    # The published multipliers are against fp32; the cost we computed is at the serving
    # precision, so convert it to its fp32 equivalent first.
    baseline = next(e for e in estimates if e.method == f"precision {inputs.serving_precision}")
    fp32_cost = serving.cost_per_request_usd * Decimal(repr(baseline.throughput_multiplier))
    return tuple(with_monthly_costs(estimates, fp32_cost, inputs.requests_per_month,
                                    serving.offer.usd_per_gpu_hour, inputs.always_on_gpus))


def estimate_costs(inputs: CostInputs, offers: tuple[GpuOffer, ...]) -> CostReport:
    model = inputs.model
    utilization_figure = default_utilization(model)
    utilization = compute.require_utilization(
        inputs.utilization if inputs.utilization is not None else utilization_figure.value)
    source = utilization_figure.source if inputs.utilization is None else "entered by you"
    train_flops, method = training_flops_for(inputs)
    gpu = spec_for(inputs.gpu)
    peak = gpu.peak_tflops(inputs.train_precision)
    if not peak:
        raise EstimateError(f"GPU {inputs.gpu!r} has no {inputs.train_precision} TFLOP/s figure; pick another GPU")
    hours = compute.gpu_hours(train_flops, peak, utilization)
    memory = training_memory(model, inputs.train_precision, inputs.optimizer, inputs.batch_size,
                             inputs.sequence_length)
    workload = Workload(inputs.train_precision, train_flops, memory.total_bytes, utilization)
    sweep = sweep_quotes([workload], offers, inputs.today, inputs.gpu_counts, inputs.deadline_hours,
                         inputs.max_price_age_days)
    serving = serving_cost_for(model, offers, inputs.serving_precision, inputs.tokens_per_request,
                               inputs.images_per_request, inputs.requests_per_month, utilization,
                               inputs.always_on_gpus)
    measured_cost = None
    if inputs.measured and inputs.measured.samples_per_s and inputs.measured_machine_usd_per_hour:
        measured_cost = cost_per_request_from_throughput(inputs.measured.samples_per_s,
                                                         inputs.measured_machine_usd_per_hour)
    return CostReport(
        train_flops, method, utilization, source, gpu, hours, compute.energy_kwh(hours, gpu.tdp_w), memory,
        inference_memory(model, inputs.serving_precision, 1, inputs.sequence_length), _fit_table(memory, offers),
        sweep, serving, _compression_rows(inputs, serving), measured_cost, inputs.measured_compression)


QUOTE_COLUMNS = ("provider", "instance", "gpu", "precision", "gpus", "instances", "gpu_hours", "wall_clock_hours",
                 "cost_usd", "energy_kwh", "usd_per_gpu_hour", "price_date", "price_source", "stale",
                 "within_deadline", "cheapest", "fastest")


def quotes_csv(quotes: tuple[Quote, ...]) -> str:
    """The sweep as CSV text for download; money to the cent, hours to 4 significant digits."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(QUOTE_COLUMNS)
    for quote in quotes:
        row = quote._asdict()
        row["cost_usd"] = f"{round_usd(quote.cost_usd)}"
        for name in ("gpu_hours", "wall_clock_hours", "energy_kwh"):
            row[name] = f"{row[name]:.4g}"
        writer.writerow(row[name] for name in QUOTE_COLUMNS)
    return buffer.getvalue()


COMPRESSION_COLUMNS = ("method", "size_mb", "serving_memory_mb", "throughput_x_vs_fp32", "monthly_before_usd",
                       "monthly_after_usd", "monthly_saving_usd", "accuracy_caveat", "source")


def compression_rows(report: CostReport) -> list[dict[str, object]]:
    """The compression estimates as rows to show or download, money to the cent."""
    return [{
        "method": e.method, "size_mb": round(e.size_bytes / 1e6, 1),
        "serving_memory_mb": round(e.serving_memory_bytes / 1e6, 1),
        "throughput_x_vs_fp32": round(e.throughput_multiplier, 2),
        "monthly_before_usd": round_usd(e.monthly_cost_before_usd or Decimal(0)),
        "monthly_after_usd": round_usd(e.monthly_cost_after_usd or Decimal(0)),
        "monthly_saving_usd": round_usd(e.monthly_saving_usd or Decimal(0)),
        "accuracy_caveat": e.accuracy_caveat, "source": e.source,
    } for e in report.compression]


def compression_csv(report: CostReport) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COMPRESSION_COLUMNS)
    writer.writeheader()
    writer.writerows(compression_rows(report))
    return buffer.getvalue()
