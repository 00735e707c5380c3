"""Published figures the cost estimator uses as defaults, each with the source it comes from.

The page shows `Figure.source` beside every default so a founder can see where a number comes
from and overrule it. Values marked "assumption" are ours, not a publication's, and say so.
Facts gathered in shared/research/REFERENCE.md unless the source says otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str
    source: str


TRANSFORMER_MATH = "Kaplan et al. 2020; EleutherAI 'Transformer Math 101'"

TRAIN_FLOPS_PER_PARAM_TOKEN = Figure(6.0, "FLOP per parameter per token", TRANSFORMER_MATH)
INFER_FLOPS_PER_PARAM_TOKEN = Figure(2.0, "FLOP per parameter per token", TRANSFORMER_MATH)
# Backward costs about twice the forward pass: the same 3x behind 6·N·D = 3 × 2·N·D.
TRAIN_TO_FORWARD_RATIO = Figure(3.0, "training FLOP per forward FLOP", TRANSFORMER_MATH)

# Decoder pretraining: the utilization Llama 2 7B's published GPU-hours imply (6·N·D over 184,320
# A100-80GB hours at 312 TFLOP/s bf16 = 39.1%); 13B and 70B imply 37.7% and 42.8%. Epoch AI's older
# 30% overstated these runs' GPU-hours by 26-43%. business.costs.published_runs recomputes them.
UTILIZATION_LLM = Figure(0.39, "fraction of peak FLOP/s",
                         "implied by Llama 2 7B: 6·N·D / 184,320 A100-80GB GPU-hours (Touvron et al. 2023, "
                         "Table 2; 13B and 70B imply 38% and 43%)")
UTILIZATION_OTHER = Figure(0.40, "fraction of peak FLOP/s", "Epoch AI (2022), utilization for other models")

# Serving an LLM: prefill is large matrix products (compute-bound), decode reads every weight and the
# KV cache for each output token (memory-bandwidth-bound). Both fractions are editable on the page.
PREFILL_COMPUTE_EFFICIENCY = Figure(
    0.5, "fraction of peak FLOP/s in prefill",
    "assumption (ours): about half of dense peak for prefill's large matrix products; enter your stack's MFU")
DECODE_BANDWIDTH_EFFICIENCY = Figure(
    0.6, "fraction of peak memory bandwidth in decode (MBU)",
    "Databricks/MosaicML 2023, 'LLM Inference Performance Engineering: Best Practices': about 60% MBU "
    "measured for decoding at small batches (as reported)")

BYTES_PER_PARAM = {
    "fp32": Figure(4.0, "bytes per parameter", "Transformer Math 101; accelerate estimate-memory"),
    "bf16": Figure(2.0, "bytes per parameter", "Transformer Math 101; accelerate estimate-memory"),
    "int8": Figure(1.0, "bytes per parameter", "Transformer Math 101; accelerate estimate-memory"),
    "int4": Figure(0.5, "bytes per parameter", "Transformer Math 101; accelerate estimate-memory"),
}

_MEGATRON = "Megatron-LM accounting; EleutherAI cookbook (18 bytes/param for mixed-precision AdamW)"
# Optimizer state per parameter. Mixed precision keeps an fp32 master copy of the weights,
# which we count as optimizer state (it exists only because of the optimizer step).
ADAM_MOMENTS_BYTES = Figure(8.0, "bytes per parameter (two fp32 moments)", _MEGATRON)
ADAM_8BIT_MOMENTS_BYTES = Figure(
    2.0, "bytes per parameter (two 8-bit moments)", "Dettmers et al. 2021, 8-bit optimizers (bitsandbytes)")
SGD_MOMENTUM_BYTES = Figure(4.0, "bytes per parameter (one fp32 momentum)", "PyTorch SGD with momentum")
MASTER_WEIGHTS_BYTES = Figure(4.0, "bytes per parameter (fp32 master copy)", _MEGATRON)
GRADIENT_BYTES = Figure(4.0, "bytes per parameter (fp32 gradients)", _MEGATRON)

INFERENCE_OVERHEAD = Figure(1.2, "× weights", "Transformer Math 101 (plus KV cache for decoders)")
ACTIVATION_CONSTANT = Figure(
    34.0, "bytes per token per hidden unit per layer (16-bit, no recompute)",
    "Korthikanti et al. 2022, s·b·h·(34 + 5·a·s/h) per layer; EleutherAI Transformer Math 101")

GPT3_TRAIN_FLOPS = Figure(3.14e23, "FLOP", "Brown et al. 2020, Table D.1 (N = 174.6e9, D = 300e9)")
BERT_BASE_CASED_FP32_LOAD_MIB = Figure(
    413.0, "MiB", "accelerate docs, model size estimator (bert-base-cased, fp32; 'MB' there is 2^20 bytes)")

_BERT_INT8_TUTORIAL = "PyTorch tutorial 'Dynamic quantization on BERT'"
BERT_BASE_FP32_SIZE_MB = Figure(438.0, "MB (10^6 bytes) on disk, fp32", _BERT_INT8_TUTORIAL)
BERT_BASE_INT8_DYNAMIC_SIZE_MB = Figure(
    182.0, "MB after dynamic int8 of Linear layers", _BERT_INT8_TUTORIAL + " (438 → ~182–184 MB, ≈2.4×)")
BERT_INT8_DYNAMIC_SPEEDUP = Figure(
    1.23, "× throughput vs fp32 (CPU)",
    "PyTorch tutorial 'Dynamic quantization on BERT': eval 1.19–1.27× faster on CPU (midpoint)")
BERT_INT8_DYNAMIC_ACCURACY = "F1 0.90 → 0.90 on MRPC (PyTorch tutorial); check on your own data"

GPTQ_INT4_SPEEDUP_VS_FP16 = Figure(
    3.25, "× end-to-end vs fp16 (A100)", "Frantar et al. 2022 (GPTQ): 3.25× on A100, 4.5× on A6000")
GPTQ_ACCURACY = "GPTQ 3–4 bit keeps perplexity close to fp16 on large LLMs (Frantar et al. 2022); small models lose more"
# No publication in our research gives a bf16-vs-fp32 serving speed-up; halving the bytes bounds it
# for memory-bound serving. Shown as an assumption, not a fact.
BF16_SPEEDUP_VS_FP32 = Figure(
    2.0, "× throughput vs fp32", "assumption: bytes per parameter halve (Transformer Math 101), memory-bound serving")

DISTILBERT_PARAM_RATIO = Figure(0.60, "student/teacher parameters", "Sanh et al. 2019 (DistilBERT: 40% fewer parameters)")
DISTILBERT_SPEEDUP = Figure(1.60, "× throughput", "Sanh et al. 2019 (DistilBERT: 60% faster)")
DISTILBERT_RETAINED_SHARE = Figure(0.97, "share of the teacher's score",
                                   "Sanh et al. 2019 (DistilBERT: 97% of BERT on GLUE)")
DISTILBERT_ACCURACY = "keeps ~97% of BERT's language understanding (GLUE), Sanh et al. 2019"

UNSTRUCTURED_SPARSITY_CAVEAT = (
    "Unstructured sparsity rarely speeds up dense GPUs or CPUs: the zeros are still stored and "
    "multiplied unless you use sparse kernels or 2:4 structured sparsity (Ampere and later). "
    "Estimated speed-up 1.0×; size falls only if the checkpoint is stored sparse.")
STRUCTURED_PRUNING_NOTE = (
    "assumption: removing whole heads/channels shrinks compute in proportion; an upper bound, "
    "accuracy loss grows with sparsity and needs fine-tuning to recover")
