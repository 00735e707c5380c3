"""The "Fine-tune a model" question: full, LoRA or QLoRA memory per GPU, FLOPs, time and cost."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from business.costs.catalog import GPU_SPEC_FOR, spec_for
from business.costs.compute import EstimateError, gpu_hours
from business.costs.finetune import (DEFAULT_LORA_TARGETS, MODES, ZERO_STAGES, FineTuneSetup, fine_tune_flops,
                                     fine_tune_memory)
from business.costs.models import default_utilization
from business.costs.pricing import round_usd
from ui.costs.formats import duration, significant, usd
from ui.costs.model_choice import choose_model
from ui.costs.context import CostsContext
from ui.text import plain

FORM = "costs_finetune_form"
MODE_LABELS = {"full": "Full fine-tuning", "lora": "LoRA", "qlora": "QLoRA (4-bit base)"}


def key(name: str) -> str:
    return f"costs_ft_{name}"


def _inputs(model) -> None:
    with st.form(FORM):
        cols = st.columns(4)
        cols[0].selectbox("Method", MODES, format_func=MODE_LABELS.get, key=key("mode"))
        cols[1].number_input("Training tokens (millions)", min_value=0.001, value=100.0, key=key("tokens_m"),
                             help="Your dataset's tokens × epochs.")
        cols[2].selectbox("GPU", list(GPU_SPEC_FOR), key=key("gpu"))
        cols[3].number_input("GPUs", min_value=1, value=1, key=key("gpus"))
        with st.expander("More settings (LoRA, batch, parallelism)"):
            cols = st.columns(4)
            cols[0].number_input("LoRA rank", min_value=1, value=16, key=key("rank"))
            targets = ["q", "k", "v", "o", "up", "down"] + (["gate"] if model.shape.ffn_matrices == 3 else [])
            cols[1].multiselect("LoRA target modules", targets, default=list(DEFAULT_LORA_TARGETS), key=key("targets"))
            cols[2].number_input("Micro-batch per GPU", min_value=1, value=4, key=key("batch"))
            cols[3].number_input("Sequence length", min_value=1, value=512, key=key("seq"))
            cols = st.columns(4)
            cols[0].selectbox("ZeRO stage", ZERO_STAGES, key=key("zero"))
            cols[1].number_input("Tensor parallel", min_value=1, value=1, key=key("tp"))
            cols[2].number_input("Pipeline parallel", min_value=1, value=1, key=key("pp"))
            cols[3].checkbox("Activation checkpointing", key=key("checkpointing"))
        st.form_submit_button("Estimate fine-tuning", type="primary")


def _get(name: str, default):
    value = st.session_state.get(key(name))
    return default if value is None else value


def render_finetune(context: CostsContext) -> None:
    model = choose_model("ft", kinds=("encoder", "decoder"))
    if model is None:
        return
    if model.shape is None:
        st.error(plain(f"{model.name} has no known layer shape: paste its config.json."))
        return
    _inputs(model)
    setup = FineTuneSetup(
        _get("mode", "full"), int(_get("rank", 16)), tuple(_get("targets", list(DEFAULT_LORA_TARGETS))),
        "bf16", int(_get("batch", 4)), int(_get("seq", 512)), bool(_get("checkpointing", False)),
        int(_get("zero", 0)), int(_get("gpus", 1)), int(_get("tp", 1)), int(_get("pp", 1)))
    try:
        _render(model, setup, context)
    except EstimateError as error:
        st.error(plain(str(error)))


def _render(model, setup: FineTuneSetup, context: CostsContext) -> None:
    memory = fine_tune_memory(model, setup)
    gpu_name = _get("gpu", "H100 SXM 80GB")
    spec = spec_for(gpu_name)
    tokens = float(_get("tokens_m", 100.0)) * 1e6
    flops = fine_tune_flops(model, tokens, setup.mode, memory.trainable_parameters, setup.activation_checkpointing)
    figure = default_utilization(model)
    hours = gpu_hours(flops, spec.peak_tflops("bf16") or spec.peak_tflops("fp32"), figure.value)
    offers = [o for o in context.offers if spec_for(o.gpu).name == spec.name]
    cheapest = min(offers, key=lambda o: o.usd_per_gpu_hour, default=None)
    per_gpu_gb = memory.per_gpu.total_bytes / 1e9
    fits = per_gpu_gb <= spec.memory_gb
    cols = st.columns(4)
    cols[0].metric("Memory per GPU", f"{significant(per_gpu_gb)} GB",
                   help=plain(f"{'fits' if fits else 'does not fit'} {spec.name} ({spec.memory_gb:g} GB)"))
    cols[1].metric("Trainable parameters", f"{memory.trainable_parameters:,}",
                   help=f"{memory.trainable_fraction:.2%} of the model")
    cols[2].metric("Wall-clock", duration(hours / setup.gpus), help=f"{significant(hours)} GPU-hours")
    if cheapest is None or not fits:
        cols[3].metric("Cost", "does not fit" if not fits else "no offer",
                       help=f"no price in the catalog for {spec.name}" if fits else "see the warning below")
    else:
        cols[3].metric("Cost", usd(round_usd(cheapest.usd_per_gpu_hour * Decimal(repr(hours)))),
                       help=plain(f"{cheapest.provider} {cheapest.instance}, price seen {cheapest.date_label}"))
    if not fits:
        st.warning(plain(f"{significant(per_gpu_gb)} GB per GPU does not fit {spec.name} ({spec.memory_gb:g} GB): "
                         "try LoRA or QLoRA, activation checkpointing, a higher ZeRO stage or more GPUs."))
    st.dataframe(pd.DataFrame([{"part": name, "GB per GPU": round(value / 1e9, 3)}
                               for name, value in memory.per_gpu.parts().items() if value]),
                 hide_index=True, key=key("memory_table"))
    formula = "6·N·D" if setup.mode == "full" else "4·N·D + 6·N_trainable·D"
    st.caption(plain(f"{memory.per_gpu.method}. FLOPs {flops:.3g} ({formula}"
                     f"{' + 2·N·D recomputation' if setup.activation_checkpointing else ''}); utilization "
                     f"{figure.value:.0%} ({figure.source})."))
