"""The block editor form: every item of one block as a row of widgets, plus one empty row to add."""
from __future__ import annotations

import streamlit as st

from business.canvas.model import BLOCK_TITLES, Canvas, CanvasError, Evidence, make_item, with_block
from ui.plan.canvas_edit import apply_canvas_edit

EVIDENCE_LEVELS = [e.value for e in Evidence]


def block_widget_key(block_key: str, version: int | None, row: int, field: str) -> str:
    # The version is part of the key: after any save the form starts from the saved text.
    return f"block_{block_key}_v{version}_{row}_{field}"


def block_editor(project_id: int, canvas: Canvas, version: int | None, block_key: str) -> None:
    items = canvas.items(block_key)
    with st.form(f"edit_{block_key}_v{version}"):
        for row, item in enumerate(items + (None,)):
            is_new = item is None
            st.markdown("**Add an item**" if is_new else f"Item {row + 1}")
            text_col, evidence_col, remove_col = st.columns([6, 2, 1], vertical_alignment="bottom")
            text_col.text_input("Text", value="" if is_new else item.text, max_chars=2000,
                                key=block_widget_key(block_key, version, row, "text"))
            evidence_col.selectbox("Evidence", EVIDENCE_LEVELS,
                                   index=0 if is_new else EVIDENCE_LEVELS.index(item.evidence.value),
                                   key=block_widget_key(block_key, version, row, "evidence"))
            if not is_new:
                remove_col.checkbox("Remove", key=block_widget_key(block_key, version, row, "remove"))
            st.text_input("Note (optional: the evidence, a source, a number)", value="" if is_new else item.note,
                          max_chars=2000, key=block_widget_key(block_key, version, row, "note"))
        st.form_submit_button(f"Save {BLOCK_TITLES[block_key]}", type="primary", on_click=_save_block,
                              args=(project_id, block_key, version, len(items)))


def _save_block(project_id: int, block_key: str, version: int | None, item_count: int) -> None:
    state = st.session_state

    def value(row: int, field: str, default=""):
        return state.get(block_widget_key(block_key, version, row, field), default)

    def row_item(row: int):
        try:
            return make_item(value(row, "text"), value(row, "evidence"), value(row, "note"))
        except CanvasError as error:
            raise CanvasError(f"Item {row + 1}: {error} To delete the item, tick Remove.") from None

    def edit(canvas: Canvas) -> Canvas:
        items = [row_item(row) for row in range(item_count) if not value(row, "remove", False)]
        new_text, new_note = (value(item_count, "text") or "").strip(), (value(item_count, "note") or "").strip()
        if new_text:
            items.append(make_item(new_text, value(item_count, "evidence"), new_note))
        elif new_note:
            # A note alone is not an item: refuse rather than drop what the user typed without a word.
            raise CanvasError("The new item has a note but no text, so nothing was saved: "
                              "type the item's text, or clear the note.")
        return with_block(canvas, block_key, items)

    apply_canvas_edit(project_id, edit, f"Edited {BLOCK_TITLES[block_key]}")
