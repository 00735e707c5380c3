"""Serving a decoder LLM the way the hardware does it: prefill bound by compute, decode by memory bandwidth.

`estimate_llm_serving(model, offer, precision, batch, input_tokens, output_tokens)` gives, for one
replica of the model (spread over `tensor_parallel` GPUs of one instance):

- prefill: 2·N FLOP per input token for the whole batch, at `efficiency.compute` of the GPUs' dense
  peak: the time to first token;
- decode: each step produces one token per sequence and reads every weight once plus the KV cache of
  every sequence (2 × layers × KV width × context × bytes), at `efficiency.bandwidth` of the GPUs' peak
  bandwidth, unless its 2·N·batch FLOP take longer: then the step is compute-bound. The batch where the
  two meet is reported;
- fit: weights (the one quantization rule, memory.QUANTIZATION_RULE) × 1.2 runtime overhead + the KV
  cache for the batch at full context, against the replica's GPU memory;
- money: GPU time of prefill is charged to input tokens, of decode to output tokens, at the offer's
  price per GPU-hour × GPUs in the replica.

Pure functions; every failure is an `EstimateError` naming the value. `cheapest_llm_serving` picks the
offer with the lowest cost per 1,000 requests among those whose instance holds the model.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from business import figures
from business.costs.catalog import GpuOffer, spec_for
from business.costs.compute import SECONDS_PER_HOUR, TERA, EstimateError, require_count, require_positive
from business.costs.memory import BYTES_PER_GB, MAX_BATCH, MemoryBreakdown, QUANTIZATION_RULE, model_weights_bytes
from business.costs.models import ModelSpec

MAX_TOKENS_PER_REQUEST = 10_000_000


class ModelDoesNotFit(EstimateError):
    pass


class NoOfferFits(EstimateError):
    """No offer in the catalog holds the model (business.costs.serving re-exports it)."""


class NotADecoder(EstimateError):
    pass


class InvalidEfficiency(EstimateError):
    pass


class MissingGpuFigure(EstimateError):
    pass


@dataclass(frozen=True)
class ServingEfficiency:
    """Fractions of peak reached in practice; the defaults carry their sources (figures.py)."""
    compute: float = figures.PREFILL_COMPUTE_EFFICIENCY.value
    bandwidth: float = figures.DECODE_BANDWIDTH_EFFICIENCY.value

    def __post_init__(self) -> None:
        for name in ("compute", "bandwidth"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise InvalidEfficiency(f"{name} efficiency={value!r} must be a fraction in (0, 1], e.g. 0.6")


DEFAULT_EFFICIENCY = ServingEfficiency()


@dataclass(frozen=True)
class ServingEstimate:
    model: ModelSpec
    offer: GpuOffer
    precision: str
    batch: int
    input_tokens: float
    output_tokens: float
    tensor_parallel: int  # GPUs holding one replica
    memory: MemoryBreakdown  # one replica: weights + overhead + KV cache for the batch at full context
    memory_per_gpu_bytes: float
    time_to_first_token_s: float
    decode_step_s: float
    output_tokens_per_s_per_user: float
    requests_per_s: float  # one replica
    requests_per_s_per_gpu: float
    output_tokens_per_s_per_gpu: float
    compute_bound_batch: float | None  # None: decode stays bandwidth-bound at any batch
    decode_bound: str  # "memory bandwidth" or "compute"
    usd_per_1m_input_tokens: Decimal
    usd_per_1m_output_tokens: Decimal
    usd_per_1000_requests: Decimal
    efficiency: ServingEfficiency = DEFAULT_EFFICIENCY

    @property
    def usd_per_request(self) -> Decimal:
        return self.usd_per_1000_requests / 1000

    @property
    def method(self) -> str:
        return (f"prefill 2·N FLOP per input token at {self.efficiency.compute:.0%} of {self.precision} peak "
                f"({figures.PREFILL_COMPUTE_EFFICIENCY.source}); decode reads the weights and KV cache each "
                f"token at {self.efficiency.bandwidth:.0%} of peak bandwidth "
                f"({figures.DECODE_BANDWIDTH_EFFICIENCY.source}); {self.tensor_parallel} GPU(s) per replica on "
                f"{self.offer.provider} {self.offer.instance}, price seen {self.offer.date_label}")


@dataclass(frozen=True)
class _Replica:
    """The hardware one replica runs on: summed over its tensor-parallel GPUs."""
    gpus: int
    memory_bytes: float
    flops_per_s: float
    bytes_per_s: float


def kv_bytes_per_token(model: ModelSpec, precision: str) -> float:
    """KV cache per token of one sequence: K and V for every layer, 16-bit (fp32 when serving fp32)."""
    shape = model.shape
    value_bytes = 4.0 if precision == "fp32" else 2.0
    return 2.0 * shape.layers * shape.kv_width * value_bytes


def _replica(offer: GpuOffer, gpus: int, precision: str, efficiency: ServingEfficiency) -> _Replica:
    spec = spec_for(offer.gpu)
    peak = spec.peak_tflops(precision)
    if not peak or not spec.mem_bandwidth_tbs:
        raise MissingGpuFigure(f"{spec.name} has no {precision} TFLOP/s or memory bandwidth figure; pick another GPU")
    return _Replica(gpus, gpus * spec.memory_gb * BYTES_PER_GB, gpus * peak * TERA * efficiency.compute,
                    gpus * spec.mem_bandwidth_tbs * TERA * efficiency.bandwidth)


def _memory(model: ModelSpec, precision: str, batch: int, context: float) -> MemoryBreakdown:
    weights = model_weights_bytes(model, precision)
    return MemoryBreakdown(
        weights_bytes=weights, overhead_bytes=weights * (figures.INFERENCE_OVERHEAD.value - 1.0),
        kv_cache_bytes=kv_bytes_per_token(model, precision) * batch * context,
        method=f"weights × {figures.INFERENCE_OVERHEAD.value:g} ({figures.INFERENCE_OVERHEAD.source}) + KV cache "
               f"(2 × layers × KV heads × head dim × context × batch); {QUANTIZATION_RULE}")


def _check(model: ModelSpec, batch: int, input_tokens: float, output_tokens: float) -> tuple[int, float, float]:
    if model.kind != "decoder" or model.shape is None:
        raise NotADecoder(f"{model.name} is not a decoder with a known shape: LLM serving needs layers, heads "
                          "and KV heads (paste its config.json); encoders and CNNs are priced as batched compute")
    return (require_count("batch", batch, MAX_BATCH),
            require_positive("input_tokens", input_tokens, MAX_TOKENS_PER_REQUEST),
            require_positive("output_tokens", output_tokens, MAX_TOKENS_PER_REQUEST))


def _tensor_parallel(memory: MemoryBreakdown, offer: GpuOffer, wanted: int | None) -> int:
    """The GPUs per replica: as asked, else the fewest (1, 2, 4, 8...) of the instance that hold it."""
    per_gpu = spec_for(offer.gpu).memory_gb * BYTES_PER_GB
    if wanted is not None:
        count = require_count("tensor_parallel", wanted, offer.gpus_per_instance)
        if memory.total_bytes > count * per_gpu:
            raise ModelDoesNotFit(f"{memory.total_bytes / 1e9:,.1f} GB does not fit on {count} × "
                                  f"{spec_for(offer.gpu).memory_gb:g} GB GPUs of {offer.provider} {offer.instance}")
        return count
    count = 1
    while count <= offer.gpus_per_instance:
        if memory.total_bytes <= count * per_gpu:
            return count
        count *= 2
    raise ModelDoesNotFit(f"{memory.total_bytes / 1e9:,.1f} GB (weights, overhead, KV cache) does not fit on one "
                          f"{offer.provider} {offer.instance} ({offer.gpus_per_instance} × "
                          f"{spec_for(offer.gpu).memory_gb:g} GB)")


def compute_bound_batch(weights_bytes: float, kv_per_sequence_bytes: float, flops_per_sequence: float,
                        flops_per_s: float, bytes_per_s: float) -> float | None:
    """Batch b where a decode step's compute time b·F/P equals its memory time (W + b·K)/B.
    None when the KV cache alone grows as fast as the compute: decode never turns compute-bound."""
    denominator = flops_per_sequence / flops_per_s - kv_per_sequence_bytes / bytes_per_s
    return (weights_bytes / bytes_per_s) / denominator if denominator > 0 else None


def is_llm(model: ModelSpec) -> bool:
    """Decoders with a known shape are served by this module's physics; the rest as batched compute."""
    return model.kind == "decoder" and model.shape is not None


