"""The sidebar's delete and restore boxes for projects.

Deleting asks for a confirmation and is recoverable: the store marks the project deleted with a new
version and keeps everything it held; "Recently deleted" brings it back.
"""
from __future__ import annotations

import streamlit as st

from business.store import StoreError
from ui import keys
from ui.session import get_store
from ui.text import local_time, plain


def confirm_key(project_id: int) -> str:
    return f"delete_project_confirm_{project_id}"


def project_deletion_box(project_id: int, name: str) -> None:
    """"Delete project" (with a confirmation tick) and, when there are any, "Recently deleted"."""
    with st.popover("Delete project", width="stretch"):
        st.caption("A deleted project keeps its canvas, history and figures: restore it any time from "
                   "'Recently deleted'.")
        with st.form(f"delete_project_{project_id}", border=False):
            st.checkbox(plain(f"Yes, delete {name}"), key=confirm_key(project_id))
            st.form_submit_button("Delete", on_click=_delete_project, args=(project_id,))
    deleted = get_store().deleted_projects()
    if deleted:
        with st.popover(f"Recently deleted ({len(deleted)})", width="stretch"):
            for project in deleted:
                st.button(plain(f"Restore {project.name}"), key=f"restore_project_{project.id}",
                          on_click=_restore_project, args=(project.id,))
                st.caption(f"Deleted {local_time(project.deleted_at)}")


# Callbacks run before the rerun, so they may switch the project picker's value.
def _delete_project(project_id: int) -> None:
    if not st.session_state.get(confirm_key(project_id)):
        _tell("warning", "Tick 'Yes, delete' to confirm; nothing was deleted.")
        return
    store = get_store()
    try:
        project = store.delete_project(project_id)
    except StoreError as error:
        _tell("error", str(error))
        return
    st.session_state[keys.PROJECT_ID] = store.list_projects()[0].id
    _tell("success", f"Deleted {project.name}. Restore it from 'Recently deleted'.")


def _restore_project(project_id: int) -> None:
    try:
        project = get_store().restore_project(project_id)
    except StoreError as error:
        _tell("error", str(error))
        return
    st.session_state[keys.PROJECT_ID] = project.id
    _tell("success", f"Restored {project.name}, now selected.")


def _tell(kind: str, message: str) -> None:
    st.session_state[keys.SIDEBAR_MESSAGE] = (kind, message)
