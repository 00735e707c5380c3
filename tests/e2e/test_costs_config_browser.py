"""The Costs page in a real browser: paste a Hugging Face config.json under "Serve a model" and read the result."""
import json

import pytest

from business.costs.hf_config import shipped_config
from tests.browser import browser_page, needs_chromium, served_app, wait_for_app

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def app_url(tmp_path, app_data_dir):
    with served_app(app_data_dir, tmp_path / "streamlit.log") as url:
        yield url


def metric_value(page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_a_pasted_config_json_is_counted_and_priced_per_million_tokens(app_url, tmp_path):
    config = json.dumps(shipped_config("Mistral-7B-v0.1.json"), indent=2)
    with browser_page(tmp_path) as page:
        page.set_default_timeout(120_000)  # a busy 2-core CI machine
        page.goto(app_url)
        wait_for_app(page)
        page.get_by_role("link", name="Compute and GPU costs").click()
        wait_for_app(page)
        page.locator("[data-testid='stRadio'] label").filter(has_text="Serve a model").click()
        wait_for_app(page)
        page.get_by_text("Latency, tokens per second", exact=False).wait_for()  # the serve question is shown
        # "Model" exactly: the question radio's options ("Fine-tune a model"...) contain the word too
        page.get_by_label("Model", exact=True).click()
        page.get_by_role("option", name="From a config.json (paste or upload)", exact=True).click()
        wait_for_app(page)
        box = page.get_by_role("textbox", name="config.json of a Hugging Face model")
        box.fill(config)
        box.press("Control+Enter")  # a text area hands its value to the app on Ctrl+Enter or blur
        wait_for_app(page)
        page.get_by_text("7,241,732,096 parameters", exact=False).wait_for()
        wait_for_app(page)
        page.locator("[data-testid='stMetric']").filter(has_text="Per 1M output tokens").first.wait_for()

        per_million = metric_value(page, "Per 1M output tokens")
        first_token = metric_value(page, "Time to first token")
        page.screenshot(path=str(tmp_path / "costs_config.png"), full_page=True)

        assert per_million.startswith("$") and "nan" not in per_million.lower()
        assert first_token.endswith("ms")
        assert page.get_by_text("8 KV heads", exact=False).count() >= 1
        assert page.locator("[data-testid='stException']").count() == 0
