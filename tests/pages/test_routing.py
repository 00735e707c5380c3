"""The router: every page runs inside app.py (sidebar, hosted sign-in), and hosted mode hides developer chrome.

AppTest starts each run in Streamlit's old pages/-folder mode (as a real server does on its first run),
so these runs exercise ui.routing.run_through_router; tests/e2e/test_page_urls_browser.py opens the URLs.
"""
import ast
from pathlib import Path

import pytest
import streamlit as st

from tests.apptest_helpers import open_app
from tests.pages.test_hosted import hosted_app
from ui.auth import HOSTED_TOOLBAR_MODE, TOOLBAR_OPTION

PAGES = sorted((Path(__file__).resolve().parents[2] / "pages").glob("*.py"))


def first_statement(path: Path) -> ast.stmt:
    body = ast.parse(path.read_text()).body
    return next(node for index, node in enumerate(body)
                if not isinstance(node, (ast.Import, ast.ImportFrom))
                and not (index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_page_script_first_makes_sure_app_py_routed_it(path):
    statement = first_statement(path)
    assert isinstance(statement, ast.Expr) and ast.unparse(statement.value) == "run_through_router()", path.name


@pytest.mark.parametrize("page", ["pages/canvas.py", "pages/costs.py", "pages/history.py", "pages/investor.py"])
def test_a_page_opened_by_its_file_runs_inside_the_router_with_its_sidebar(page):
    at = open_app(page)
    assert "Project" in [s.label for s in at.sidebar.selectbox]
    assert any("Running on" in c.value for c in at.sidebar.caption)


@pytest.fixture
def toolbar_mode_restored():
    before = st.get_option(TOOLBAR_OPTION)
    yield
    st.set_option(TOOLBAR_OPTION, before)  # the option is process-wide


def test_hosted_mode_hides_streamlits_developer_chrome(toolbar_mode_restored):
    st.set_option(TOOLBAR_OPTION, "auto")
    at = hosted_app()
    assert not at.exception
    assert st.get_option(TOOLBAR_OPTION) == HOSTED_TOOLBAR_MODE == "viewer"
    assert "Sign in" in [b.label for b in at.button]  # and the login still shows after the restart


def test_local_mode_leaves_the_developer_tools_to_the_founder(toolbar_mode_restored):
    st.set_option(TOOLBAR_OPTION, "auto")
    open_app()
    assert st.get_option(TOOLBAR_OPTION) == "auto"
