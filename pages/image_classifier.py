"""Image classifier page: pick images, check them, train a CNN in the background, watch it learn, try it.

Thin by design: widgets -> modelkit (data check, jobs, run folders, predictor, compression) -> render.
Training runs as a background job (modelkit.jobs), so it survives reruns and closed tabs; the live panel
polls the run folder with st.fragment(run_every=...). Registered in app.py under "Models".
Runs belong to the project picked in the sidebar: only its runs are listed, older runs without a project
are offered for adoption, and the founder picks the run investors see (ui/models/run_choice.py).
"""
from __future__ import annotations

import streamlit as st

from modelkit import jobs
from modelkit.runs import read_run_card
from ui.models.image_view import (RUN_ID, START, checked_report, compression, data_path_from_widgets, demo, image_runs,
                                  live_panel, results, show_report, start_training, training_config)
from ui.models.compare_view import compare_section
from ui.models.run_choice import adoption_panel, cli_hint, featured_id, investor_choice, run_label, show_message
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

st.title("Image classifier")
st.caption("Train a CNN on your images; every number below is measured on this machine.")
data_path = data_path_from_widgets()
config = None
if data_path:
    report = checked_report(data_path)
    if report:
        show_report(report)
        config = training_config(data_path, report)
        st.button("Start training", key=START, type="primary", on_click=start_training, args=(config,))
        cli_hint()
runs = image_runs()
if not runs:
    st.caption("No image run in this project yet.")
adoption_panel("image")
show_message()
if runs:
    ids = [run.run_id for run in runs]
    default = st.session_state.get(RUN_ID, ids[0])
    labels = {run.run_id: run_label(run, featured_id("image")) for run in runs}
    run_id = st.selectbox("Run", ids, index=ids.index(default) if default in ids else 0, format_func=labels.get)
    live_panel(run_id)
    investor_choice("image", next(run for run in runs if run.run_id == run_id))
    card = read_run_card(jobs.runs_root() / run_id)
    if card:
        results(jobs.runs_root() / run_id, card)
        st.subheader("Try it")
        demo(jobs.runs_root() / run_id)
        compression(run_id, card)
compare_section(config)  # every model available here on this data, side by side
