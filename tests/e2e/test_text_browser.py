"""In a real browser: train the example tickets for one short epoch from the Text classifier page, then predict.

Skips until app.py lists pages/text_classifier.py (URL /text_classifier, its file name).
"""
from __future__ import annotations

import pytest

from tests.browser import ROOT, browser_page, needs_chromium, served_app, wait_for_app

registered = "pages/text_classifier.py" in (ROOT / "app.py").read_text()
pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium,
              pytest.mark.skipif(not registered, reason="app.py does not list pages/text_classifier.py yet")]


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).click()


def test_a_founder_trains_the_example_tickets_for_one_epoch_and_sees_a_prediction(tmp_path):
    with served_app(tmp_path / "data", tmp_path / "streamlit.log") as url, browser_page(tmp_path) as page:
        page.goto(f"{url}/text_classifier")
        wait_for_app(page)
        page.get_by_text("Rows").first.wait_for()
        choose(page, "Model", "Tiny BERT (random, smoke test)")
        epochs = page.get_by_role("spinbutton", name="Epochs")  # its "?" help button shares the label
        epochs.fill("1")
        epochs.press("Enter")  # the settings rerun on their own (a fragment): commit the value first
        wait_for_app(page)
        page.get_by_role("button", name="Start training").click()
        wait_for_app(page)

        page.get_by_text("Predicted:").wait_for(timeout=600_000)  # the job ends, the page reruns with results
        page.get_by_label("Text", exact=True).fill("The invoice charged us twice")
        page.keyboard.press("Control+Enter")
        wait_for_app(page)

        assert page.get_by_text("Predicted:").is_visible()
        assert page.get_by_text("Confusion matrix").count() >= 1
