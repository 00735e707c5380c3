"""Investor view: the whole company on one read-only page, with the numbers' sources and live demos.

business.reports.summary builds the summary from the saved canvas, assumptions and run cards;
ui/investors/view.py draws it and offers the HTML, PDF and PPTX exports. Nothing on this page saves.
"""
import streamlit as st

from business.reports.summary import ReportError
from ui.plan.canvas_view import show_canvas_grid
from ui.investors.view import (download_buttons, show_charts, show_headlines, show_runs, show_value_propositions,
                              summary_for)
from ui.session import current_project_id
from ui.text import plain
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

try:
    summary = summary_for(current_project_id())
except ReportError as error:
    st.error(plain(str(error)))
    st.stop()

st.title(plain(summary.project_name), anchor=False)
st.caption(plain(f"Investor summary, {summary.generated_text()}, from {summary.data_version()}. "
                 "Every number says how it was computed."))
show_headlines(summary)
for note in summary.notes:
    st.warning(plain(note))

st.subheader("Charts", anchor=False)
show_charts(summary)
st.subheader("Business model canvas", anchor=False)
show_canvas_grid(summary.canvas)
st.subheader("Value propositions", anchor=False)
show_value_propositions(summary)
st.subheader("Models: best runs and live demos", anchor=False)
show_runs(summary)
st.subheader("Take it with you", anchor=False)
download_buttons(summary)
