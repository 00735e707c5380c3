"""In a real browser: a project created in the sidebar shows none of the example project's runs on its
investor view, while the example project's investor view shows its own run."""
from __future__ import annotations

import pytest

from business.store import Store
from tests.browser import browser_page, needs_chromium, served_app, wait_for_app
from tests.report_builders import write_run
from ui.session import seed_example_project

pytestmark = [pytest.mark.browser, needs_chromium]


def visible_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def open_investor_view(page) -> str:
    page.get_by_role("link", name="Investor view").click()
    wait_for_app(page)
    page.get_by_text("Cost to train").first.wait_for()
    return visible_text(page)


def test_a_new_projects_investor_view_names_no_run_of_the_example_project(app_data_dir, tmp_path):
    example = seed_example_project(Store(app_data_dir / "founder.db"))
    write_run(app_data_dir / "runs", "exampletextrun", project_id=example)
    write_run(app_data_dir / "runs", "exampleimagerun", task="image", project_id=example)
    with served_app(app_data_dir, tmp_path / "streamlit.log") as url, browser_page(tmp_path) as page:
        page.set_default_timeout(90_000)  # a cold server on two shared cores
        page.goto(url)
        wait_for_app(page)
        assert "Run exampletextrun" in open_investor_view(page)  # the example project shows its own run

        page.get_by_role("button", name="New project").click()
        page.get_by_role("textbox", name="Name of the new project").fill("Fresh Start Labs")
        page.get_by_role("button", name="Create").click()
        wait_for_app(page)
        page.get_by_role("heading", name="Fresh Start Labs").wait_for()
        # the heading can arrive while the rest of the rerun is still on its way (the old runs shown faded)
        page.get_by_text("No image run yet").wait_for()
        wait_for_app(page)
        text = visible_text(page)

        page.screenshot(path=str(tmp_path / "new_project_investor_view.png"), full_page=True)
        assert "exampletextrun" not in text and "exampleimagerun" not in text
        assert "No text run yet" in text and "No image run yet" in text
        assert page.locator("[data-testid='stException']").count() == 0
