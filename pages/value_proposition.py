"""Value propositions: for which segment, the job, problems, alternatives, benefits, offer, difference."""
import streamlit as st

from business.canvas.model import make_value_proposition
from ui.plan.named_forms import (NEW, current_values, delete_named, field_key, pick_entry, save_named,
                            segment_index)
from ui.session import current_project_id, load_canvas, show_flash
from ui.text import plain
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

FORM = "vp"
FIELDS = [  # (field, label, help, multi-line)
    ("name", "Name", "A short name for this proposition", False),
    ("job_to_be_done", "Job to be done", "What is the customer trying to get done?", True),
    ("problems", "Problems and frustrations", "What goes wrong today, costs time or money?", True),
    ("alternatives", "Current alternatives", "What do they use or do instead today?", True),
    ("benefits", "Benefits", "What gets better for them, in their words, with numbers if you have them?", True),
    ("offer", "The offer", "What exactly do we provide: product, service, integration?", True),
    ("differentiator", "What makes it different", "Why us rather than the alternatives?", True),
]

project_id = current_project_id()
canvas, version = load_canvas(project_id)
st.title("Value propositions", anchor=False)
st.caption("Our own layout of the ideas behind a value proposition: who, what job, which problems, "
           "and why this offer beats the alternatives.")
show_flash()

segments = list(canvas.segment_names())
if not segments:
    st.warning("Add a customer segment on the canvas first: every value proposition is for a segment.")
    st.page_link("pages/canvas.py", label="Open the canvas", icon=":material/dashboard:")
    st.stop()

for proposition in canvas.value_propositions:
    with st.expander(plain(f"{proposition.name} — for {proposition.segment}")):
        for field, label, _, _ in FIELDS[1:]:
            st.markdown(f"**{label}:** {plain(getattr(proposition, field)) or '—'}")
        st.button("Delete", key=f"vp_delete_{version}_{proposition.name}", on_click=delete_named,
                  args=(project_id, FORM, "value_propositions", proposition.name))

entry = pick_entry(FORM, [p.name for p in canvas.value_propositions], "Add or edit")
defaults = current_values(canvas.value_propositions, entry)
with st.form(f"{FORM}_form_{version}_{entry}"):
    st.selectbox("For which customer segment", segments, index=segment_index(segments, defaults.get("segment")),
                 key=field_key(FORM, version, entry, "segment"), placeholder="Pick a segment")
    for field, label, help_text, multi in FIELDS:
        widget = st.text_area if multi else st.text_input
        widget(label + (" (optional)" if field in ("alternatives", "benefits", "offer", "differentiator") else ""),
               value=defaults.get(field, ""), help=help_text, max_chars=2000,
               key=field_key(FORM, version, entry, field))
    st.form_submit_button("Save value proposition" if entry == NEW else plain(f"Save changes to {entry}"), type="primary",
                          on_click=save_named,
                          args=(project_id, FORM, version, entry, ["segment"] + [f[0] for f in FIELDS],
                                "value_propositions", make_value_proposition))
