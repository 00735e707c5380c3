"""In a real browser: distil a finished tiny run of the example tickets from the Compress section and see its row."""
from __future__ import annotations

import pytest

from tests.browser import browser_page, needs_chromium, served_app, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


def finished_example_run(data_dir) -> str:
    """The example project (as on first start) with a tiny run trained on the example tickets."""
    from business.store import Store
    from modelkit.runs import write_run_project
    from tests.text_builders import train_tiny
    from ui.session import seed_example_project

    data_dir.mkdir(parents=True)
    project_id = seed_example_project(Store(data_dir / "founder.db"))
    run_dir = data_dir / "runs" / "20261201-000000-text-e2e0"
    write_run_project(run_dir, project_id)
    train_tiny(run_dir, max_steps=4)
    return run_dir.name


def test_a_founder_distils_a_finished_run_and_sees_the_students_row(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_DATA_DIR", str(tmp_path / "data"))
    finished_example_run(tmp_path / "data")
    with served_app(tmp_path / "data", tmp_path / "streamlit.log") as url, browser_page(tmp_path) as page:
        page.goto(f"{url}/text_classifier")
        page.get_by_text("5. Compress (measured)").wait_for(timeout=180_000)  # a cold server imports torch first
        wait_for_app(page)
        epochs = page.get_by_role("spinbutton", name="Distillation epochs")
        epochs.fill("0.5")
        page.get_by_role("button", name="Start compression job").click()
        wait_for_app(page)

        page.get_by_text("distill-1L measured:").wait_for(timeout=600_000)  # the job ends, the page reruns

        assert page.get_by_text("× the teacher's speed at batch 1").count() == 1
        assert page.locator("[data-testid='stPlotlyChart']").count() >= 1
