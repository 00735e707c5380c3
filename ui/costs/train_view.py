"""The "Train a model from scratch" question: its form (only the fields the chosen model needs; expert
fields one click away) -> business.costs.form -> business.costs.estimator -> compute_view.render."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from business.costs.catalog import GPU_SPEC_FOR
from business.costs.compute import EstimateError
from business.costs.estimator import estimate_costs
from business.costs.form import CONFIG, CUSTOM, FORM_DEFAULTS, RUN_CARD, inputs_from_form
from business.costs.memory import OPTIMIZERS, PRECISIONS, TRAINING_PRECISIONS
from business.costs.models import KINDS, PRESETS
from business.costs.published_runs import utilization_evidence
from business import figures
from ui.costs.compute_view import FORM, form_values, key, render
from ui.costs.context import CostsContext
from ui.text import plain

MODEL_LABELS = {**{k: m.name for k, m in PRESETS.items()}, CONFIG: "From a config.json (paste)",
                CUSTOM: "Custom model", RUN_CARD: "Run card (measured)"}


def render_train(context: CostsContext) -> None:
    # The model is chosen outside the form, so the form shows only the fields that model needs.
    choice = st.selectbox("Model", list(MODEL_LABELS), format_func=MODEL_LABELS.get, key=key("model"))
    inputs_form(choice, context.run_cards)
    values = form_values()
    values["run_card"] = context.run_cards.get(st.session_state.get(key("run_id")) or "")
    try:
        report = estimate_costs(inputs_from_form(values, context.today), context.offers)
    except EstimateError as error:
        st.error(plain(str(error)))
    else:
        render(report)
        utilization_section(report.utilization)


def _kind(choice: str) -> str | None:
    """The kind of the chosen model when the page knows it before estimating (None: unknown yet)."""
    if choice in PRESETS:
        return PRESETS[choice].kind
    if choice == CUSTOM:
        return st.session_state.get(key("custom_kind"), KINDS[0])
    return "decoder" if choice == CONFIG else None


def inputs_form(choice: str, run_cards: dict[str, dict]) -> None:
    kind = _kind(choice)
    with st.form(FORM):
        model_inputs(choice, run_cards)
        training_inputs(kind)
        serving_inputs(kind)
        st.form_submit_button("Estimate costs", type="primary")


def model_inputs(choice: str, run_cards: dict[str, dict]) -> None:
    if choice == CUSTOM:
        cols = st.columns(3)
        cols[0].number_input("Custom: parameters (millions)", value=FORM_DEFAULTS["custom_parameters_m"],
                             key=key("custom_parameters_m"))
        cols[1].selectbox("Custom: kind", KINDS, key=key("custom_kind"))
        cols[2].number_input("CNN: forward GFLOP per image", value=None, key=key("forward_gflops"),
                             help="Needed for a custom CNN (ResNet-50: 8.2).")
    elif choice == CONFIG:
        st.text_area("config.json of a Hugging Face model", key=key("config_json"), height=120,
                     help="llama / mistral / qwen2, gpt2, bert, roberta, distilbert, vit: the exact parameter count "
                          "and shape come from it.")
    elif choice == RUN_CARD:
        from ui.models.run_choice import card_label

        if run_cards:
            st.selectbox("Run card of a trained model", ["", *run_cards], key=key("run_id"),
                         format_func=lambda run_id: card_label(run_id, run_cards[run_id]) if run_id else "")
        st.text_area("…or paste a run_card.json", key=key("run_card_json"), height=68)
        st.number_input("CNN: forward GFLOP per image", value=None, key=key("forward_gflops"),
                        help="Needed for a run card of an unknown CNN (ResNet-50: 8.2).")


def training_inputs(kind: str | None) -> None:
    st.markdown("**Training**")
    cols = st.columns(3)
    if kind != "cnn":
        cols[0].number_input("Training tokens (billions)", value=FORM_DEFAULTS["training_tokens_b"],
                             key=key("training_tokens_b"), help="Transformers: dataset tokens × epochs.")
    if kind in ("cnn", None):
        cols[1].number_input("CNN: images per epoch", value=FORM_DEFAULTS["training_images"], format="%.0f",
                             key=key("training_images"))
        cols[2].number_input("CNN: epochs", value=FORM_DEFAULTS["epochs"], key=key("epochs"))
    cols = st.columns(3)
    cols[0].selectbox("GPU for the headline figures", list(GPU_SPEC_FOR), key=key("gpu"))
    cols[1].number_input("Deadline (hours of wall-clock)", value=FORM_DEFAULTS["deadline_hours"],
                         key=key("deadline_hours"),
                         help="Default 30 days (720 h): without a deadline the cheapest run is often one GPU for "
                              "years. Clear it for the cheapest at any speed; the chart shows every trade-off.")
    with st.expander("More training settings (precision, optimizer, batch, utilization)"):
        cols = st.columns(4)
        cols[0].selectbox("Training precision", TRAINING_PRECISIONS, index=1, key=key("train_precision"))
        cols[1].selectbox("Optimizer", OPTIMIZERS, key=key("optimizer"))
        cols[2].number_input("Batch size (samples)", value=FORM_DEFAULTS["batch_size"], key=key("batch_size"))
        cols[3].number_input("Sequence length (tokens)", value=FORM_DEFAULTS["sequence_length"],
                             key=key("sequence_length"))
        cols = st.columns(3)
        cols[0].number_input("Utilization (% of peak)", value=None, key=key("utilization_pct"),
                             help=f"Empty: {figures.UTILIZATION_LLM.value:.0%} for LLMs "
                                  f"({figures.UTILIZATION_LLM.source}); {figures.UTILIZATION_OTHER.value:.0%} for "
                                  f"other models ({figures.UTILIZATION_OTHER.source}).")
        cols[1].number_input("Most GPUs to consider", value=FORM_DEFAULTS["max_gpus"], key=key("max_gpus"))
        cols[2].number_input("Flag prices older than (days)", value=FORM_DEFAULTS["max_price_age_days"],
                             key=key("max_price_age_days"))


def serving_inputs(kind: str | None) -> None:
    st.markdown("**Serving the trained model**")
    cols = st.columns(3)
    if kind != "cnn":
        label = "Input tokens per request" if kind == "decoder" else "Tokens per request"
        cols[0].number_input(label, value=FORM_DEFAULTS["tokens_per_request"], format="%.0f",
                             key=key("tokens_per_request"))
    if kind == "decoder":
        cols[1].number_input("Output tokens per request", value=FORM_DEFAULTS["output_tokens"], format="%.0f",
                             key=key("output_tokens"))
    if kind in ("cnn", None):
        cols[1].number_input("CNN: images per request", value=FORM_DEFAULTS["images_per_request"], format="%.0f",
                             key=key("images_per_request"))
    cols[2].number_input("Requests per month", value=FORM_DEFAULTS["requests_per_month"], format="%.0f",
                         key=key("requests_per_month"))
    with st.expander("More serving settings (precision, GPUs kept up, compression)"):
        cols = st.columns(4)
        cols[0].selectbox("Serving precision", PRECISIONS, key=key("serving_precision"))
        cols[1].number_input("GPUs kept up all month", value=FORM_DEFAULTS["always_on_gpus"],
                             key=key("always_on_gpus"), help="The bill's floor however few requests come; 0 for "
                                                             "serverless.")
        cols[2].number_input("Pruning sparsity (%)", value=FORM_DEFAULTS["sparsity_pct"], key=key("sparsity_pct"))
        cols[2].checkbox("Structured pruning (heads/channels)", key=key("structured_pruning"))
        cols[3].number_input("Distilled student (millions of parameters)", value=None,
                             key=key("student_parameters_m"), help="Empty: DistilBERT's published 60% of the teacher.")
        st.number_input("Run card machine price ($/hour)", value=None, key=key("measured_machine_usd_per_hour"),
                        help="Prices the run card's measured throughput on the machine it was measured on.")


def utilization_section(utilization: float) -> None:
    with st.expander(f"Where the utilization default comes from (using {utilization:.0%})"):
        rows = utilization_evidence(utilization)
        frame = pd.DataFrame([dict(row, **{"implied utilization": f"{row['implied utilization']:.1%}",
                                           "ours / published GPU-hours": f"{row['ours / published GPU-hours']:.2f}×"})
                              for row in rows])
        st.dataframe(frame, hide_index=True, key=key("table_utilization"))
        st.caption(plain("Implied utilization = 6·N·D / (published GPU-hours × the GPU's dense bf16 peak). "
                         "The last column is what this estimate's utilization would predict for each run."))
