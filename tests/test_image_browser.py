"""The Image classifier page in a real browser: upload a picture of a digit, see the top classes."""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser import ROOT, _free_port, _wait_healthy, browser_page, needs_chromium, served_app, wait_for_app
from tests.image_builders import image_config, train_image

pytestmark = [pytest.mark.browser, needs_chromium]
PAGE = "pages/image_classifier.py"


@contextmanager
def served_page(data_dir: Path, log_path: Path):
    """Through app.py's router once the page is registered there; until then the page file alone."""
    if PAGE in (ROOT / "app.py").read_text():
        with served_app(data_dir, log_path) as url:
            yield url + "/image-classifier"
        return
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / PAGE), "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "APP_DATA_DIR": str(data_dir)},
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", server, log_path)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=20)


def test_an_uploaded_digit_gets_a_prediction_with_probabilities(tmp_path, app_data_dir):
    from PIL import Image

    from modelkit.paths import runs_root

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
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(tmp_path / "image_demo.png"), full_page=True)
