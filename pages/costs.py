"""Costs: what training, fine-tuning and serving a model cost, on which GPU and provider.

The page starts from the founder's question (ui/costs/questions.py: train from scratch, fine-tune,
serve, compare with an API; each a render function in ui/costs/), then shows the founder's own GPU prices, which are saved
with the project (versioned, kind "price_overrides") and applied to the shipped catalog first.
"""
from datetime import date

import streamlit as st

from business.costs.catalog import load_catalog
from business.costs.compute import EstimateError
from business.costs.training_time import prediction_evidence
from business.costs.pricing import OVERRIDE_KIND, apply_price_overrides, price_overrides_from_payload
from ui.costs.compute_view import key, prices_section, trained_run_cards
from ui.costs.context import CostsContext
from ui.costs.questions import ask_question, render_question
from ui.session import current_project_id, get_store, remember_base, show_flash
from ui.models.before_start import past_cards
from ui.text import plain
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

project_id = current_project_id()
today = date.today()
st.title("Costs", anchor=False)
st.caption("Training, fine-tuning and serving cost on every cloud offer. Each figure says how it was computed; "
           "defaults are published figures with their source, prices carry their date and source.")
show_flash()
latest = get_store().load_latest(project_id, OVERRIDE_KIND)
remember_base(project_id, OVERRIDE_KIND, latest)
try:
    user_rows = price_overrides_from_payload(latest.payload if latest else None)
    offers = apply_price_overrides(load_catalog(), user_rows, today)
except EstimateError as error:
    st.error(plain(f"Your saved prices could not be used ({error}); showing the shipped catalog."))
    user_rows, offers = [], load_catalog()
question = ask_question()
render_question(question, CostsContext(project_id, offers, today, trained_run_cards()))
evidence = prediction_evidence(past_cards())
if evidence:
    st.caption(plain(evidence))
prices_section(project_id, user_rows, offers, today, int(st.session_state.get(key("max_price_age_days")) or 90))
