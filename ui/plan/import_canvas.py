"""Import a project file into the store: as a new project, or as new versions of the current one."""
from __future__ import annotations

from datetime import date

import streamlit as st

from business.project_file import CANVAS_KIND, import_project, save_as_new_project, save_into
from business.costs.api_catalog import API_OVERRIDE_KIND
from business.costs.pricing import OVERRIDE_KIND
from business.financials.storage import KIND as FINANCIALS_KIND
from ui import keys
from ui.session import base_version, get_store

AS_NEW_PROJECT = "a new project"
AS_NEW_VERSION = "new versions of the current project"


def import_project_file(raw: bytes, mode: str, project_id: int) -> str:
    """Import and say what happened; raises ProjectFileError / StoreError (nothing changed) on a bad file."""
    project = import_project(raw, date.today())
    store = get_store()
    if mode == AS_NEW_VERSION:
        # Each part is saved on top of the version this session last showed, so a change made in
        # another tab meanwhile is refused (kept as a draft), never overwritten.
        bases = {kind: base_version(project_id, kind)
                 for kind in (CANVAS_KIND, FINANCIALS_KIND, OVERRIDE_KIND, API_OVERRIDE_KIND)}
        for kind in bases:
            if bases[kind] is None and (latest := store.load_latest(project_id, kind)):
                bases[kind] = latest.number  # never shown in this session: the import is based on the latest
        return "Imported into this project. " + "; ".join(save_into(store, project_id, project, bases,
                                                                     "Imported from file")) + "."
    created = save_as_new_project(store, project, "Imported from file")
    st.session_state[keys.PROJECT_ID] = created.id
    return f"Imported as the new project {created.name!r}, now selected."
