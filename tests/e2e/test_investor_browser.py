"""In a real browser, hosted mode: an investor signs in, sees the investor view, runs a demo prediction.

The server reads its [hosted] secrets from a file in the test's folder (--secrets.files), never from the
project's .streamlit/, so other test runs in this checkout stay in local mode.
"""
from __future__ import annotations

from pathlib import Path

import bcrypt
import pytest

from tests.browser import browser_page, needs_chromium, served_app, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

SECRETS = """
[hosted]
share_secret = "{secret}"
[hosted.users.ivan]
role = "investor"
password_hash = "{hash}"
"""


def hosted_server(data_dir: Path, secrets_path: Path, log_path: Path):
    return served_app(data_dir, log_path, extra_args=("--secrets.files", str(secrets_path)))


def test_an_investor_signs_in_opens_the_investor_view_and_classifies_a_text(tmp_path):
    from tests.report_builders import feature_for_investors
    from tests.text_builders import train_tiny

    data_dir = tmp_path / "data"
    train_tiny(data_dir / "runs" / "tiny")
    feature_for_investors(data_dir, "tiny")
    secrets = tmp_path / "secrets.toml"
    hashed = bcrypt.hashpw(b"investor-password", bcrypt.gensalt(rounds=4)).decode()
    secrets.write_text(SECRETS.format(secret="b" * 40, hash=hashed))
    with hosted_server(data_dir, secrets, tmp_path / "streamlit.log") as url, browser_page(tmp_path) as page:
        page.set_default_timeout(90_000)  # a cold server on two shared cores
        page.goto(url)
        wait_for_app(page)
        page.get_by_role("textbox", name="Name").fill("ivan")
        page.get_by_role("textbox", name="Password").fill("investor-password")
        page.get_by_role("button", name="Sign in").click()
        wait_for_app(page)
        page.get_by_text("Cost to serve").first.wait_for()
        page.get_by_label("Try it: a text to classify").fill("I was charged twice for my subscription")
        page.get_by_role("button", name="Classify").click()
        # The first prediction imports torch and loads the model in the server: slow on a busy CPU.
        page.get_by_text("probability").first.wait_for(timeout=180_000)
        wait_for_app(page)
        shot = tmp_path / "investor_view.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert page.get_by_role("link", name="Compute and GPU costs").count() == 0  # other pages are not served


def test_the_html_report_draws_its_charts_in_a_browser_with_the_network_blocked(tmp_path):
    from business.reports.export import to_html
    from tests.report_builders import saved_example, summary_of
    from ui.investors.view import charts

    store, project_id = saved_example(tmp_path)
    summary = summary_of(store, project_id, tmp_path / "runs")
    report = tmp_path / "report.html"
    report.write_text(to_html(summary, charts(summary)), encoding="utf-8")
    requested = []
    with browser_page(tmp_path) as page:
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else (requested.append(route.request.url), route.abort()))
        page.goto(report.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg")
        assert page.locator(".js-plotly-plot").count() == 3
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert requested == []


PHONE = {"width": 390, "height": 844}
DEVELOPER_MENU_ITEMS = ("Rerun", "Clear cache", "Settings", "Developer options", "Deploy")


def test_a_hosted_investor_on_a_phone_sees_no_developer_chrome_and_the_page_fits(tmp_path):
    secrets = tmp_path / "secrets.toml"
    hashed = bcrypt.hashpw(b"investor-password", bcrypt.gensalt(rounds=4)).decode()
    secrets.write_text(SECRETS.format(secret="c" * 40, hash=hashed))
    with hosted_server(tmp_path / "data", secrets, tmp_path / "streamlit.log") as url, \
            browser_page(tmp_path) as page:
        page.set_default_timeout(90_000)
        page.set_viewport_size(PHONE)
        page.goto(url)
        wait_for_app(page)
        page.get_by_role("textbox", name="Name").fill("ivan")
        page.get_by_role("textbox", name="Password").fill("investor-password")
        page.get_by_role("button", name="Sign in").click()
        wait_for_app(page)
        page.get_by_text("Cost to train").first.wait_for()
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        wait_for_app(page)
        assert page.locator("[data-testid='stAppDeployButton']").count() == 0
        page.locator("[data-testid='stMainMenuButton']").click()
        items = page.locator("[data-testid='stMainMenuItemLabel']").all_inner_texts()
        assert items and not any(item.startswith(DEVELOPER_MENU_ITEMS) for item in items), items
        page.keyboard.press("Escape")
        # Nothing wider than the phone; tiles and charts stacked in one column, charts in their order.
        assert page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollWidth") <= PHONE["width"]
        tiles = page.locator("[data-testid='stMetric']")
        assert tiles.count() >= 5
        boxes = [tiles.nth(i).bounding_box() for i in range(tiles.count())]
        charts = page.locator("[data-testid='stPlotlyChart']")
        boxes_charts = [charts.nth(i).bounding_box() for i in range(charts.count())]
        assert len(boxes_charts) == 3
        for column in (boxes, boxes_charts):
            assert all(b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] for b in column)
            assert [b["y"] for b in column] == sorted(b["y"] for b in column)
            assert len({round(b["x"]) for b in column}) == 1  # one column
        titles = page.locator(".js-plotly-plot .gtitle").all_text_contents()
        assert titles[0].startswith("Monthly revenue") and titles[1].startswith("Cash")
        page.screenshot(path=str(tmp_path / "investor_phone.png"), full_page=True)
