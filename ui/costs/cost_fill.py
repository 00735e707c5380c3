"""Fill the financials form's inference cost from the cost estimator or from a measured run card.

Either source puts its figure into the form with its provenance (estimated: method and inputs, or
measured: the run); nothing is saved until the founder saves the form, and a figure the founder then
edits by hand becomes theirs (business.financials.cost_sources.cost_from_form). The estimate is the Costs
page's serving bill (business.costs.serving) at the volume and always-on GPUs the founder gives, divided
by the requests, on the project's GPU catalog with the prices the founder saved on the Costs page.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import streamlit as st

from business.financials.assumptions import CostPerRequest
from business.financials.cost_sources import estimated_cost, measured_cost
from business.timestamps import local_date
from ui.session import flash, get_store
from ui.text import sourced

# The last figure put into the form: {"version", "cost": CostPerRequest, "fills"}.
COST_FILL = "fin_cost_fill"


def key(version, *parts) -> str:
    return "_".join(["fin", f"v{version}", *map(str, parts)])


def estimator_fill(version) -> dict | None:
    """The figure put into the form drawn from `version`, if any."""
    fill = st.session_state.get(COST_FILL)
    return fill if fill and fill["version"] == version else None


def pending_fill(version) -> CostPerRequest | None:
    """A figure put into the form of `version` (from the Costs page or the fill forms) and not saved yet."""
    fill = estimator_fill(version)
    return fill["cost"] if fill else None


def show_pending_fill(version) -> bool:
    """Say, above the collapsed assumptions, that a figure waits in the form: a founder who pressed "Use this
    option" on the Costs page otherwise lands on headlines that still use the saved cost. True if one waits."""
    cost = pending_fill(version)
    if cost is not None:
        st.info(sourced(f"Waiting in the assumptions form below, not saved yet: {cost.text()}", cost.provenance)
                + ". The figures on this page use the saved cost until you save that form.")
    return cost is not None


def cost_key(version) -> str:
    """Key of the inference-cost input; each new fill gives it a new key, so the form shows it."""
    fills = (estimator_fill(version) or {}).get("fills", 0)
    return key(version, f"fill{fills}", "cost_1k")


def cost_fill_forms(project_id: int, v) -> None:
    """Two small forms: a cost-estimator estimate for a model preset, and a measured run card."""
    try:
        from business.costs.memory import PRECISIONS
        from business.costs.models import PRESETS
    except ImportError:
        st.caption("The cost estimator is not available here: type the inference cost by hand.")
        return
    st.markdown("**Estimate** (the Costs page's serving bill: compute at the volume below, never less than the "
                "GPUs kept up all month, divided by the requests)")
    with st.form(key(v, "estimator_form"), border=False):
        cols = st.columns(3)
        cols[0].selectbox("Model", list(PRESETS), format_func=lambda k: PRESETS[k].name, key=key(v, "est_model"))
        cols[1].selectbox("Serving precision", PRECISIONS, index=PRECISIONS.index("bf16"), key=key(v, "est_precision"))
        cols[2].number_input("Tokens per request (images for a CNN)", min_value=1, max_value=1_000_000, value=256,
                             key=key(v, "est_tokens"))
        cols = st.columns(2)
        cols[0].number_input("Requests per month", min_value=1, max_value=10**12, value=1_000_000, step=100_000,
                             key=key(v, "est_requests"),
                             help="Your typical monthly volume (the monthly table below shows it per month).")
        cols[1].number_input("GPUs kept up all month", min_value=0, max_value=10_000, value=1,
                             key=key(v, "est_always_on"), help="The bill's floor however few requests come; "
                             "0 for serverless.")
        st.form_submit_button("Use the cost estimator's figure", on_click=fill_from_estimator, args=(project_id, v))
    run_card_form(v)
    fill = estimator_fill(v)
    if fill:
        cost = fill["cost"]
        st.caption("Put into the form: " + sourced(cost.text(), cost.provenance) + ". Save the form to use it.")


