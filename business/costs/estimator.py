"""The cost estimator in one call: inputs of the Costs page -> every figure the page shows.

`estimate_costs(CostInputs, offers)` runs compute, memory, the price sweep, serving cost and
compression savings, and returns a `CostReport`. Serving is priced by `business.costs.serving`
(the one serving-cost function every page reads). Raises `EstimateError` subclasses only, with
messages a page can show as they are.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from business import figures
from business.csv_safety import neutral_cell
from business.costs import compute
from business.costs.catalog import GpuOffer, GpuSpec, spec_for
from business.costs.compression import all_estimates
from business.costs.compute import EstimateError
from business.costs.memory import MemoryBreakdown, fit_on_gpus, inference_memory, training_memory
from business.costs.models import ModelSpec, default_utilization
from business.costs.pricing import (DEFAULT_GPU_COUNTS, Quote, Sweep, Workload, cost_per_request_from_throughput,
                                    round_usd, sweep_quotes)
from business.costs.run_cards import MeasuredCompression, MeasuredModel
from business.costs.serving import (CompressionBill, NoOfferFits, ServingCost, ServingInputs, compression_bills,
                                    serving_cost)


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
    tokens_per_request: float = 128  # decoder LLMs: the prompt
    output_tokens: float = 256  # decoder LLMs: tokens generated per request
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
    serving: ServingCost | None  # None: no offer holds the model for serving; `serving_error` says why
    compression: tuple[CompressionBill, ...]
    measured_cost_per_request_usd: Decimal | None = None
    measured_compression: tuple[MeasuredCompression, ...] = field(default=())
    serving_error: str = ""


def training_flops_for(inputs: CostInputs) -> tuple[float, str]:
    model = inputs.model
    if model.is_transformer:
        return (compute.training_flops_transformer(model.parameters, inputs.training_tokens),
                f"6·N·D ({figures.TRAIN_FLOPS_PER_PARAM_TOKEN.source})")
    if model.forward_flops_per_image is None:
        raise EstimateError(f"{model.name}: a CNN needs forward FLOPs per image to estimate training compute")
    return (compute.training_flops_cnn(model.forward_flops_per_image, inputs.training_images, inputs.epochs),
            f"3 × forward FLOPs × images × epochs ({figures.TRAIN_TO_FORWARD_RATIO.source})")


def serving_inputs(inputs: CostInputs) -> ServingInputs:
    """The part of the Costs page's inputs the serving bill depends on."""
    return ServingInputs(inputs.model, inputs.serving_precision, inputs.tokens_per_request, inputs.images_per_request,
                         inputs.requests_per_month, inputs.utilization, inputs.always_on_gpus,
                         output_tokens=inputs.output_tokens)


def _fit_table(memory: MemoryBreakdown, offers: tuple[GpuOffer, ...]) -> tuple[tuple[str, float, str], ...]:
    rows = {}
    for offer in offers:
        spec = spec_for(offer.gpu)
        rows.setdefault(spec.name, (spec.name, spec.memory_gb, fit_on_gpus(memory.total_bytes, spec.memory_gb).verdict))
    return tuple(sorted(rows.values(), key=lambda row: row[1]))


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
    # Serving that cannot be priced (the model fits no offer at that precision) must not take the
    # training estimate down with it: the report keeps training and says why serving is missing.
    try:
        serving, serving_error = serving_cost(serving_inputs(inputs), offers), ""
    except NoOfferFits as error:
        serving, serving_error = None, str(error)
    estimates = all_estimates(model, inputs.sparsity, inputs.structured_pruning, inputs.student_parameters)
    measured_cost = None
    if inputs.measured and inputs.measured.samples_per_s and inputs.measured_machine_usd_per_hour:
        measured_cost = cost_per_request_from_throughput(inputs.measured.samples_per_s,
                                                         inputs.measured_machine_usd_per_hour)
    return CostReport(
        train_flops, method, utilization, source, gpu, hours, compute.energy_kwh(hours, gpu.tdp_w), memory,
        inference_memory(model, inputs.serving_precision, 1, inputs.sequence_length), _fit_table(memory, offers),
        sweep, serving, compression_bills(estimates, serving, offers) if serving else (), measured_cost,
        inputs.measured_compression, serving_error)


QUOTE_COLUMNS = ("provider", "instance", "gpu", "precision", "gpus", "instances", "gpu_hours", "wall_clock_hours",
                 "cost_usd", "energy_kwh", "usd_per_gpu_hour", "price_date", "price_source", "stale",
                 "within_deadline", "cheapest", "fastest")


def plain_number(number: float, digits: int = 4) -> str:
    """`digits` significant digits written out for a CSV: 295000, 0.0001234; never 2.95e+05."""
    if number == 0 or not math.isfinite(number):
        return "0" if number == 0 else str(number)
    places = digits - 1 - math.floor(math.log10(abs(number)))
    return f"{round(number, places):.{max(0, places)}f}"


def quotes_csv(quotes: tuple[Quote, ...]) -> str:
    """The sweep as CSV text for download; money to the cent, hours and kWh to 4 significant digits,
    all plain numbers (no thousands separators, no scientific notation)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(QUOTE_COLUMNS)
    for quote in quotes:
        row = quote._asdict()
        row["cost_usd"] = f"{round_usd(quote.cost_usd)}"
        for name in ("gpu_hours", "wall_clock_hours", "energy_kwh"):
            row[name] = plain_number(row[name])
        writer.writerow(neutral_cell(row[name]) for name in QUOTE_COLUMNS)  # provider names can be typed
    return buffer.getvalue()


COMPRESSION_COLUMNS = ("method", "served_on", "size_mb", "serving_memory_mb", "throughput_x_vs_fp32",
                       "usd_per_1000_after", "monthly_before_usd", "monthly_after_usd", "monthly_saving_usd",
                       "accuracy_caveat", "source")


def compression_rows(report: CostReport) -> list[dict[str, object]]:
    """The compression table as rows to show or download: money to the cent (per 1,000 requests to
    8 places), None where no offer holds the compressed model."""
    return [_compression_row(bill) for bill in report.compression]


def _compression_row(bill: CompressionBill) -> dict[str, object]:
    estimate, after = bill.estimate, bill.after
    source = estimate.source
    if estimate.precision is not None and after is not None:
        # The bill uses the GPU's peak at this precision; the published multiplier is shown for reference.
        source = (f"priced at {after.offer.gpu}'s {estimate.precision} peak ({after.peak_tflops:g} TFLOP/s); "
                  f"published: {estimate.throughput_multiplier:g}× ({estimate.source})")
    return {
        "method": estimate.method,
        "served_on": f"{after.offer.provider} {after.offer.instance}" if after else "no offer holds it",
        "size_mb": round(estimate.size_bytes / 1e6, 1),
        "serving_memory_mb": round(estimate.serving_memory_bytes / 1e6, 1),
        "throughput_x_vs_fp32": None if bill.speedup_vs_fp32 is None else round(bill.speedup_vs_fp32, 2),
        "usd_per_1000_after": round_usd(after.cost_per_1000_usd, 8) if after else None,
        "monthly_before_usd": round_usd(bill.before.monthly_usd),
        "monthly_after_usd": round_usd(after.monthly_usd) if after else None,
        "monthly_saving_usd": round_usd(bill.monthly_saving_usd) if after else None,
        "accuracy_caveat": estimate.accuracy_caveat, "source": source,
    }


def compression_csv(report: CostReport) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COMPRESSION_COLUMNS)
    writer.writeheader()
    writer.writerows(compression_rows(report))
    return buffer.getvalue()
