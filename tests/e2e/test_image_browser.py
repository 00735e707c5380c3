"""The Image classifier page in a real browser: upload a picture of a digit, see the top classes."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser import browser_page, needs_chromium, served_app, wait_for_app
from tests.image_builders import image_config, train_image

pytestmark = [pytest.mark.browser, needs_chromium]


@contextmanager
def served_page(data_dir: Path, log_path: Path):
    with served_app(data_dir, log_path) as url:
        yield url + "/image_classifier"


def test_an_uploaded_digit_gets_a_prediction_with_probabilities(tmp_path, app_data_dir):
    from PIL import Image

    from modelkit.paths import runs_root
    from modelkit.runs import write_run_project

    write_run_project(runs_root() / "20260101-000000-image-browser", 1)  # the example project's run
    train_image(image_config("digits", batch_size=32), runs_root() / "20260101-000000-image-browser")
    digit = tmp_path / "digit.png"
    Image.new("L", (64, 64), 255).save(digit)  # a blank page: any class will do, the point is the round trip

    with served_page(app_data_dir, tmp_path / "streamlit.log") as url, browser_page(tmp_path) as page:
        page.goto(url)
        wait_for_app(page)
        page.get_by_text("Try it").wait_for(timeout=60_000)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(digit))
        wait_for_app(page)
        page.get_by_text(": probability").first.wait_for(timeout=60_000)
        assert page.get_by_text(": probability").count() == 3
        # the model's-eye view: the white page as the 8x8 digits model saw it, inverted like its training digits
        assert page.get_by_text("as the model sees it: 8 x 8 px, grey, inverted").count() == 1
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(tmp_path / "image_demo.png"), full_page=True)
