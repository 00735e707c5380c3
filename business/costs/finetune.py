"""Fine-tuning memory per GPU and training FLOPs: full, LoRA and QLoRA, with ZeRO and 3D parallelism.

Accounting (EleutherAI "Transformer Math 101", which follows the ZeRO paper, Rajbhandari et al. 2020):
weights at the training precision, gradients at the training precision, and for Adam an fp32 master
copy plus two fp32 moments (12 bytes per trainable parameter); ZeRO-1 shards the optimizer states
over the data-parallel GPUs, ZeRO-2 the gradients too, ZeRO-3 the weights too; tensor (TP) and
pipeline (PP) parallelism split the model over TP × PP GPUs and activations over TP.
Activations per layer (Korthikanti et al. 2022, as TM101 gives them) for 16-bit values:
no recomputation s·b·h·(10 + 24/t + 5·a·s/(h·t)) bytes, full recomputation (activation checkpointing)
2·s·b·h bytes (only each layer's input is kept).

LoRA trains rank-r adapters A (in × r) and B (r × out) beside the chosen Linear layers and freezes the
base; QLoRA keeps the frozen base in 4 bits (the one quantization rule, memory.QUANTIZATION_RULE).
Training FLOPs of LoRA: forward 2·N plus backward through the frozen base for the activation
gradients only, 2·N (no weight gradients, Hu et al. 2021 §4.2), plus 6 per trainable parameter.
"""
from __future__ import annotations

from dataclasses import dataclass

from business import figures
from business.costs.compute import EstimateError, MAX_GPUS, MAX_TOKENS, require_count, require_positive
from business.costs.memory import (MAX_BATCH, MAX_SEQUENCE, MemoryBreakdown, bytes_per_parameter,
                                   model_weights_bytes)
from business.costs.models import ModelSpec

MODES = ("full", "lora", "qlora")
ZERO_STAGES = (0, 1, 2, 3)
# Linear layers LoRA can adapt, by the names PEFT configs use.
LORA_TARGETS = ("q", "k", "v", "o", "gate", "up", "down")
DEFAULT_LORA_TARGETS = ("q", "k", "v", "o")
ADAM_STATE_BYTES = 12.0  # fp32 master copy + two fp32 moments (TM101; ZeRO paper's K = 12)
SOURCE = "EleutherAI 'Transformer Math 101' (ZeRO: Rajbhandari et al. 2020; activations: Korthikanti et al. 2022)"


class InvalidFineTune(EstimateError):
    pass


@dataclass(frozen=True)
class FineTuneSetup:
    mode: str = "full"
    lora_rank: int = 16
    lora_targets: tuple[str, ...] = DEFAULT_LORA_TARGETS
    precision: str = "bf16"  # of the trainable weights, gradients and activations
    micro_batch: int = 8  # sequences per GPU per step
    sequence_length: int = 512
    activation_checkpointing: bool = False
    zero_stage: int = 0
    gpus: int = 1
    tensor_parallel: int = 1
    pipeline_parallel: int = 1

    @property
    def data_parallel(self) -> int:
        return self.gpus // (self.tensor_parallel * self.pipeline_parallel)


@dataclass(frozen=True)
class FineTuneMemory:
    setup: FineTuneSetup
    trainable_parameters: int
    frozen_parameters: int
    per_gpu: MemoryBreakdown

    @property
    def trainable_fraction(self) -> float:
        return self.trainable_parameters / (self.trainable_parameters + self.frozen_parameters)


def _target_shapes(model: ModelSpec) -> dict[str, tuple[int, int]]:
    """(in, out) of each adaptable Linear layer, per transformer layer."""
    shape = model.shape
    h, inter = shape.hidden, shape.intermediate
    shapes = {"q": (h, shape.q_width), "k": (h, shape.kv_width), "v": (h, shape.kv_width), "o": (shape.q_width, h),
              "up": (h, inter), "down": (inter, h)}
    if shape.ffn_matrices == 3:
        shapes["gate"] = (h, inter)
    return shapes


def lora_parameters(model: ModelSpec, rank: int, targets: tuple[str, ...] = DEFAULT_LORA_TARGETS) -> int:
    """Trainable parameters of LoRA adapters: r × (in + out) per adapted matrix per layer."""
    if model.shape is None:
        raise InvalidFineTune(f"{model.name}: LoRA needs the model's layer shape; paste its config.json")
    r = require_count("LoRA rank", rank, 65_536)
    shapes = _target_shapes(model)
    unknown = [t for t in targets if t not in shapes]
    if unknown or not targets:
        raise InvalidFineTune(f"LoRA target modules {unknown or list(targets)!r} are not in this model; "
                              f"choose from {', '.join(shapes)}")
    per_layer = sum(r * (shapes[t][0] + shapes[t][1]) for t in set(targets))
    return model.shape.layers * per_layer


def activation_bytes_per_gpu(model: ModelSpec, setup: FineTuneSetup) -> float:
    """TM101's activation memory for one GPU's micro-batch, split over tensor-parallel GPUs."""
    shape = model.shape
    if shape is None:
        return 0.0
    s, b, h, a, t = setup.sequence_length, setup.micro_batch, shape.hidden, shape.heads, setup.tensor_parallel
    if setup.activation_checkpointing:
        per_layer = 2.0 * s * b * h
    else:
        per_layer = s * b * h * (10.0 + 24.0 / t + 5.0 * a * s / (h * t))
    scale = 2.0 if setup.precision == "fp32" else 1.0
    return shape.layers * per_layer * scale


