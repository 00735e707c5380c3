"""Business model canvas: all nine blocks at a glance, what to do next, and a block editor."""
import streamlit as st

from business.canvas.model import BLOCK_TITLES, BLOCKS
from business.canvas.checks import completeness, review_canvas
from ui.plan.canvas_forms import block_editor
from ui.plan.canvas_view import show_canvas_grid
from ui.session import current_project_id, get_store, load_canvas, show_flash
from ui.text import plain
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

project_id = current_project_id()
canvas, version = load_canvas(project_id)
st.title(plain(get_store().get_project(project_id).name), anchor=False)
st.caption(f"Business model canvas, version {version or 'not saved yet'}. "
           "Blocks and guiding questions: Business Model Canvas, Strategyzer (CC BY-SA 3.0).")
show_flash()

show_canvas_grid(canvas)

st.subheader("What to do next", anchor=False)
advice = review_canvas(canvas)
st.progress(completeness(canvas), text=f"{completeness(canvas):.0%} of the nine blocks have at least one item")
for entry in advice:
    (st.warning if entry.severity == "missing" else st.info)(f"**{entry.block}**: {plain(entry.message)}")
if not advice:
    st.success("Every block is filled and consistent. Next: validate the riskiest hypothesis.")

st.subheader("Edit a block", anchor=False)
block_key = st.selectbox("Block", [b.key for b in BLOCKS], format_func=BLOCK_TITLES.get, key="canvas_block")
st.markdown("\n".join(f"- {q}" for q in next(b for b in BLOCKS if b.key == block_key).questions))
FORM_PAGES = {"value_propositions": ("pages/value_proposition.py", "value propositions"),
              "revenue_streams": ("pages/revenue_streams.py", "revenue streams")}
if block_key in FORM_PAGES:
    page, what = FORM_PAGES[block_key]
    st.caption(f"The {what} saved on their own page are part of this block (shown first, in bold) and are "
               "edited there; here you add short statements with their evidence.")
    st.page_link(page, label=f"Edit the {what}", icon=":material/edit:")
block_editor(project_id, canvas, version, block_key)
