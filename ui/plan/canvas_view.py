"""The canvas at a glance, in the usual arrangement (also used by the investor view)."""
from __future__ import annotations

import streamlit as st

from business.canvas.model import BLOCK_TITLES, Canvas, Evidence
from ui.text import plain

EVIDENCE_BADGE = {
    Evidence.HYPOTHESIS: ":gray-badge[hypothesis]",
    Evidence.PARTLY_VALIDATED: ":orange-badge[partly validated]",
    Evidence.VALIDATED: ":green-badge[validated]",
}


def show_canvas_grid(canvas: Canvas) -> None:
    """Five columns (partners | activities+resources | propositions | relationships+channels | segments),
    then costs and revenues side by side."""
    partners, middle_left, propositions, middle_right, segments = st.columns(5)
    _block(partners, canvas, "key_partners", tall=True)
    _block(middle_left, canvas, "key_activities")
    _block(middle_left, canvas, "key_resources")
    _block(propositions, canvas, "value_propositions", tall=True)
    _block(middle_right, canvas, "customer_relationships")
    _block(middle_right, canvas, "channels")
    _block(segments, canvas, "customer_segments", tall=True)
    costs, revenues = st.columns(2)
    _block(costs, canvas, "cost_structure")
    _block(revenues, canvas, "revenue_streams")


def _block(column, canvas: Canvas, key: str, tall: bool = False) -> None:
    with column.container(border=True, height=520 if tall else 252):
        st.markdown(f"**{BLOCK_TITLES[key]}**")
        items = canvas.items(key)
        if not items:
            st.caption("empty")
        for item in items:
            st.markdown(f"{plain(item.text)} {EVIDENCE_BADGE[item.evidence]}")
