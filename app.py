"""Founder dashboard: the router and the frame around every page.

Run with `streamlit run app.py` (or `make run`). Pages live in pages/ and are listed here explicitly.
"""
from __future__ import annotations

import streamlit as st

from business.hosting import can_write
from business.store import StoreError
from modelkit.hardware import describe_hardware
from ui import keys
from ui.auth import account_box, gate, pages_for
from ui.project_actions import project_deletion_box
from ui.session import current_project_id, get_store
from ui.text import plain

# Each url_path differs from its file's name on purpose: Streamlit still treats a folder named pages/
# as an old-style multipage app on a process's first run (and AppTest on every run), and would run a
# page whose URL matches its file name directly, without this router and its sidebar. (On that first
# run a deep link still shows Streamlit's dismissable "page not found" note before this router serves
# the right page; opening the app's root URL, as `make run` does, never does.)
#
# Hosted mode serves an investor this page only (ui/auth.py); everyone else finds it under Investors.
INVESTOR_PAGE = st.Page("pages/investor.py", title="Investor view", icon=":material/monitoring:",
                        url_path="investor-view")
PAGES = {
    "Plan": [
        st.Page("pages/canvas.py", title="Business model canvas", icon=":material/dashboard:", default=True,
                url_path="business-model-canvas"),
        st.Page("pages/value_proposition.py", title="Value propositions", icon=":material/favorite:",
                url_path="value-propositions"),
        st.Page("pages/revenue_streams.py", title="Revenue streams", icon=":material/payments:",
                url_path="revenue-streams"),
        st.Page("pages/history.py", title="History", icon=":material/history:", url_path="canvas-history"),
        st.Page("pages/import_export.py", title="Import / export", icon=":material/import_export:",
                url_path="import-export"),
    ],
    "Costs": [
        st.Page("pages/costs.py", title="Compute and GPU costs", icon=":material/memory:", url_path="compute-costs"),
        st.Page("pages/financials.py", title="Financial model", icon=":material/trending_up:",
                url_path="financial-model"),
    ],
    "Models": [
        st.Page("pages/text_classifier.py", title="Text classifier", icon=":material/article:",
                url_path="text-classifier"),
        st.Page("pages/image_classifier.py", title="Image classifier", icon=":material/image:",
                url_path="image-classifier"),
    ],
    "Investors": [INVESTOR_PAGE],
}


@st.cache_resource
def hardware_headline() -> str:
    return describe_hardware().headline()


def project_picker(role: str | None) -> None:
    store = get_store()
    current = current_project_id()
    projects = {p.id: p.name for p in store.list_projects()}
    if st.session_state.get(keys.SHARED_PROJECT) is not None:
        st.caption(plain(f"Project: {projects[current]}"))  # a share link opens one project only
        return
    st.selectbox("Project", list(projects), format_func=projects.get, key=keys.PROJECT_ID)
    if not can_write(role):
        return
    with st.popover("New project", width="stretch"):
        with st.form("new_project", clear_on_submit=True, border=False):
            st.text_input("Name of the new project", key="new_project_name")
            st.form_submit_button("Create", on_click=_create_project)
    with st.popover("Rename project", width="stretch"):
        with st.form("rename_project", border=False):
            st.text_input("New name", value=projects[current], key=f"rename_project_name_{current}")
            st.form_submit_button("Rename", on_click=_rename_project, args=(current,))
    project_deletion_box(current, projects[current])
    kind, message = st.session_state.pop(keys.SIDEBAR_MESSAGE, (None, None))
    if kind:
        getattr(st, kind)(plain(message))


# Callbacks run before the rerun, so they may switch the project picker's value.
def _create_project() -> None:
    try:
        project = get_store().create_project(st.session_state.get("new_project_name", ""))
    except StoreError as error:
        st.session_state[keys.SIDEBAR_MESSAGE] = ("error", str(error))
        return
    st.session_state[keys.PROJECT_ID] = project.id
    st.session_state[keys.SIDEBAR_MESSAGE] = ("success", f"Created {project.name}.")


def _rename_project(project_id: int) -> None:
    try:
        project = get_store().rename_project(project_id, st.session_state.get(f"rename_project_name_{project_id}", ""))
    except StoreError as error:
        st.session_state[keys.SIDEBAR_MESSAGE] = ("error", str(error))
        return
    st.session_state[keys.SIDEBAR_MESSAGE] = ("success", f"Renamed to {project.name}.")


st.set_page_config(page_title="Founder dashboard", page_icon=":material/rocket_launch:", layout="wide")
role = gate()  # hosted mode: stops at the login until someone signs in; None when running locally
navigation = st.navigation(pages_for(role, PAGES, INVESTOR_PAGE))
with st.sidebar:
    project_picker(role)
    account_box(role)
    st.caption(f"Running on {hardware_headline()}")
navigation.run()
