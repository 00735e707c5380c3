"""In a real browser: every page's URL, opened directly (shared or bookmarked), shows that page whole,
with the router's sidebar and without Streamlit's "Page not found" dialog, starting with the very first
request after the server starts (Streamlit's pages/-folder run; see ui/routing.py)."""
from __future__ import annotations

import pytest

from tests.browser import ROOT, browser_page, needs_chromium, served_app, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

PAGE_URLS = sorted(path.stem for path in (ROOT / "pages").glob("*.py"))  # a page's URL is its file name
OLD_URLS = ("business-model-canvas", "compute-costs", "financial-model", "investor-view", "text-classifier")
NOT_FOUND = "Page not found"


def open_directly(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.locator("h1").first.wait_for()
    wait_for_app(page)


def assert_opened_cleanly(page, path: str) -> None:
    assert page.get_by_text(NOT_FOUND).count() == 0, f"/{path}: {NOT_FOUND}"
    assert page.locator("[data-testid='stException']").count() == 0, f"/{path}: an exception"
    # The router ran: its sidebar holds the project picker (a page run on its own has none).
    assert page.locator("[data-testid='stSidebar']").get_by_text("Project", exact=True).count() == 1, path
    assert page.url.rstrip("/").endswith(f"/{path}".rstrip("/")), (path, page.url)


def test_every_pages_url_opens_cleanly_from_the_first_request_after_a_server_start(tmp_path):
    # The default page's own name first: the hardest case on a process's first run.
    paths = ["canvas", "", *(p for p in PAGE_URLS if p != "canvas"), *OLD_URLS]
    assert "costs" in paths and "investor" in paths
    with served_app(tmp_path / "data", tmp_path / "streamlit.log") as url, browser_page(tmp_path) as page:
        page.set_default_timeout(120_000)  # the model pages import torch in the server: slow on two cores
        for path in paths:
            open_directly(page, f"{url}/{path}")
            assert_opened_cleanly(page, path)
        open_directly(page, f"{url}/costs")
        assert page.locator("h1").first.inner_text() == "Costs"
        open_directly(page, f"{url}/no-such-page")  # the check above can see the dialog when there is one
        assert page.get_by_text(NOT_FOUND).count() >= 1
