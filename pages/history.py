"""History: every saved version of the canvas, view, compare, restore; and saves refused as stale."""
import pandas as pd
import streamlit as st

from business.canvas.diff import diff_canvases
from business.canvas.json_io import canvas_from_dict
from ui.plan.canvas_view import show_canvas_grid
from ui.plan.diff_view import show_changes
from ui.plan.history_actions import discard_draft, keep_draft, restore_version
from ui.session import CANVAS, current_project_id, get_store, load_canvas, show_flash
from ui.text import local_time
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

project_id = current_project_id()
store = get_store()
latest_canvas, latest = load_canvas(project_id)
st.title("History", anchor=False)
st.caption("Every save is a new version; nothing is overwritten. Restoring an old version saves it as a new one.")
show_flash()

drafts = store.drafts(project_id, CANVAS)
if drafts:
    st.subheader("Saves refused because the canvas changed meanwhile", anchor=False)
    for draft in drafts:
        with st.container(border=True):
            st.markdown(f"**Draft #{draft.id}**, edited from version {draft.base_version or 'empty'} "
                        f"at {local_time(draft.created_at)}. Changes from the latest version {latest} to this draft:")
            show_changes(diff_canvases(latest_canvas, canvas_from_dict(draft.payload)))
            keep, drop = st.columns(2)
            keep.button("Save this draft as the new version", key=f"keep_draft_{draft.id}_{latest}",
                        on_click=keep_draft, args=(project_id, draft.id), type="primary")
            drop.button("Discard this draft", key=f"discard_draft_{draft.id}", on_click=discard_draft,
                        args=(draft.id,))

versions = store.history(project_id, CANVAS)
if not versions:
    st.info("No version saved yet.")
    st.stop()
st.dataframe(pd.DataFrame([{"Version": v.number, "Saved at": local_time(v.created_at), "What changed": v.message}
                           for v in versions]), hide_index=True, width="stretch")
numbers = [v.number for v in versions]

st.subheader("Compare two versions", anchor=False)
left, right = st.columns(2)
old = left.selectbox("From version", numbers, index=min(1, len(numbers) - 1), key="diff_from")
new = right.selectbox("To version", numbers, index=0, key="diff_to")
by_number = {v.number: v for v in versions}
show_changes(diff_canvases(canvas_from_dict(by_number[old].payload), canvas_from_dict(by_number[new].payload)))

st.subheader("View or restore a version", anchor=False)
shown = st.selectbox("Version", numbers, key="view_version")
if shown != latest:
    st.button(f"Restore version {shown}", on_click=restore_version, args=(project_id, shown), type="primary")
show_canvas_grid(canvas_from_dict(by_number[shown].payload))
