"""Founder dashboard: the router and the frame around every page.

Run with `streamlit run app.py` (or `make run`). Pages live in pages/ and are listed here explicitly.
"""
from __future__ import annotations

import streamlit as st

from business.hosting import can_write
from business.store import DataFolderError, StoreError
from modelkit.hardware import describe_hardware
from ui import keys
from ui.auth import account_box, gate, pages_for
from ui.project_actions import project_deletion_box
from ui.routing import Route, navigation_pages
from ui.session import current_project_id, get_store
from ui.text import plain
from ui.warmup import drawing_page, warm_libraries

# Each page's URL is its file name (/costs, /investor); the canvas, the default page, opens at "/".
# ui/routing.py says why, and answers the older URLs (/compute-costs, /business-model-canvas) too.
# Hosted mode serves an investor this page only (ui/auth.py); everyone else finds it under Investors.
INVESTOR_PAGE = Route("pages/investor.py", "Investor view", ":material/monitoring:", ("investor-view",))
PAGES = {
    "Plan": [
        Route("pages/canvas.py", "Business model canvas", ":material/dashboard:", ("business-model-canvas",)),
        Route("pages/value_proposition.py", "Value propositions", ":material/favorite:", ("value-propositions",)),
        Route("pages/revenue_streams.py", "Revenue streams", ":material/payments:", ("revenue-streams",)),
        Route("pages/history.py", "History", ":material/history:", ("canvas-history",)),
        Route("pages/import_export.py", "Import / export", ":material/import_export:", ("import-export",)),
    ],
    "Costs": [
        Route("pages/costs.py", "Compute and GPU costs", ":material/memory:", ("compute-costs",)),
        Route("pages/financials.py", "Financial model", ":material/trending_up:", ("financial-model",)),
    ],
    "Models": [
        Route("pages/text_classifier.py", "Text classifier", ":material/article:", ("text-classifier",)),
        Route("pages/image_classifier.py", "Image classifier", ":material/image:", ("image-classifier",)),
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
try:
    get_store()
except DataFolderError as error:  # a first start on a read-only or full data folder: say so, no traceback
    st.error(plain(str(error)))
    st.stop()
with drawing_page():  # the background import waits while a page is drawn
    warm_libraries()  # pages then find pandas, plotly and torch imported
    role = gate()  # hosted mode: stops at the login until someone signs in; None when running locally
    navigation = st.navigation(navigation_pages(pages_for(role, PAGES, INVESTOR_PAGE)))
    with st.sidebar:
        project_picker(role)
        account_box(role)
        st.caption(f"Running on {hardware_headline()}")
    navigation.run()
