"""The serving bill: the one computation of what serving a model costs, read by every page and export.

`serving_cost(ServingInputs, offers)` prices serving one model at one precision and monthly volume.
The Costs page headline, every row of its compression table (before and after), the financial model's
cost per request filled from the estimate, the investor summary and the example project all call it,
so the same model, precision and volume has the same price wherever it is shown.

How it prices: a decoder LLM with a known shape follows the hardware (business.costs.llm_serving:
prefill compute-bound, decode bound by memory bandwidth, `batch` sequences decoded together,
`tokens_per_request` prompt tokens and `output_tokens` generated). Encoders and CNNs stay batched
compute: 2·N FLOP per token or forward FLOPs per image, a GPU kept busy at `utilization` of its peak
at the precision serving so many requests per GPU-hour. On each offer that holds the model, the
month's bill is requests × dollars per request, but never less than the GPUs kept up all month (the
always-on floor: whole instances × 730 h). The offer
with the lowest bill wins. The cost per request is that bill divided by the requests: the figure the
financial model multiplies by its own volumes, floor included.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from business.costs import compute
from business.costs.catalog import GpuOffer, spec_for
from business.costs.compression import CompressionEstimate
from business.costs.compute import MAX_REQUESTS_PER_MONTH, EstimateError
from business.costs.llm_serving import (DEFAULT_EFFICIENCY, MissingGpuFigure, ModelDoesNotFit, NoOfferFits,
                                        ServingEfficiency, ServingEstimate, estimate_llm_serving, is_llm)
from business.costs.memory import fit_on_gpus, inference_memory
from business.costs.models import ModelSpec, default_utilization
from business.costs.pricing import HOURS_PER_MONTH, monthly_serving_cost, serving_cost_per_request
from business.provenance import Provenance, estimated




@dataclass(frozen=True)
class ServingInputs:
    """What the serving bill depends on. The defaults are the Costs page's."""
    model: ModelSpec
    precision: str = "fp32"
    tokens_per_request: float = 128
    images_per_request: float = 1
    requests_per_month: float = 1_000_000
    utilization: float | None = None  # None: Epoch AI's published default for the model kind
    always_on_gpus: int = 1  # GPUs kept up all month however few requests come; 0 = serverless
    throughput_multiplier: float = 1.0  # a compression speed-up on top (pruning, distillation)
    output_tokens: float = 256  # decoder LLMs: tokens generated per request (tokens_per_request = the prompt)
    batch: int = 8  # decoder LLMs: sequences decoded together
    efficiency: ServingEfficiency = DEFAULT_EFFICIENCY  # decoder LLMs: fractions of peak compute and bandwidth

    @property
    def per_request(self) -> str:
        if is_llm(self.model):
            return (f"{self.tokens_per_request:,.0f} input + {self.output_tokens:,.0f} output tokens, "
                    f"batch {self.batch}")
        if self.model.is_transformer:
            return f"{self.tokens_per_request:,.0f} tokens"
        return f"{self.images_per_request:,.0f} image(s)"


@dataclass(frozen=True)
class ServingCost:
    inputs: ServingInputs
    offer: GpuOffer
    utilization: float
    utilization_source: str
    peak_tflops: float
    flops_per_request: float
    marginal_cost_per_request_usd: Decimal  # compute alone, GPU kept busy by batched requests
    monthly_usd: Decimal  # the bill at the inputs' volume, never below the floor
    floor_gpus: int  # GPUs kept up all month, rounded up to whole instances
    floor_monthly_usd: Decimal  # what they cost, whatever the volume
    llm: ServingEstimate | None = None  # decoder LLMs: the hardware estimate the price comes from

    @property
    def precision(self) -> str:
        return self.inputs.precision

    @property
    def cost_per_request_usd(self) -> Decimal:
        """The month's bill shared over its requests: what one request really costs at this volume."""
        return self.monthly_usd / Decimal(repr(float(self.inputs.requests_per_month)))

    @property
    def cost_per_1000_usd(self) -> Decimal:
        return self.cost_per_request_usd * 1000

    @property
    def requests_to_pass_floor(self) -> Decimal:
        """Monthly requests above which the bill grows with volume (and compression starts to pay)."""
        marginal = self.marginal_cost_per_request_usd
        return self.floor_monthly_usd / marginal if marginal else Decimal(0)

    @property
    def floor_binds(self) -> bool:
        return self.floor_monthly_usd > 0 and self.monthly_usd == self.floor_monthly_usd

    @property
    def method(self) -> str:
        """One sentence a founder reads beside the figure: how it was computed."""
        unit = "2·N FLOP per token" if self.inputs.model.is_transformer else "forward FLOPs per image"
        floor = (f"at least {self.floor_gpus} GPU(s) kept up all month (whole instances, {HOURS_PER_MONTH} h)"
                 if self.floor_gpus
                 else "no GPU kept up (serverless)")
        how = (self.llm.method if self.llm is not None else
               f"{unit} at {self.utilization:.0%} of {self.precision} peak on {self.offer.provider} "
               f"{self.offer.instance}")
        return (f"{how}; monthly bill = requests × cost per request, {floor}; "
                f"cost per request = bill / {self.inputs.requests_per_month:,.0f} requests")

    def provenance(self, on: date | None = None) -> Provenance:
        """Where the cost per request comes from, for the financial model and the exports."""
        inputs = self.inputs
        return estimated("cost estimator: monthly serving bill / requests a month", {
            "model": inputs.model.name, "precision": self.precision, "per request": inputs.per_request,
            "requests a month": f"{inputs.requests_per_month:,.0f}",
            "GPUs kept up all month": str(self.floor_gpus),
            "utilization": f"{self.utilization:.0%} of peak ({self.utilization_source})",
            "offer": f"{self.offer.provider} {self.offer.instance}, ${self.offer.usd_per_gpu_hour:,.2f} per GPU-hour, "
                     f"price seen {self.offer.date_label}",
        }, on)


