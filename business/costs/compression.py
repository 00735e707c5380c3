"""Compression savings: precision, pruning and distillation, estimated from published figures.

Each estimate gives the model's size, its serving memory, a throughput multiplier against the
fp32 model, the accuracy caveat and the source of every default. The serving bill before and after
each is priced by `business.costs.serving.compression_bills`, the same function as every other serving
figure (a precision row is priced at that precision's peak, not with its published multiplier, which
stays here as a reference). Measured results from a run card (`business.costs.run_cards`) are shown
beside these, never blended into them.
"""
from __future__ import annotations

from dataclasses import dataclass

from business import figures
from business.costs.compute import EstimateError, require_count
from business.costs.memory import QUANTIZATION_RULE, bytes_per_parameter, model_weights_bytes
from business.costs.models import ModelSpec


class InvalidCompression(EstimateError):
    pass


@dataclass(frozen=True)
class CompressionEstimate:
    method: str
    size_bytes: float
    serving_memory_bytes: float
    throughput_multiplier: float  # requests per GPU-hour against the fp32 model
    accuracy_caveat: str
    source: str
    precision: str | None = None  # set on the precision rows: the model served at that precision


def dynamic_int8_size_bytes(model: ModelSpec) -> float:
    """PyTorch dynamic quantization turns Linear weights to int8 and leaves embeddings, biases
    and norms in fp32, which is why BERT-base shrinks ~2.4×, not 4× (PyTorch BERT tutorial)."""
    shape = model.shape
    if shape is None:
        return model.parameters * bytes_per_parameter("int8")
    fp32_parameters = shape.embedding_parameters() + shape.other_parameters()
    return fp32_parameters * bytes_per_parameter("fp32") + shape.linear_weight_parameters() * bytes_per_parameter("int8")


def model_size_bytes(model: ModelSpec, precision: str) -> float:
    """Checkpoint size at a precision, under the one quantization rule for int8 and int4
    (`memory.QUANTIZATION_RULE`): Linear weights quantized, the rest kept unquantized."""
    return model_weights_bytes(model, precision)


def _serving_memory(size_bytes: float) -> float:
    return size_bytes * figures.INFERENCE_OVERHEAD.value


def precision_estimates(model: ModelSpec) -> list[CompressionEstimate]:
    """fp32 → bf16 → int8 → int4 for one model, each multiplier against fp32 with its source."""
    bf16 = figures.BF16_SPEEDUP_VS_FP32
    int8_speed = figures.BERT_INT8_DYNAMIC_SPEEDUP
    int4_speed = figures.GPTQ_INT4_SPEEDUP_VS_FP16.value * bf16.value
    rows = [
        ("fp32", 1.0, "the baseline", "fp32 weights, 4 bytes per parameter"),
        ("bf16", bf16.value, "usually no measurable loss for inference", bf16.source),
        ("int8", int8_speed.value, figures.BERT_INT8_DYNAMIC_ACCURACY, f"{int8_speed.source}; {QUANTIZATION_RULE}"),
        ("int4", int4_speed, figures.GPTQ_ACCURACY,
         f"{figures.GPTQ_INT4_SPEEDUP_VS_FP16.source} × the bf16 assumption ({bf16.value:g}×); {QUANTIZATION_RULE}"),
    ]
    estimates = []
    for precision, multiplier, caveat, source in rows:
        size = model_size_bytes(model, precision)
        estimates.append(CompressionEstimate(
            f"precision {precision}", size, _serving_memory(size), multiplier, caveat, source, precision))
    return estimates


def pruning_estimate(model: ModelSpec, sparsity: float, structured: bool = False) -> CompressionEstimate:
    """Pruning `sparsity` (0–1) of the weights. Unstructured: honest 1.0× on dense hardware."""
    if isinstance(sparsity, bool) or not isinstance(sparsity, (int, float)) or not 0 <= sparsity < 1:
        raise InvalidCompression(f"sparsity={sparsity!r} must be a fraction in [0, 1), e.g. 0.5 for 50%")
    fp32_size = model_size_bytes(model, "fp32")
    if not structured:
        return CompressionEstimate(
            f"unstructured pruning {sparsity:.0%}", fp32_size, _serving_memory(fp32_size), 1.0,
            "accuracy holds at moderate sparsity after fine-tuning; check on your data",
            figures.UNSTRUCTURED_SPARSITY_CAVEAT)
    kept = 1.0 - sparsity
    return CompressionEstimate(
        f"structured pruning {sparsity:.0%}", fp32_size * kept, _serving_memory(fp32_size * kept), 1.0 / kept,
        "accuracy drops as whole heads/channels go; fine-tune after pruning", figures.STRUCTURED_PRUNING_NOTE)


def distillation_estimate(model: ModelSpec, student_parameters: float | None = None) -> CompressionEstimate:
    """A smaller student trained on the model's outputs. Default: DistilBERT's published ratio
    (60% of the parameters, 1.6× faster, ~97% of the score)."""
    fp32_bytes = bytes_per_parameter("fp32")
    if student_parameters is None:
        student = model.parameters * figures.DISTILBERT_PARAM_RATIO.value
        multiplier = figures.DISTILBERT_SPEEDUP.value
        source = f"{figures.DISTILBERT_PARAM_RATIO.source}; {figures.DISTILBERT_SPEEDUP.source}"
    else:
        student = float(require_count("student_parameters", student_parameters, model.parameters))
        # Compute per request is ~2·N, so speed scales with the parameter ratio: an upper bound,
        # DistilBERT's 40% fewer parameters gave 60% (not 67%) more speed.
        multiplier = model.parameters / student
        source = "assumption: throughput ∝ 1/parameters (2·N FLOP per token); an upper bound"
    size = student * fp32_bytes
    return CompressionEstimate(
        f"distillation to {student / 1e6:,.0f}M parameters", size, _serving_memory(size), multiplier,
        figures.DISTILBERT_ACCURACY + "; needs a training run of the student", source)


def all_estimates(model: ModelSpec, sparsity: float = 0.5, structured: bool = False,
                  student_parameters: float | None = None) -> list[CompressionEstimate]:
    return [*precision_estimates(model), pruning_estimate(model, sparsity, structured),
            distillation_estimate(model, student_parameters)]

