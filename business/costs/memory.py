"""GPU memory for training and serving, as a sum of named parts, and whether it fits a GPU.

Training memory is weights + gradients + optimizer state + activations, summed: a popular
estimator printed the largest part instead of the sum (REFERENCE.md, "known calculator bugs"),
so `MemoryBreakdown.total_bytes` is always the sum of `parts()` and the tests hold it to that.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from business import figures
from business.costs.compute import EstimateError, require_count
from business.costs.models import ModelSpec

PRECISIONS = ("fp32", "bf16", "int8", "int4")
TRAINING_PRECISIONS = ("fp32", "bf16")
OPTIMIZERS = ("adam", "adam-8bit", "sgd")
BYTES_PER_GB = 1e9  # vendors' "80 GB" is at least 80e9 bytes; decimal GB keeps the fit conservative
MAX_BATCH = 1_000_000
MAX_SEQUENCE = 10_000_000


_MEASURED_CNN = "measured at 224×224 by bench/cnn_activations.py"


class UnknownPrecision(EstimateError):
    pass


class UnknownOptimizer(EstimateError):
    pass


@dataclass(frozen=True)
class MemoryBreakdown:
    weights_bytes: float
    gradients_bytes: float = 0.0
    optimizer_bytes: float = 0.0
    activations_bytes: float = 0.0
    kv_cache_bytes: float = 0.0
    overhead_bytes: float = 0.0
    method: str = ""

    def parts(self) -> dict[str, float]:
        return {
            "weights": self.weights_bytes, "gradients": self.gradients_bytes,
            "optimizer states": self.optimizer_bytes, "activations": self.activations_bytes,
            "KV cache": self.kv_cache_bytes, "runtime overhead": self.overhead_bytes,
        }

    @property
    def total_bytes(self) -> float:
        return sum(self.parts().values())


@dataclass(frozen=True)
class GpuFit:
    gpus_needed: int | None  # None: more than max_gpus
    verdict: str


def bytes_per_parameter(precision: str) -> float:
    try:
        return figures.BYTES_PER_PARAM[precision].value
    except KeyError:
        raise UnknownPrecision(f"precision {precision!r} is unknown; choose one of {', '.join(PRECISIONS)}") from None


def weights_bytes(parameters: float, precision: str) -> float:
    return parameters * bytes_per_parameter(precision)


QUANTIZED = ("int8", "int4")
QUANTIZATION_RULE = ("int8 and int4 quantize the Linear layers' weights only; embeddings, the LM head, biases "
                     "and norms keep fp32 on an encoder (PyTorch dynamic quantization, the BERT tutorial's "
                     "438 -> ~182 MB) and bf16 on a decoder (GPTQ/AWQ-style weight-only quantization)")


def unquantized_precision(model: ModelSpec) -> str:
    return "fp32" if model.kind == "encoder" else "bf16"


def model_weights_bytes(model: ModelSpec, precision: str) -> float:
    """Bytes of the model's weights at `precision`, under the one rule in QUANTIZATION_RULE for int8 and
    int4 alike. Without a shape (CNNs, bare counts) every weight takes the precision's bytes."""
    shape = model.shape
    if precision not in QUANTIZED or shape is None:
        parameters = shape.parameters() if shape is not None else model.parameters
        return parameters * bytes_per_parameter(precision)
    kept = (shape.embedding_parameters() + shape.other_parameters()) * bytes_per_parameter(unquantized_precision(model))
    return kept + shape.linear_weight_parameters() * bytes_per_parameter(precision)


def optimizer_bytes_per_parameter(optimizer: str, precision: str) -> float:
    moments = {
        "adam": figures.ADAM_MOMENTS_BYTES.value,
        "adam-8bit": figures.ADAM_8BIT_MOMENTS_BYTES.value,
        "sgd": figures.SGD_MOMENTUM_BYTES.value,
    }
    if optimizer not in moments:
        raise UnknownOptimizer(f"optimizer {optimizer!r} is unknown; choose one of {', '.join(OPTIMIZERS)}")
    # Mixed precision keeps an fp32 master copy for the update; fp32 training updates in place.
    master = figures.MASTER_WEIGHTS_BYTES.value if precision != "fp32" else 0.0
    return moments[optimizer] + master


def transformer_activations_bytes(model: ModelSpec, batch_size: int, sequence_length: int,
                                  precision: str) -> float:
    """Korthikanti et al. 2022: s·b·h·(34 + 5·a·s/h) bytes per layer for 16-bit activations,
    no recomputation; fp32 activations take twice that."""
    shape = model.shape
    if shape is None:
        return 0.0
    s, b, h, a = sequence_length, batch_size, shape.hidden, shape.heads
    per_layer = s * b * h * (figures.ACTIVATION_CONSTANT.value + 5.0 * a * s / h)
    scale = 2.0 if precision == "fp32" else 1.0
    return shape.layers * per_layer * scale


