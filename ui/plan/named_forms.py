"""Forms for the named details of a canvas: value propositions and revenue streams.

Both follow one pattern: pick "new" or an existing entry, fill a form, save on top of the version
the user saw. Widget keys carry the version and the entry, so a save or a switch starts a fresh form.
"""
from __future__ import annotations

from dataclasses import asdict, replace
from decimal import Decimal
from enum import Enum
from typing import Callable

import streamlit as st

from business.canvas.amounts import plain_count
from business.canvas.model import Canvas, remove_named, upsert_named
from ui.plan.canvas_edit import apply_canvas_edit

NEW = "+ New"


def field_key(form: str, version: int | None, entry: str, field: str) -> str:
    return f"{form}_v{version}_{entry}_{field}"


def pick_entry(form: str, names: list[str], label: str) -> str:
    """The entry to edit: NEW or an existing name."""
    return st.selectbox(label, [NEW] + names, key=f"{form}_pick")


def current_values(entries: tuple, name: str) -> dict:
    """Form defaults: the entry's fields as strings, or empty for a new one."""
    entry = next((e for e in entries if e.name == name), None)
    if entry is None:
        return {}
    return {k: _as_text(v) for k, v in asdict(entry).items()}


def _as_text(value: object) -> str:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return plain_count(value)  # "60000", never "6E+4"
    return "" if value is None else str(value)


def save_named(project_id: int, form: str, version: int | None, entry: str, fields: list[str],
               attribute: str, build: Callable[..., object]) -> None:
    """Callback: build the entry from the form's widgets and add it to (or replace it in) the canvas."""
    values = {f: st.session_state.get(field_key(form, version, entry, f)) for f in fields}
    replacing = None if entry == NEW else entry

    def edit(canvas: Canvas) -> Canvas:
        new_entry = build(canvas, **values)
        return replace(canvas, **{attribute: upsert_named(getattr(canvas, attribute), new_entry, replacing)})

    if apply_canvas_edit(project_id, edit, f"Saved {values.get('name') or 'entry'}"):
        st.session_state[f"{form}_pick"] = values.get("name") or NEW


def delete_named(project_id: int, form: str, attribute: str, name: str) -> None:
    def edit(canvas: Canvas) -> Canvas:
        return replace(canvas, **{attribute: remove_named(getattr(canvas, attribute), name)})

    if apply_canvas_edit(project_id, edit, f"Deleted {name}"):
        st.session_state[f"{form}_pick"] = NEW


def segment_index(segments: list[str], current: str | None) -> int | None:
    return segments.index(current) if current in segments else None