def estimate_llm_serving(model: ModelSpec, offer: GpuOffer, precision: str = "bf16", batch: int = 1,
                         input_tokens: float = 512, output_tokens: float = 256, tensor_parallel: int | None = None,
                         efficiency: ServingEfficiency = DEFAULT_EFFICIENCY) -> ServingEstimate:
    """Latency, throughput and cost of serving a decoder on one offer (see the module docstring)."""
    batch, input_tokens, output_tokens = _check(model, batch, input_tokens, output_tokens)
    memory = _memory(model, precision, batch, input_tokens + output_tokens)
    gpus = _tensor_parallel(memory, offer, tensor_parallel)
    replica = _replica(offer, gpus, precision, efficiency)
    flops_per_token = figures.INFER_FLOPS_PER_PARAM_TOKEN.value * model.parameters
    prefill_s = flops_per_token * input_tokens * batch / replica.flops_per_s
    # Decode at the mean context of the generation: the KV cache grows from the prompt to the end.
    kv_per_sequence = kv_bytes_per_token(model, precision) * (input_tokens + output_tokens / 2)
    memory_s = (memory.weights_bytes + kv_per_sequence * batch) / replica.bytes_per_s
    compute_s = flops_per_token * batch / replica.flops_per_s
    step_s = max(memory_s, compute_s)
    cycle_s = prefill_s + output_tokens * step_s
    usd_per_s = offer.usd_per_gpu_hour * gpus / Decimal(SECONDS_PER_HOUR)
    return ServingEstimate(
        model, offer, precision, batch, input_tokens, output_tokens, gpus, memory, memory.total_bytes / gpus,
        time_to_first_token_s=prefill_s, decode_step_s=step_s, output_tokens_per_s_per_user=1.0 / step_s,
        requests_per_s=batch / cycle_s, requests_per_s_per_gpu=batch / cycle_s / gpus,
        output_tokens_per_s_per_gpu=batch * output_tokens / cycle_s / gpus,
        compute_bound_batch=compute_bound_batch(memory.weights_bytes, kv_per_sequence, flops_per_token,
                                                replica.flops_per_s, replica.bytes_per_s),
        decode_bound="compute" if compute_s > memory_s else "memory bandwidth",
        usd_per_1m_input_tokens=usd_per_s * Decimal(prefill_s / (batch * input_tokens) * 1e6),
        usd_per_1m_output_tokens=usd_per_s * Decimal(output_tokens * step_s / (batch * output_tokens) * 1e6),
        usd_per_1000_requests=usd_per_s * Decimal(cycle_s / batch * 1000), efficiency=efficiency)


def cheapest_llm_serving(model: ModelSpec, offers: Iterable[GpuOffer], precision: str = "bf16", batch: int = 1,
                         input_tokens: float = 512, output_tokens: float = 256,
                         efficiency: ServingEfficiency = DEFAULT_EFFICIENCY) -> ServingEstimate:
    """The offer with the lowest cost per 1,000 requests among those whose instance holds the model."""
    best: ServingEstimate | None = None
    for offer in offers:
        try:
            estimate = estimate_llm_serving(model, offer, precision, batch, input_tokens, output_tokens,
                                            efficiency=efficiency)
        except (ModelDoesNotFit, MissingGpuFigure):
            continue  # this instance cannot hold or time it; the others may
        if best is None or estimate.usd_per_1000_requests < best.usd_per_1000_requests:
            best = estimate
    if best is None:
        raise NoOfferFits(f"no offer holds {model.name} at {precision} with a batch of {batch} at "
                          f"{input_tokens + output_tokens:,.0f} tokens of context; try int8/int4 or a smaller batch")
    return best