def training_memory(model: ModelSpec, precision: str = "bf16", optimizer: str = "adam",
                    batch_size: int = 8, sequence_length: int = 128) -> MemoryBreakdown:
    """Memory to train `model`: every part, summed (not the largest part)."""
    if precision not in TRAINING_PRECISIONS:
        raise UnknownPrecision(
            f"training precision {precision!r} is not supported; train in fp32 or bf16 and quantize for serving")
    batch = require_count("batch_size", batch_size, MAX_BATCH)
    seq = require_count("sequence_length", sequence_length, MAX_SEQUENCE)
    n = float(model.parameters)
    if model.is_transformer and model.shape is not None:
        activations = transformer_activations_bytes(model, batch, seq, precision)
        method = ("weights + fp32 grads + optimizer (Megatron accounting) + activations "
                  "(Korthikanti et al. 2022)")
    elif model.is_transformer:
        activations = 0.0
        method = ("weights + fp32 grads + optimizer (Megatron accounting); activations not estimated: "
                  "the layer shape of this model is unknown, so pick the nearest preset to see them")
    elif model.activation_bytes_per_image:
        # Under bf16 autocast most saved tensors are 16-bit: half the fp32 measurement, roughly.
        activations = model.activation_bytes_per_image * batch * (1.0 if precision == "fp32" else 0.5)
        method = ("weights + fp32 grads + optimizer (Megatron accounting) + activations per image × batch "
                  f"({_MEASURED_CNN})")
    else:
        activations = 0.0
        method = ("weights + fp32 grads + optimizer (Megatron accounting); activations of this CNN not "
                  "known: pick the nearest preset or measure them")
    return MemoryBreakdown(
        weights_bytes=weights_bytes(n, precision),
        gradients_bytes=n * figures.GRADIENT_BYTES.value,
        optimizer_bytes=n * optimizer_bytes_per_parameter(optimizer, precision),
        activations_bytes=activations,
        method=method,
    )


def kv_cache_bytes(model: ModelSpec, batch_size: int, sequence_length: int, precision: str = "bf16") -> float:
    """Decoder KV cache: 2 (K and V) × layers × KV heads × head dim × tokens × batch × bytes.
    Grouped-query attention shrinks it through `kv_heads`; encoders keep no cache."""
    shape = model.shape
    if model.kind != "decoder" or shape is None:
        return 0.0
    batch = require_count("batch_size", batch_size, MAX_BATCH)
    seq = require_count("sequence_length", sequence_length, MAX_SEQUENCE)
    # The cache holds activations, which stay 16-bit even when weights are int8/int4.
    value_bytes = bytes_per_parameter("fp32" if precision == "fp32" else "bf16")
    return 2.0 * shape.layers * shape.kv_width * seq * batch * value_bytes


def inference_memory(model: ModelSpec, precision: str = "bf16", batch_size: int = 1,
                     sequence_length: int = 128) -> MemoryBreakdown:
    """Serving memory: weights, ~20% runtime overhead (Transformer Math 101) and the KV cache."""
    weights = model_weights_bytes(model, precision)
    overhead = weights * (figures.INFERENCE_OVERHEAD.value - 1.0)
    return MemoryBreakdown(
        weights_bytes=weights,
        kv_cache_bytes=kv_cache_bytes(model, batch_size, sequence_length, precision),
        overhead_bytes=overhead,
        method="weights × 1.2 (Transformer Math 101) + KV cache (2 × layers × KV heads × head dim × tokens)"
               + (f"; {QUANTIZATION_RULE}" if precision in QUANTIZED else ""),
    )


def fit_on_gpus(total_bytes: float, gpu_memory_gb: float, max_gpus: int = 64) -> GpuFit:
    """How many GPUs of `gpu_memory_gb` hold `total_bytes`, if every part shards evenly
    (ZeRO-3/FSDP with the batch split across GPUs): a lower bound on the real count."""
    if not gpu_memory_gb > 0:
        raise EstimateError(f"gpu_memory_gb={gpu_memory_gb!r} must be greater than zero")
    needed = max(1, math.ceil(total_bytes / (gpu_memory_gb * BYTES_PER_GB)))
    if needed == 1:
        return GpuFit(1, "fits on 1 GPU")
    if needed <= max_gpus:
        return GpuFit(needed, f"needs {needed} GPUs")
    return GpuFit(None, f"does not fit on {max_gpus} GPUs")
