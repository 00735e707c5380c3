"""In a real browser: a cost typed on the financial model keeps "entered by you" on the investor view, and
the investor headline tiles show their whole value at desktop and at phone width."""
from __future__ import annotations

from datetime import date

import pytest

from tests.browser import browser_page, needs_chromium, served_app, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

# Each tile: its visible text, and whether the value (or the box inside it) is wider than it can show.
TILES_JS = """els => els.map(e => {
    const value = e.querySelector("[data-testid='stMetricValue']");
    const inner = value.querySelector('div') || value;
    return {label: e.querySelector("[data-testid='stMetricLabel']").innerText.trim(), text: value.innerText.trim(),
            cut: inner.scrollWidth > inner.clientWidth + 1 || value.scrollWidth > value.clientWidth + 1};
})"""


def tiles(page) -> list[dict]:
    return page.eval_on_selector_all("[data-testid='stMetric']", TILES_JS)


def test_a_typed_cost_says_entered_by_you_on_the_investor_view_and_no_tile_is_cut_off(tmp_path, app_data_dir):
    with served_app(app_data_dir, tmp_path / "streamlit.log") as url, browser_page(tmp_path) as page:
        page.set_default_timeout(90_000)  # a cold server on two shared cores
        page.goto(url)
        wait_for_app(page)
        page.get_by_role("link", name="Financial model").click()
        wait_for_app(page)
        page.get_by_text("Assumptions (version 1)").click()
        page.get_by_role("spinbutton", name="Inference cost (USD per 1,000 requests)").fill("5")
        days = {date.today().isoformat()}
        page.get_by_role("button", name="Save assumptions").click()
        wait_for_app(page)
        page.get_by_text("Saved the financial assumptions as version 2").wait_for()
        days.add(date.today().isoformat())
        label = "|".join(f"entered by you on {day}" for day in days)
        page.get_by_text("Inference cost $5.00 per 1,000 requests (entered by you on", exact=False).first.wait_for()

        page.get_by_role("link", name="Investor view").click()
        wait_for_app(page)
        caption = page.get_by_text("$5.00 per 1,000 predictions (entered by you on", exact=False).first
        caption.wait_for()
        assert any(f"entered by you on {day}" in caption.inner_text() for day in days), label
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(500)  # let the layout settle at the new width
            shown = tiles(page)
            assert [t["label"] for t in shown] == ["Cost to train", "Cost to serve", "Gross margin", "Runway today",
                                                  "Break-even"], shown
            assert not [t for t in shown if t["cut"] or "…" in t["text"]], (width, shown)
            assert {"label": "Cost to serve", "text": "$5.00 per 1K", "cut": False} in shown
            page.screenshot(path=str(tmp_path / f"investor_{width}.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
