"""Revenue streams: how each segment pays (type, price, unit, billing period, included usage, overage)."""
import pandas as pd
import streamlit as st

from business.canvas.amounts import count, usd
from business.canvas.billing import make_billed_revenue_stream
from business.canvas.model import BillingPeriod, StreamType
from ui.plan.named_forms import (NEW, current_values, delete_named, field_key, pick_entry, save_named,
                            segment_index)
from ui.session import current_project_id, load_canvas, show_flash
from ui.text import plain
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

FORM = "rs"
FIELDS = ["name", "segment", "stream_type", "price_usd", "unit", "billing_period", "included_usage",
          "overage_price_usd", "note"]
TYPES = [t.value for t in StreamType]
PERIODS = [p.value for p in BillingPeriod]

project_id = current_project_id()
canvas, version = load_canvas(project_id)
st.title("Revenue streams", anchor=False)
st.caption("How each customer segment pays. Prices in USD; the financial model reads them from here.")
show_flash()

segments = list(canvas.segment_names())
if not segments:
    st.warning("Add a customer segment on the canvas first: every revenue stream is paid by a segment.")
    st.page_link("pages/canvas.py", label="Open the canvas", icon=":material/dashboard:")
    st.stop()

if canvas.revenue_streams:
    st.dataframe(pd.DataFrame([{
        "Name": s.name, "Segment": s.segment, "Type": s.stream_type.value, "Price (USD)": usd(s.price_usd),
        "Per": s.unit, "Billed": s.billing_period.value,
        "Included usage": "" if s.included_usage is None else count(s.included_usage),
        "Overage (USD)": "" if s.overage_price_usd is None else usd(s.overage_price_usd), "Note": s.note,
    } for s in canvas.revenue_streams]), hide_index=True, width="stretch")
    delete_col, _ = st.columns([1, 3])
    doomed = delete_col.selectbox("Delete a stream", [s.name for s in canvas.revenue_streams], index=None,
                                  key=f"rs_delete_pick_{version}", placeholder="Pick one to delete")
    if doomed:
        delete_col.button(plain(f"Delete {doomed}"), key=f"rs_delete_{version}", on_click=delete_named,
                          args=(project_id, FORM, "revenue_streams", doomed))

entry = pick_entry(FORM, [s.name for s in canvas.revenue_streams], "Add or edit")
d = current_values(canvas.revenue_streams, entry)


def key(field: str) -> str:
    return field_key(FORM, version, entry, field)


with st.form(f"{FORM}_form_{version}_{entry}"):
    left, right = st.columns(2)
    left.text_input("Name", value=d.get("name", ""), max_chars=120, key=key("name"))
    right.selectbox("Paid by segment", segments, index=segment_index(segments, d.get("segment")), key=key("segment"),
                    placeholder="Pick a segment")
    left.selectbox("Type", TYPES, index=TYPES.index(d.get("stream_type", "subscription")), key=key("stream_type"))
    right.selectbox("Billing period", PERIODS, index=PERIODS.index(d.get("billing_period", "month")),
                    key=key("billing_period"))
    left.text_input("Price (USD)", value=d.get("price_usd", ""), key=key("price_usd"), placeholder="e.g. 49.00")
    right.text_input("Unit (price is per...)", value=d.get("unit", ""), max_chars=120, key=key("unit"),
                     placeholder="e.g. seat, 1,000 API calls, deployment")
    left.text_input("Included usage (units per billing period, optional)", value=d.get("included_usage", ""),
                    key=key("included_usage"),
                    help="Hybrid and usage-based streams only, e.g. 10000 tickets; per year on a yearly plan. "
                         "A subscription or licence is a flat fee: choose hybrid for a fee plus overage.")
    right.text_input("Overage price (USD per unit beyond included usage, optional)",
                     value=d.get("overage_price_usd", ""), key=key("overage_price_usd"),
                     help="Hybrid and usage-based streams only.")
    st.text_area("Note (optional)", value=d.get("note", ""), max_chars=2000, key=key("note"))
    st.form_submit_button("Save revenue stream" if entry == NEW else plain(f"Save changes to {entry}"), type="primary",
                          on_click=save_named,
                          args=(project_id, FORM, version, entry, FIELDS, "revenue_streams",
                                make_billed_revenue_stream))
