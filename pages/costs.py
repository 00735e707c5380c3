"""Costs: what training and serving a model costs, on which GPU and provider, and what compression saves.

Inputs in one form -> business.costs.form.inputs_from_form -> business.costs.estimator.estimate_costs -> metrics,
plotly charts, tables and CSV downloads. The founder's own GPU prices are saved with the project
(versioned, kind "price_overrides") and applied to the shipped catalog before every estimate.
"""
from datetime import date

import streamlit as st

from business.costs.training_time import prediction_evidence
from business.costs.catalog import load_catalog
from business.costs.compute import EstimateError
from business.costs.form import inputs_from_form
from business.costs.estimator import estimate_costs
from business.costs.pricing import OVERRIDE_KIND, apply_price_overrides, price_overrides_from_payload
from ui.costs.build_vs_buy import render_build_vs_buy
from ui.costs.compute_view import form_values, inputs_form, key, prices_section, render, trained_run_cards
from ui.session import current_project_id, get_store, remember_base, show_flash
from ui.models.before_start import past_cards
from ui.text import plain
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

project_id = current_project_id()
today = date.today()
st.title("Costs", anchor=False)
st.caption("Training and serving cost on every cloud offer, and what compression saves. Each figure says how it "
           "was computed; defaults are published figures with their source, prices carry their date and source.")
show_flash()
latest = get_store().load_latest(project_id, OVERRIDE_KIND)
remember_base(project_id, OVERRIDE_KIND, latest)
run_cards = trained_run_cards()
inputs_form(run_cards)
values = form_values()
values["run_card"] = run_cards.get(st.session_state.get(key("run_id")) or "")
try:
    user_rows = price_overrides_from_payload(latest.payload if latest else None)
    offers = apply_price_overrides(load_catalog(), user_rows, today)
except EstimateError as error:
    st.error(plain(f"Your saved prices could not be used ({error}); showing the shipped catalog."))
    user_rows, offers = [], load_catalog()
try:
    report = estimate_costs(inputs_from_form(values, today), offers)
except EstimateError as error:
    st.error(plain(str(error)))
else:
    render(report)
evidence = prediction_evidence(past_cards())
if evidence:
    st.caption(plain(evidence))
prices_section(project_id, user_rows, offers, today, int(values["max_price_age_days"] or 90))

# The fourth question (issue 12): call a hosted LLM API, or serve a model yourself?
st.subheader("Compare with an API", anchor=False)
render_build_vs_buy(project_id, offers, run_cards, today)
