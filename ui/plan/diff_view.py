"""Show a canvas diff as readable added / removed lines per section."""
from __future__ import annotations

import streamlit as st

from business.canvas.diff import Change
from ui.text import plain


def show_changes(changes: list[Change]) -> None:
    if not changes:
        st.info("No differences.")
        return
    section = None
    for change in changes:
        if change.section != section:
            section = change.section
            st.markdown(f"**{section}**")
        colour, sign = ("green", "+") if change.kind == "added" else ("red", "−")
        st.markdown(f":{colour}[{sign} {plain(change.text)}]")
