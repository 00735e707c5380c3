"""A model described by its Hugging Face `config.json`: the exact shape and parameter count.

`model_from_config(text_or_dict)` reads the keys each family names its shape with and returns a
`ModelSpec` whose parameter count is the architecture's own sum (embeddings, Linear weights, biases,
norms), the count `sum(p.numel())` gives for the model class in `architectures`' family:
decoders with grouped-query attention (llama, mistral, qwen2; with the LM head), gpt2 (LM head tied),
bert / roberta (with the pooler, as `BertModel`), distilbert, and vit (`ViTModel`, with the pooler).
A config that is not JSON, names no or an unknown `model_type`, or lacks a key raises
`InvalidModelConfig` naming the key. Configs for the presets ship in data/configs/.
"""
from __future__ import annotations

import json
from pathlib import Path

from business.costs.compute import EstimateError
from business.costs.models import ModelSpec, TransformerShape

CONFIG_DIR = Path(__file__).parent / "data" / "configs"
MAX_CONFIG_CHARS = 200_000  # a real config.json is a few KB; this stops a pasted model file
MAX_DIMENSION = 10_000_000

DECODERS = ("llama", "mistral", "qwen2")
SUPPORTED = (*DECODERS, "gpt2", "bert", "roberta", "distilbert", "vit")


class InvalidModelConfig(EstimateError):
    pass


