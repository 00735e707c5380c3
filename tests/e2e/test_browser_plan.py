"""The Plan pages in a real browser: the canvas renders, a value proposition survives a reload and shows in its block."""
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
        # The proposition is part of the canvas's Value Propositions block, fully visible (no clipping).
        page.get_by_role("link", name="Business model canvas").click()
        wait_for_app(page)
        entry = page.get_by_text("Audit trail <b>for</b> compliance", exact=True)
        entry.wait_for()
        assert entry.is_visible()
        for last_item in ("Annual licence for platforms embedding the model", "Outbound sales to support leaders"):
            assert fits_in_its_block(page.get_by_text(last_item).first), last_item


def fits_in_its_block(element) -> bool:
    """The element's box lies inside its bordered block's box: the block is not clipping it."""
    return element.evaluate("""e => {
        const block = e.closest("[data-testid='stVerticalBlockBorderWrapper']") || e.closest("[data-testid='stVerticalBlock']");
        const inner = e.getBoundingClientRect(), outer = block.getBoundingClientRect();
        return inner.bottom <= outer.bottom + 0.5 && inner.top >= outer.top - 0.5;
    }""")
