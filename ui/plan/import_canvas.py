"""Import a canvas file into the store: as a new project, or as a new version of the current one."""
from __future__ import annotations

import streamlit as st

from business.canvas.json_io import canvas_to_dict, import_json
from business.store import StoreError
from ui import keys
from ui.session import CANVAS, base_version, get_store

AS_NEW_PROJECT = "a new project"
AS_NEW_VERSION = "a new version of the current project"


def import_canvas_file(raw: bytes, mode: str, project_id: int) -> str:
    """Import and return what happened; raises CanvasError/StoreError (nothing changed) on a bad file."""
    name, canvas = import_json(raw)
    store = get_store()
    payload = canvas_to_dict(canvas)
    if mode == AS_NEW_VERSION:
        number = store.save(project_id, CANVAS, payload, base_version(project_id, CANVAS), "Imported from file")
        return f"Imported as version {number} of this project."
    project = store.create_project(_free_name(name))
    store.save(project.id, CANVAS, payload, None, "Imported from file")
    st.session_state[keys.PROJECT_ID] = project.id
    return f"Imported as the new project {project.name!r}, now selected."


def _free_name(name: str) -> str:
    taken = {p.name.casefold() for p in get_store().list_projects()}
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name} (imported {n})" if n > 2 else f"{name} (imported)"
    if len(candidate) > 80:
        raise StoreError("The imported project name is too long once made unique; rename a project first.")
    return candidate