def _load(config: str | dict) -> dict:
    if isinstance(config, dict):
        return config
    if not isinstance(config, str) or not config.strip():
        raise InvalidModelConfig("no config.json: paste or upload a Hugging Face config.json")
    if len(config) > MAX_CONFIG_CHARS:
        raise InvalidModelConfig(f"the config is {len(config):,} characters; a config.json is a few thousand "
                                 "(is this the weights file?)")
    try:
        data = json.loads(config)
    except json.JSONDecodeError as error:
        raise InvalidModelConfig(f"the config is not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(data, dict):
        raise InvalidModelConfig("the config must be a JSON object like {\"model_type\": \"llama\", ...}")
    return data


def _int(data: dict, family: str, *names: str, default: int | None = None) -> int:
    """The first of `names` present (families spell the same thing differently), checked."""
    for name in names:
        if name in data and data[name] is not None:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_DIMENSION:
                raise InvalidModelConfig(f"config key {name!r}={value!r} must be a whole number from 1 to "
                                         f"{MAX_DIMENSION:,}")
            return value
    if default is not None:
        return default
    raise InvalidModelConfig(f"config.json has no {names[0]!r}, needed for a {family} model")


def _flag(data: dict, name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise InvalidModelConfig(f"config key {name!r}={value!r} must be true or false")
    return value


def _decoder(data: dict, family: str) -> TransformerShape:
    for name in ("attention_bias", "mlp_bias"):
        if _flag(data, name, False):
            raise InvalidModelConfig(f"config key {name!r}=true is not supported yet (biases on every projection)")
    heads = _int(data, family, "num_attention_heads")
    hidden = _int(data, family, "hidden_size")
    head_dim = _int(data, family, "head_dim", default=hidden // heads)
    kv_heads = _int(data, family, "num_key_value_heads", default=heads)
    return TransformerShape(
        layers=_int(data, family, "num_hidden_layers"), hidden=hidden,
        intermediate=_int(data, family, "intermediate_size"), heads=heads, vocab=_int(data, family, "vocab_size"),
        kv_heads=None if kv_heads == heads else kv_heads, ffn_matrices=3, has_bias=False,
        tied_lm_head=_flag(data, "tie_word_embeddings", False),
        head_dim_override=head_dim if head_dim != hidden // heads else 0, qkv_bias=family == "qwen2")


def _gpt2(data: dict) -> TransformerShape:
    hidden = _int(data, "gpt2", "n_embd", "hidden_size")
    return TransformerShape(
        layers=_int(data, "gpt2", "n_layer", "num_hidden_layers"), hidden=hidden,
        intermediate=_int(data, "gpt2", "n_inner", default=4 * hidden),
        heads=_int(data, "gpt2", "n_head", "num_attention_heads"), vocab=_int(data, "gpt2", "vocab_size"),
        max_positions=_int(data, "gpt2", "n_positions", "max_position_embeddings"),
        tied_lm_head=_flag(data, "tie_word_embeddings", True))


def _bert(data: dict, family: str) -> TransformerShape:
    return TransformerShape(
        layers=_int(data, family, "num_hidden_layers"), hidden=_int(data, family, "hidden_size"),
        intermediate=_int(data, family, "intermediate_size"), heads=_int(data, family, "num_attention_heads"),
        vocab=_int(data, family, "vocab_size"), max_positions=_int(data, family, "max_position_embeddings"),
        type_vocab=_int(data, family, "type_vocab_size", default=2 if family == "bert" else 1), pooler=True)


def _distilbert(data: dict) -> TransformerShape:
    return TransformerShape(
        layers=_int(data, "distilbert", "n_layers"), hidden=_int(data, "distilbert", "dim"),
        intermediate=_int(data, "distilbert", "hidden_dim"), heads=_int(data, "distilbert", "n_heads"),
        vocab=_int(data, "distilbert", "vocab_size"),
        max_positions=_int(data, "distilbert", "max_position_embeddings"))


def _vit(data: dict) -> TransformerShape:
    hidden = _int(data, "vit", "hidden_size")
    image, patch = _int(data, "vit", "image_size", default=224), _int(data, "vit", "patch_size", default=16)
    if patch > image:
        raise InvalidModelConfig(f"config key 'patch_size'={patch} is larger than 'image_size'={image}")
    channels = _int(data, "vit", "num_channels", default=3)
    # Patch projection (a convolution with bias) and the class token sit beside the position table.
    extra = channels * patch * patch * hidden + hidden + hidden
    return TransformerShape(
        layers=_int(data, "vit", "num_hidden_layers"), hidden=hidden,
        intermediate=_int(data, "vit", "intermediate_size"),
        heads=_int(data, "vit", "num_attention_heads"), vocab=0, max_positions=(image // patch) ** 2 + 1,
        pooler=True, extra_embedding=extra)


def shape_from_config(config: str | dict) -> tuple[str, TransformerShape]:
    """(model_type, shape) of a config; raises InvalidModelConfig naming the key it cannot use."""
    data = _load(config)
    family = data.get("model_type")
    if not isinstance(family, str) or not family:
        raise InvalidModelConfig(f"config.json has no 'model_type'; supported: {', '.join(SUPPORTED)}")
    if family in DECODERS:
        shape = _decoder(data, family)
    elif family == "gpt2":
        shape = _gpt2(data)
    elif family in ("bert", "roberta"):
        shape = _bert(data, family)
    elif family == "distilbert":
        shape = _distilbert(data)
    elif family == "vit":
        shape = _vit(data)
    else:
        raise InvalidModelConfig(f"model_type {family[:60]!r} is not supported; supported: {', '.join(SUPPORTED)}")
    if shape.heads and shape.hidden % shape.heads and not shape.head_dim_override:
        raise InvalidModelConfig(f"hidden size {shape.hidden} is not divisible by {shape.heads} attention heads")
    if shape.kv_heads and shape.heads % shape.kv_heads:
        raise InvalidModelConfig(f"config key 'num_key_value_heads'={shape.kv_heads} must divide the "
                                 f"{shape.heads} attention heads")
    return family, shape


def model_from_config(config: str | dict, name: str = "") -> ModelSpec:
    """A `ModelSpec` from a config.json (text or parsed), its count summed from the architecture."""
    data = _load(config)
    family, shape = shape_from_config(data)
    kind = "decoder" if family in (*DECODERS, "gpt2") else "encoder"
    # A config saved by transformers names its model in "_name_or_path" (meta-llama/Llama-2-7b-hf): a founder
    # who pasted several configs then sees which one each figure is for, not "llama from config.json".
    hub_name = data.get("_name_or_path")
    hub_name = hub_name.strip()[:80] if isinstance(hub_name, str) else ""
    label = name.strip()[:80] or (f"{hub_name} (from config.json)" if hub_name else f"{family} from config.json")
    return ModelSpec("config", label, kind, shape.parameters(),
                     f"counted from config.json ({family}: layers × hidden × intermediate, heads, KV heads, vocab)",
                     shape)


def shipped_config(file_name: str) -> dict:
    """A config shipped in data/configs/ (written from the published model cards)."""
    path = CONFIG_DIR / file_name
    if path.parent != CONFIG_DIR or not path.is_file():
        raise InvalidModelConfig(f"no shipped config {file_name!r}")
    return json.loads(path.read_text(encoding="utf-8"))


SHIPPED_CONFIGS = {
    "bert-base": "bert-base-uncased.json", "bert-large": "bert-large-uncased.json",
    "distilbert": "distilbert-base-uncased.json", "minilm-l6": "all-MiniLM-L6-v2.json",
    "llm-7b": "Llama-2-7b-hf.json", "llm-70b": "Llama-2-70b-hf.json",
}
