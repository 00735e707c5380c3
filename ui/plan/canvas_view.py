"""The canvas at a glance, in the usual arrangement (also used by History and the investor view).

Blocks grow with their text: no fixed heights, so nothing is clipped (a fixed-height block hid its
last items with no scrollbar). Each block draws `business.canvas.blocks.block_entries`, so the value
propositions and revenue streams saved on their forms appear in their blocks.
"""
from __future__ import annotations

import streamlit as st

from business.canvas.blocks import BlockEntry, block_entries
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
    _block(partners, canvas, "key_partners")
    _block(middle_left, canvas, "key_activities")
    _block(middle_left, canvas, "key_resources")
    _block(propositions, canvas, "value_propositions")
    _block(middle_right, canvas, "customer_relationships")
    _block(middle_right, canvas, "channels")
    _block(segments, canvas, "customer_segments")
    costs, revenues = st.columns(2)
    _block(costs, canvas, "cost_structure")
    _block(revenues, canvas, "revenue_streams")


def entry_markdown(entry: BlockEntry) -> str:
    """A form's entry in bold with its facts; an item with its evidence badge. User text stays text."""
    if entry.evidence is None:
        return f"**{plain(entry.text)}**  \n:small[{plain(entry.detail)}]"
    return f"{plain(entry.text)} {EVIDENCE_BADGE[entry.evidence]}"


def _block(column, canvas: Canvas, key: str) -> None:
    with column.container(border=True):
        st.markdown(f"**{BLOCK_TITLES[key]}**")
        entries = block_entries(canvas, key)
        if not entries:
            st.caption("empty")
        for entry in entries:
            st.markdown(entry_markdown(entry))
