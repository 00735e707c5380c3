"""The Plan pages in a real browser: the canvas renders, a value proposition survives a reload."""
import pytest

from tests.browser import browser_page, needs_chromium, pick_option, served_app, wait_for_app

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def app_url(tmp_path, app_data_dir):
    with served_app(app_data_dir, tmp_path / "streamlit.log") as url:
        yield url


def test_the_canvas_page_shows_the_example_project_and_is_captured(app_url, tmp_path):
    with browser_page(tmp_path) as page:
        page.goto(app_url)
        wait_for_app(page)
        page.get_by_text("What to do next").wait_for()
        for block in ("Key Partners", "Value Propositions", "Customer Segments", "Revenue Streams"):
            assert page.get_by_text(block, exact=True).first.is_visible()
        assert page.get_by_text("Running on", exact=False).first.is_visible()
        shot = tmp_path / "canvas.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        assert page.locator("[data-testid='stException']").count() == 0


def test_a_value_proposition_saved_in_the_browser_is_there_after_a_reload(app_url, tmp_path):
    with browser_page(tmp_path) as page:
        page.goto(app_url)
        wait_for_app(page)
        page.get_by_role("link", name="Value propositions").click()
        wait_for_app(page)
        pick_option(page, "For which customer segment", "Enterprise support organisations")
        page.get_by_role("textbox", name="Name", exact=True).fill("Audit trail <b>for</b> compliance")
        page.get_by_role("textbox", name="Job to be done").fill("Show auditors how each ticket was routed")
        page.get_by_role("textbox", name="Problems and frustrations").fill("Routing decisions are not logged anywhere")
        page.get_by_role("button", name="Save value proposition").click()
        wait_for_app(page)
        page.get_by_text("Saved as version 2").wait_for()
        page.reload()
        wait_for_app(page)
        expander = page.get_by_text("Audit trail <b>for</b> compliance — for Enterprise support organisations")
        expander.wait_for()
        assert expander.is_visible()
        page.screenshot(path=str(tmp_path / "value_propositions.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