def _check(model: ModelSpec, setup: FineTuneSetup) -> None:
    if setup.mode not in MODES:
        raise InvalidFineTune(f"fine-tuning mode {setup.mode!r} is unknown; choose one of {', '.join(MODES)}")
    if setup.zero_stage not in ZERO_STAGES:
        raise InvalidFineTune(f"ZeRO stage {setup.zero_stage!r} must be 0, 1, 2 or 3")
    if setup.precision not in ("fp32", "bf16"):
        raise InvalidFineTune(f"training precision {setup.precision!r}: train in fp32 or bf16")
    gpus = require_count("GPUs", setup.gpus, MAX_GPUS)
    model_parallel = require_count("tensor parallel", setup.tensor_parallel, 1024) * require_count(
        "pipeline parallel", setup.pipeline_parallel, 1024)
    if gpus % model_parallel:
        raise InvalidFineTune(f"{gpus} GPUs cannot be split into tensor × pipeline groups of {model_parallel}")
    if model.shape is not None and setup.pipeline_parallel > model.shape.layers:
        raise InvalidFineTune(f"pipeline parallel {setup.pipeline_parallel} is more than the "
                              f"{model.shape.layers} layers")
    require_count("micro-batch", setup.micro_batch, MAX_BATCH)
    require_count("sequence length", setup.sequence_length, MAX_SEQUENCE)


def fine_tune_memory(model: ModelSpec, setup: FineTuneSetup) -> FineTuneMemory:
    """Memory per GPU, part by part (see the module docstring for the accounting)."""
    _check(model, setup)
    total = model.shape.parameters() if model.shape is not None else model.parameters
    if setup.mode == "full":
        trainable, frozen_bytes = total, 0.0
    else:
        trainable = lora_parameters(model, setup.lora_rank, setup.lora_targets)
        frozen_bytes = model_weights_bytes(model, "int4" if setup.mode == "qlora" else setup.precision)
    value_bytes = bytes_per_parameter(setup.precision)
    optimizer_per_parameter = ADAM_STATE_BYTES if setup.precision != "fp32" else ADAM_STATE_BYTES - 4.0
    split, dp = setup.tensor_parallel * setup.pipeline_parallel, setup.data_parallel
    weights = (frozen_bytes + trainable * value_bytes) / split / (dp if setup.zero_stage >= 3 else 1)
    gradients = trainable * value_bytes / split / (dp if setup.zero_stage >= 2 else 1)
    optimizer = trainable * optimizer_per_parameter / split / (dp if setup.zero_stage >= 1 else 1)
    per_gpu = MemoryBreakdown(
        weights_bytes=weights, gradients_bytes=gradients, optimizer_bytes=optimizer,
        activations_bytes=activation_bytes_per_gpu(model, setup),
        method=(f"{_weights_wording(setup)}, Adam 12 bytes per trainable parameter, "
                f"ZeRO-{setup.zero_stage} over {dp} data-parallel GPU(s), TP {setup.tensor_parallel} × PP "
                f"{setup.pipeline_parallel}; activations "
                f"{'checkpointed (2·s·b·h per layer)' if setup.activation_checkpointing else 'kept'} ({SOURCE})"))
    return FineTuneMemory(setup, trainable, 0 if setup.mode == "full" else total, per_gpu)


def _weights_wording(setup: FineTuneSetup) -> str:
    """What the weights are stored as: a QLoRA base is 4-bit, so "weights at bf16" would be wrong there."""
    if setup.mode == "full":
        return f"full: weights and gradients at {setup.precision}"
    base = "int4 (4-bit)" if setup.mode == "qlora" else setup.precision
    return f"{setup.mode}: frozen base at {base}, adapters and their gradients at {setup.precision}"


def fine_tune_flops(model: ModelSpec, tokens: float, mode: str = "full", trainable_parameters: int = 0,
                    activation_checkpointing: bool = False) -> float:
    """Training FLOPs: 6·N·D for full fine-tuning; 4·N·D + 6·N_trainable·D for LoRA/QLoRA (no weight
    gradients for the frozen base). Checkpointing repeats the forward pass: + 2·N·D."""
    if mode not in MODES:
        raise InvalidFineTune(f"fine-tuning mode {mode!r} is unknown; choose one of {', '.join(MODES)}")
    n = float(model.shape.parameters() if model.shape is not None else model.parameters)
    d = require_positive("tokens", tokens, MAX_TOKENS)
    per_token = figures.INFER_FLOPS_PER_PARAM_TOKEN.value
    recompute = per_token * n if activation_checkpointing else 0.0
    if mode == "full":
        return (figures.TRAIN_FLOPS_PER_PARAM_TOKEN.value * n + recompute) * d
    return (2 * per_token * n + figures.TRAIN_FLOPS_PER_PARAM_TOKEN.value * trainable_parameters + recompute) * d
