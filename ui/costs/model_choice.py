"""Choosing the model to price: a preset, or a Hugging Face config.json pasted or uploaded.

Used by the fine-tune and serve questions (the train question has its own form with custom models and
run cards). A config that cannot be read is shown as an error naming the key, and no model is returned.
"""
from __future__ import annotations

import streamlit as st

from business.costs.compute import EstimateError
from business.costs.hf_config import model_from_config
from business.costs.models import PRESETS, ModelSpec
from ui.text import plain

FROM_CONFIG = "config"
MAX_UPLOAD_BYTES = 200_000


def choose_model(prefix: str, kinds: tuple[str, ...] = ("encoder", "decoder", "cnn")) -> ModelSpec | None:
    """A selectbox of the presets of `kinds` plus "From a config.json"; the chosen model, or None with
    the reason shown."""
    options = [k for k, m in PRESETS.items() if m.kind in kinds] + [FROM_CONFIG]
    labels = {**{k: m.name for k, m in PRESETS.items()}, FROM_CONFIG: "From a config.json (paste or upload)"}
    choice = st.selectbox("Model", options, format_func=labels.get, key=f"costs_{prefix}_model")
    if choice != FROM_CONFIG:
        return PRESETS[choice]
    text = st.text_area("config.json of a Hugging Face model", key=f"costs_{prefix}_config", height=120,
                        help="llama / mistral / qwen2 decoders (grouped-query attention), gpt2, bert, roberta, "
                             "distilbert, vit. The parameter count is summed from the architecture.")
    upload = st.file_uploader("…or upload it", type=["json"], key=f"costs_{prefix}_config_file")
    if upload is not None:
        raw = upload.getvalue()
        text = raw[:MAX_UPLOAD_BYTES + 1].decode("utf-8", errors="replace")
    if not (text or "").strip():
        st.info("Paste a config.json above (from the model's page on Hugging Face, Files tab).")
        return None
    try:
        model = model_from_config(text)
    except EstimateError as error:
        st.error(plain(str(error)))
        return None
    shape = model.shape
    st.caption(plain(f"{model.name}: {model.parameters:,} parameters; {shape.layers} layers, hidden {shape.hidden}, "
                     f"{shape.heads} heads, {shape.kv_heads or shape.heads} KV heads, vocabulary {shape.vocab:,}."))
    return model