def run_card_form(v) -> None:
    from ui.models.run_choice import card_label

    cards = trained_run_cards()
    st.markdown("**Measured** (a run card's throughput × what the machine costs per hour)")
    if not cards:
        st.caption("No run card yet: train a model on a model page and its run card shows up here.")
        return
    with st.form(key(v, "run_card_form"), border=False):
        cols = st.columns(2)
        cols[0].selectbox("Run card", list(cards), key=key(v, "run_id"),
                          format_func=lambda run_id: card_label(run_id, cards[run_id]))
        cols[1].number_input("Machine price (USD per hour)", min_value=0.0, value=None, step=0.1,
                             key=key(v, "run_usd_per_hour"))
        st.form_submit_button("Use the measured figure", on_click=fill_from_run_card, args=(v, cards))


def trained_run_cards() -> dict[str, dict]:
    """The current project's run cards, by run id (other projects' runs are theirs); none when absent."""
    try:
        from ui.models.run_choice import project_run_cards
        return project_run_cards()
    except (ImportError, OSError, ValueError):
        return {}


def fill_from_estimator(project_id: int, v) -> None:
    """Callback: the serving bill of the chosen model at the chosen volume, per 1,000 requests, into the form.
    The same function prices the Costs page's headline (business.costs.serving)."""
    from business.costs.compute import EstimateError
    from business.costs.models import PRESETS
    model_key, precision = st.session_state[key(v, "est_model")], st.session_state[key(v, "est_precision")]
    amount, requests = st.session_state[key(v, "est_tokens")], st.session_state[key(v, "est_requests")]
    try:
        serving = estimate_for_fill(model_key, precision, amount, requests, st.session_state[key(v, "est_always_on")],
                                    project_offers(project_id))
    except EstimateError as error:
        flash(f"The cost estimator could not price {PRESETS[model_key].name}: {error}", "error")
        return
    model = PRESETS[model_key]
    what = "tokens" if model.is_transformer else "images"
    put_into_form(v, estimated_cost(serving, model.name, f"{amount:,} {what}", date.today()))


def estimate_for_fill(model_key: str, precision: str, per_request: float, requests_per_month: float,
                      always_on_gpus: int, offers):
    """The serving bill the "estimate" fill puts into the form: the Costs page's computation with the
    form's model, precision, tokens (or images) per request, volume and GPUs kept up."""
    from business.costs.models import preset
    from business.costs.serving import ServingInputs, serving_cost
    return serving_cost(ServingInputs(preset(model_key), precision, per_request, per_request,
                                      float(requests_per_month), None, int(always_on_gpus)), offers)


def fill_from_run_card(v, cards: dict[str, dict]) -> None:
    """Callback: cost per request = machine price per hour / (run card samples per second × 3,600)."""
    from business.costs.compute import EstimateError
    from business.costs.run_cards import model_from_run_card
    run_id, usd_per_hour = st.session_state[key(v, "run_id")], st.session_state[key(v, "run_usd_per_hour")]
    try:
        measured = model_from_run_card(cards[run_id])
        if not measured.samples_per_s:
            raise EstimateError(f"run card {run_id} has no measured throughput")
        if not usd_per_hour:
            raise EstimateError("the machine price per hour is empty")
        cost = measured_cost(run_id, measured.samples_per_s, measured.device, Decimal(str(usd_per_hour)),
                             local_date(str(cards[run_id].get("created") or "")))
    except EstimateError as error:
        flash(f"The run card could not be priced: {error}", "error")
        return
    put_into_form(v, cost)


def project_offers(project_id: int):
    """The shipped GPU catalog with the prices this project saved on the Costs page."""
    from business.costs.catalog import load_catalog
    from business.costs.compute import EstimateError
    from business.costs.pricing import OVERRIDE_KIND, apply_price_overrides, price_overrides_from_payload
    latest = get_store().load_latest(project_id, OVERRIDE_KIND)
    try:
        return apply_price_overrides(load_catalog(), price_overrides_from_payload(latest.payload if latest else None),
                                     date.today())
    except EstimateError:
        return load_catalog()  # the Costs page reports unusable saved prices; the shipped catalog still prices


def put_into_form(v, cost: CostPerRequest) -> None:
    previous = estimator_fill(v) or {}
    st.session_state[COST_FILL] = {"version": v, "cost": cost, "fills": previous.get("fills", 0) + 1}