def serving_cost(inputs: ServingInputs, offers: tuple[GpuOffer, ...]) -> ServingCost:
    """The cheapest monthly serving bill among the offers whose instance holds the model."""
    model = inputs.model
    figure = default_utilization(model)
    used = compute.require_utilization(inputs.utilization if inputs.utilization is not None else figure.value)
    volume = compute.require_positive("requests_per_month", inputs.requests_per_month, MAX_REQUESTS_PER_MONTH)
    flops = _flops_per_request(inputs)
    memory_bytes = inference_memory(model, inputs.precision).total_bytes
    source = figure.source if inputs.utilization is None else "entered by you"
    best: ServingCost | None = None
    for offer in offers:
        priced = _per_offer(inputs, offer, flops, memory_bytes, used)
        if priced is None:
            continue
        peak, replica_gpus, marginal, llm = priced
        # A model spread over k GPUs keeps k GPUs up per replica, and GPUs kept up are rented by
        # whole instance: one GPU kept up on an 8-GPU instance pays for 8.
        floor_gpus = max(inputs.always_on_gpus, replica_gpus) if inputs.always_on_gpus else 0
        instances = -(-floor_gpus // offer.gpus_per_instance)
        monthly = monthly_serving_cost(volume, marginal, offer.usd_per_hour, instances)
        if best is None or (monthly, marginal) < (best.monthly_usd, best.marginal_cost_per_request_usd):
            best = ServingCost(inputs, offer, used, source, peak, flops, marginal, monthly,
                               instances * offer.gpus_per_instance, offer.usd_per_hour * instances * HOURS_PER_MONTH,
                               llm)
    if best is None:
        raise NoOfferFits(f"no offer holds {model.name} at {inputs.precision} for serving; try a lower precision")
    return best


def _per_offer(inputs: ServingInputs, offer: GpuOffer, flops: float, memory_bytes: float,
               utilization: float) -> tuple[float, int, Decimal, ServingEstimate | None] | None:
    """(peak, GPUs per replica, marginal $ per request, LLM estimate) on one offer, or None if it
    cannot hold or time the model."""
    spec = spec_for(offer.gpu)
    peak = spec.peak_tflops(inputs.precision)
    if is_llm(inputs.model):
        try:
            llm = estimate_llm_serving(inputs.model, offer, inputs.precision, inputs.batch,
                                       inputs.tokens_per_request, inputs.output_tokens, efficiency=inputs.efficiency)
        except (ModelDoesNotFit, MissingGpuFigure):
            return None
        multiplier = compute.require_positive("throughput_multiplier", inputs.throughput_multiplier, 1000)
        return peak, llm.tensor_parallel, llm.usd_per_request / Decimal(repr(multiplier)), llm
    replica_gpus = fit_on_gpus(memory_bytes, spec.memory_gb, offer.gpus_per_instance).gpus_needed
    if not peak or replica_gpus is None:
        return None
    marginal = serving_cost_per_request(flops, offer.usd_per_gpu_hour, peak, utilization, inputs.throughput_multiplier)
    return peak, replica_gpus, marginal, None


def _flops_per_request(inputs: ServingInputs) -> float:
    model = inputs.model
    if is_llm(model):
        return compute.inference_flops_per_request_transformer(model.parameters,
                                                               inputs.tokens_per_request + inputs.output_tokens)
    if model.is_transformer:
        return compute.inference_flops_per_request_transformer(model.parameters, inputs.tokens_per_request)
    if model.forward_flops_per_image is None:
        raise EstimateError(f"{model.name}: a CNN needs forward FLOPs per image to estimate serving compute")
    return compute.inference_flops_per_request_cnn(model.forward_flops_per_image, inputs.images_per_request)


@dataclass(frozen=True)
class CompressionBill:
    """One row of the compression table: its estimate and the serving bill after it."""
    estimate: CompressionEstimate
    before: ServingCost
    after: ServingCost | None  # None: no offer holds the compressed model
    speedup_vs_fp32: float | None  # requests per GPU-hour against the fp32 model on the same GPU, as priced

    @property
    def monthly_saving_usd(self) -> Decimal | None:
        return None if self.after is None else self.before.monthly_usd - self.after.monthly_usd


def compression_bills(estimates: list[CompressionEstimate], before: ServingCost,
                      offers: tuple[GpuOffer, ...]) -> tuple[CompressionBill, ...]:
    """Each compression priced by `serving_cost`: a precision row serves the model at that precision
    (on the offer that is cheapest for it); pruning and distillation serve it at the current precision,
    `throughput_multiplier` times faster. Before is the current bill, the Costs page's headline."""
    bills = []
    for estimate in estimates:
        if estimate.precision is not None:
            variant = replace(before.inputs, precision=estimate.precision, throughput_multiplier=1.0)
        else:
            variant = replace(before.inputs, throughput_multiplier=estimate.throughput_multiplier)
        try:
            after = serving_cost(variant, offers)
        except NoOfferFits:
            after = None
        bills.append(CompressionBill(estimate, before, after, _speedup_vs_fp32(after)))
    return tuple(bills)


def _speedup_vs_fp32(serving: ServingCost | None) -> float | None:
    if serving is None:
        return None
    fp32 = spec_for(serving.offer.gpu).peak_tflops("fp32")
    return serving.peak_tflops * serving.inputs.throughput_multiplier / fp32 if fp32 else None
