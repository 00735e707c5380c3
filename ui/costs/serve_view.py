"""The "Serve a model" question: LLM serving physics for decoders, batched compute for encoders and CNNs."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from business import figures
from business.costs.compute import EstimateError
from business.costs.llm_serving import ServingEfficiency
from business.costs.memory import PRECISIONS
from business.costs.pricing import round_usd
from business.costs.serving import ServingInputs, serving_cost
from ui.costs.formats import significant, unit_usd, usd
from ui.costs.model_choice import choose_model
from ui.costs.context import CostsContext
from ui.text import plain

FORM = "costs_serve_form"


def key(name: str) -> str:
    return f"costs_serve_{name}"


def render_serve(context: CostsContext) -> None:
    model = choose_model("serve")
    if model is None:
        return
    llm = model.kind == "decoder" and model.shape is not None
    with st.form(FORM):
        cols = st.columns(4)
        cols[0].selectbox("Serving precision", PRECISIONS, index=PRECISIONS.index("bf16"), key=key("precision"))
        if llm:
            cols[1].number_input("Input tokens per request", min_value=1, value=512, key=key("input_tokens"))
            cols[2].number_input("Output tokens per request", min_value=1, value=256, key=key("output_tokens"))
            cols[3].number_input("Requests served together (batch)", min_value=1, value=8, key=key("batch"))
        else:
            unit = "Images" if model.kind == "cnn" else "Tokens"
            cols[1].number_input(f"{unit} per request", min_value=1, value=128 if unit == "Tokens" else 1,
                                 key=key("tokens"))
        cols = st.columns(2)
        cols[0].number_input("Requests per month", min_value=1, value=1_000_000, step=100_000, key=key("requests"))
        cols[1].number_input("GPUs kept up all month", min_value=0, value=1, key=key("always_on"),
                             help="The bill's floor however few requests come; 0 for serverless.")
        if llm:
            with st.expander("Efficiency (expert)"):
                st.number_input("Prefill: % of peak FLOP/s", min_value=1.0, max_value=100.0,
                                value=figures.PREFILL_COMPUTE_EFFICIENCY.value * 100, key=key("compute_pct"),
                                help=figures.PREFILL_COMPUTE_EFFICIENCY.source)
                st.number_input("Decode: % of peak memory bandwidth", min_value=1.0, max_value=100.0,
                                value=figures.DECODE_BANDWIDTH_EFFICIENCY.value * 100, key=key("bandwidth_pct"),
                                help=figures.DECODE_BANDWIDTH_EFFICIENCY.source)
        st.form_submit_button("Estimate serving", type="primary")
    try:
        if llm:
            _render_llm(model, context)
        else:
            _render_batched(model, context)
    except EstimateError as error:
        st.error(plain(str(error)))


def _value(name: str, default):
    value = st.session_state.get(key(name))
    return default if value is None else value


def _render_llm(model, context: CostsContext) -> None:
    efficiency = ServingEfficiency(_value("compute_pct", 50.0) / 100, _value("bandwidth_pct", 60.0) / 100)
    inputs = ServingInputs(model, _value("precision", "bf16"), tokens_per_request=float(_value("input_tokens", 512)),
                           requests_per_month=float(_value("requests", 1_000_000)),
                           always_on_gpus=int(_value("always_on", 1)),
                           output_tokens=float(_value("output_tokens", 256)), batch=int(_value("batch", 8)),
                           efficiency=efficiency)
    bill = serving_cost(inputs, context.offers)  # the bill the financial model and the investor view read
    estimate = bill.llm
    cols = st.columns(4)
    cols[0].metric("Per 1M input tokens", unit_usd(estimate.usd_per_1m_input_tokens), help="GPUs kept busy")
    cols[1].metric("Per 1M output tokens", unit_usd(estimate.usd_per_1m_output_tokens), help="GPUs kept busy")
    cols[2].metric("Per 1,000 requests", unit_usd(bill.cost_per_1000_usd),
                   help=plain(f"The month's bill / requests; GPUs kept busy: "
                              f"{unit_usd(estimate.usd_per_1000_requests)} per 1,000."))
    cols[3].metric("Per month", usd(round_usd(bill.monthly_usd)),
                   help=plain(f"Never below the {bill.floor_gpus} GPU(s) kept up all month: "
                              f"{usd(round_usd(bill.floor_monthly_usd))}."))
    _floor_note(bill)
    cols = st.columns(4)
    cols[0].metric("Time to first token", f"{significant(estimate.time_to_first_token_s * 1000)} ms")
    cols[1].metric("Output tokens/s per user", significant(estimate.output_tokens_per_s_per_user))
    cols[2].metric("Output tokens/s per GPU", significant(estimate.output_tokens_per_s_per_gpu))
    cols[3].metric("Requests/s per GPU", significant(estimate.requests_per_s_per_gpu))
    offer, turn = estimate.offer, estimate.compute_bound_batch
    st.caption(plain(
        f"Offer with the lowest monthly bill that holds it: {offer.provider} {offer.instance} "
        f"({estimate.tensor_parallel} GPU(s) per replica, {significant(estimate.memory_per_gpu_bytes / 1e9)} GB per "
        f"GPU; price from {offer.source}). Decode is bound by {estimate.decode_bound} at this "
        "batch; " + (f"it turns compute-bound from a batch of about {turn:,.0f}. " if turn else
                     "the KV cache grows as fast as the compute, so it stays bandwidth-bound at any batch. ")
        + f"Method: {bill.method}."))
    parts = estimate.memory.parts()
    st.dataframe(pd.DataFrame([{"part": name, "GB per replica": round(value / 1e9, 3)}
                               for name, value in parts.items() if value]), hide_index=True,
                 key=key("memory_table"))


def _render_batched(model, context: CostsContext) -> None:
    per_request = float(_value("tokens", 128 if model.kind != "cnn" else 1))
    inputs = ServingInputs(model, _value("precision", "bf16"), tokens_per_request=per_request,
                           images_per_request=per_request, requests_per_month=float(_value("requests", 1e6)),
                           always_on_gpus=int(_value("always_on", 1)))
    bill = serving_cost(inputs, context.offers)
    cols = st.columns(3)
    cols[0].metric("Per 1,000 requests", unit_usd(bill.cost_per_1000_usd))
    cols[1].metric("Per month", usd(round_usd(bill.monthly_usd)))
    cols[2].metric("Compute alone, per 1,000", unit_usd(bill.marginal_cost_per_request_usd * 1000))
    _floor_note(bill)
    st.caption(plain(f"{model.name} is served as batched compute (encoders and CNNs keep the GPU busy with "
                     f"large batches): {bill.method}. Source of the utilization: {bill.utilization_source}."))


def _floor_note(bill) -> None:
    """Said on the page, not only on hover: when the GPUs kept up all month set the bill, the cost per 1,000
    requests is that floor shared over the requests, far above what the busy GPUs cost (per 1M tokens)."""
    if not bill.floor_binds:
        return
    busy = float(bill.inputs.requests_per_month) / float(bill.requests_to_pass_floor)
    st.info(plain(
        f"The {bill.floor_gpus} GPU(s) kept up all month set this bill ({usd(round_usd(bill.floor_monthly_usd))}): "
        f"{bill.inputs.requests_per_month:,.0f} requests keep them busy about {busy:.0%} of the month. Kept busy, "
        f"1,000 requests would cost {unit_usd(bill.marginal_cost_per_request_usd * 1000)}; the bill grows with volume "
        f"from about {significant(float(bill.requests_to_pass_floor))} requests a month."))
