"""Text classifier: check labelled text, fine-tune BERT as a background job, watch it learn, try it, compress it.

Widgets -> modelkit (data check, jobs.submit, run folder reads, Predictor, compress job) -> render. Training
runs in its own process (modelkit.jobs), so this page only reads the run folder; live panels poll it
with st.fragment(run_every=...). modelkit errors (ValueError subclasses) are shown with st.error.
Runs belong to the project picked in the sidebar: only its runs are listed, older runs without a project
are offered for adoption, and the founder picks the run investors see (ui/models/run_choice.py).
"""
from __future__ import annotations

import streamlit as st

from modelkit import jobs
from modelkit.paths import runs_root
from modelkit.runs import read_run_card
from ui.models.run_choice import adoption_panel, cli_hint, investor_choice, show_message
from ui.models.compress_view import compression_section
from ui.models.text_view import (compare_section, data_section, demo_section, live_panel, results_section, run_picker,
                                 training_form)
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

st.title("Text classifier", anchor=False)
st.caption("Fine-tune BERT on labelled text. Training runs in the background on this machine's "
           "device, one job at a time; every number below is measured on this machine.")
checked = data_section()
if checked is not None:
    training_form(*checked)
    cli_hint()
run = run_picker()
adoption_panel("text")
show_message()
if run:
    active = jobs.job_status(run.run_id, runs_root())["state"] in jobs.ACTIVE
    st.fragment(live_panel, run_every=2.0 if active else None)(run.run_id)
    run_dir = runs_root() / run.run_id
    card = read_run_card(run_dir)
    investor_choice("text", run)
    if card and (run_dir / "metrics.json").exists():
        results_section(run_dir, card)
        demo_section(run_dir)
        compression_section(run.run_id, card)
compare_section()
