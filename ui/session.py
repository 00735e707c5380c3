"""Where the app's state lives: the data folder, the store, the current project."""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from business.canvas.model import Canvas
from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.example_project import EXAMPLE_CANVAS, EXAMPLE_PROJECT_NAME, example_assumptions
from business.financials.storage import save_assumptions
from business.hosting import INVESTOR
from business.store import Store, Version
from ui import keys
from ui.text import plain

CANVAS = "canvas"


def data_dir() -> Path:
    """APP_DATA_DIR, else .app_data/ beside app.py; the store creates it (and says so when it cannot)."""
    default = Path(__file__).resolve().parent.parent / ".app_data"
    return Path(os.environ.get("APP_DATA_DIR") or default)


@st.cache_resource
def _store_at(db_path: str, read_only: bool = False) -> Store:
    store = Store(db_path)
    if not store.list_projects(include_deleted=True):  # a deleted example stays deleted
        seed_example_project(store)
    return Store(db_path, read_only=True) if read_only else store


def get_store() -> Store:
    """The store; read-only for an investor's session in hosted mode, so every write path refuses."""
    return _store_at(str(data_dir() / "founder.db"), st.session_state.get(keys.ROLE) == INVESTOR)


def seed_example_project(store: Store) -> int:
    with store.transaction():  # all or nothing: a full disk leaves no empty example behind
        project = store.create_project(EXAMPLE_PROJECT_NAME)
        canvas = canvas_from_dict(EXAMPLE_CANVAS)
        store.save(project.id, CANVAS, canvas_to_dict(canvas), None, "Example project")
        save_assumptions(store, project.id, example_assumptions(canvas), None, "Example assumptions")
    return project.id


def current_project_id() -> int:
    """The project picked in the sidebar; the first project when none is picked or it vanished."""
    store = get_store()
    projects = store.list_projects()
    if not projects:
        # The store refuses to delete the last project; this only meets a database edited by hand.
        deleted = store.deleted_projects()
        return store.restore_project(deleted[0].id).id if deleted else seed_example_project(store)
    picked = st.session_state.get(keys.PROJECT_ID)
    shared = st.session_state.get(keys.SHARED_PROJECT)
    if shared is not None and picked != shared:  # a share link pins its project (no picker is shown then)
        picked = st.session_state[keys.PROJECT_ID] = shared
    if picked not in {p.id for p in projects}:
        example = next((p for p in projects if p.name == EXAMPLE_PROJECT_NAME), projects[0])
        st.session_state[keys.PROJECT_ID] = picked = example.id
    return picked


def load_canvas(project_id: int) -> tuple[Canvas, int | None]:
    """The latest canvas and its version, remembered as the base of this session's next save."""
    version = get_store().load_latest(project_id, CANVAS)
    remember_base(project_id, CANVAS, version)
    return (canvas_from_dict(version.payload) if version else Canvas()), (version.number if version else None)


def remember_base(project_id: int, kind: str, version: Version | None) -> None:
    bases = st.session_state.setdefault(keys.BASE_VERSION, {})
    bases[(project_id, kind)] = version.number if version else None


def base_version(project_id: int, kind: str) -> int | None:
    return st.session_state.get(keys.BASE_VERSION, {}).get((project_id, kind))


def flash(message: str, kind: str = "success") -> None:
    st.session_state[keys.FLASH] = (kind, message)


def show_flash() -> None:
    """Show (once) what the last save did."""
    kind, message = st.session_state.pop(keys.FLASH, (None, None))
    if kind:
        getattr(st, kind)(plain(message))
