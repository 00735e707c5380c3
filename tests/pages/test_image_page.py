"""AppTest of the Image classifier page: data check, a finished run's results and demo, start and cancel."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import texts
from tests.image_builders import image_config, train_image

ROOT = Path(__file__).resolve().parents[2]
PAGE, APP = "pages/image_classifier.py", str(ROOT / "app.py")


def open_page() -> AppTest:
    """Through the app's router when the lead has registered the page, else the page file alone."""
    registered = PAGE in (ROOT / "app.py").read_text()
    at = AppTest.from_file(APP if registered else str(ROOT / PAGE), default_timeout=120).run()
    if registered:
        at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def finished_run(app_data_dir) -> str:
    """A real 2-step digits run of the example project (id 1, seeded when the page opens), trained in-process
    into the app's runs folder."""
    from modelkit.paths import runs_root
    from modelkit.runs import write_run_project

    run_id = "20260101-000000-image-test"
    write_run_project(runs_root() / run_id, 1)
    train_image(image_config("digits", batch_size=32), runs_root() / run_id)
    return run_id


def test_the_page_opens_on_the_bundled_digits_with_the_data_check_before_any_training():
    import torchvision  # noqa: F401 - the background import has finished, so the comparison form is drawn

    at = open_page()

    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Classes"] == "10" and metrics["Skipped files"] == "0"
    shown = [int(metrics[name].replace(",", "")) for name in ("Training images", "Validation images")]
    assert sum(shown) == 1797 and metrics["Training images"] == "1,438"  # counts with thousands separators
    assert [b.label for b in at.main.button] == ["Start training", "Compare models on this data"]


DATA_SECTION = ("data_path_from_widgets", "checked_report", "check_data", "show_report", "training_config")


def test_the_first_render_shows_the_data_check_without_loading_torch(app_data_dir):
    # a fresh interpreter with the background import off; a finder notes who first imports each heavy library:
    # none may be the data section (torch alone takes 3-10 s on a busy 2-core machine). Sections below it that
    # truly need torch (Compare models lists the torchvision backbones) come after the data is on screen.
    code = f"""
import json, sys, traceback
first = {{}}
class Spy:
    def find_spec(self, name, path, target=None):
        if name in ("torch", "torchvision", "sklearn", "transformers") and name not in first:
            first[name] = [frame.name for frame in traceback.extract_stack()]
sys.meta_path.insert(0, Spy())
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({APP!r}, default_timeout=120).run()
at.switch_page({PAGE!r}).run()
imported = {{name: stack for name, stack in first.items() if name in sys.modules}}  # not a mere find_spec
print(json.dumps([[m.label for m in at.metric], [str(e) for e in at.exception], imported,
                  [b.label for b in at.main.button]]))
"""
    env = {**os.environ, "APP_DATA_DIR": str(app_data_dir), "APP_OFFLINE": "1", "APP_WARM_IMPORTS": "0"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)

    metrics, errors, first, buttons = json.loads(result.stdout.strip().splitlines()[-1])
    assert errors == [] and "Training images" in metrics
    assert {name: [f for f in stack if f in DATA_SECTION] for name, stack in first.items()} == {
        name: [] for name in first}
    assert "sklearn" not in first  # the digits come from scikit-learn's file, not its import
    # nothing on a fresh page needs the model library: the comparison form waits behind a button
    assert "torch" not in first and "torchvision" not in first, {name: stack[-6:] for name, stack in first.items()}
    assert buttons == ["Start training", "Set up a comparison"]


def test_a_torchvision_set_that_is_not_downloaded_shows_a_clear_error_not_a_trace():
    at = open_page()

    at.radio(key="img_source").set_value("torchvision").run()
    at.selectbox(key="img_tv_set").set_value("cifar10").run()

    assert not at.exception
    assert "not downloaded" in texts(at) and not at.main.button


def test_a_finished_run_shows_metrics_confusion_matrix_demo_and_compression(finished_run):
    at = open_page()

    labels = [m.label for m in at.metric]
    assert "Accuracy" in labels and "Macro-F1" in labels
    assert len(at.get("plotly_chart")) >= 3  # loss, accuracy, confusion matrix
    assert "random init" in texts(at)
    assert "FormSubmitter:img_compress_form-Start compression job" in {b.key for b in at.button}
    assert [t.label for t in at.tabs] == ["Upload an image", "Camera", "Batch (zip -> CSV)"]


def test_starting_a_run_queues_a_background_job_that_the_cancel_button_stops():
    from modelkit import jobs

    at = open_page()
    at.button(key="img_start").click().run()
    assert not at.exception, at.exception
    [run_id] = [job["run_id"] for job in jobs.list_queue()]

    at.button(key="img_cancel").click().run()

    final = jobs.wait(run_id, timeout_s=120)
    assert final["state"] == "cancelled"


def test_an_int8_job_started_from_the_compress_form_fills_the_table(finished_run):
    from modelkit import jobs

    at = open_page()
    at.selectbox(key="img_compress_method").set_value("int8")
    at.button(key="FormSubmitter:img_compress_form-Start compression job").click().run()
    assert not at.exception, at.exception

    final = jobs.wait(finished_run, timeout_s=300)
    assert final["state"] == "done", final.get("error")
    at.run()
    table = next(frame.value for frame in at.dataframe if "p50 ms (b=1)" in frame.value.columns)
    assert list(table["method"]) == ["fp32", "int8-static"]


def test_the_settings_start_from_the_digits_suggestions_and_a_short_run_is_said_before_the_start():
    from modelkit.defaults import image_defaults

    at = open_page()
    suggested = image_defaults(train_rows=1_438, classes=10, pretrained=False, on_gpu=False)

    assert at.number_input(key="img_epochs").value == suggested.epochs
    assert at.number_input(key="img_lr").value == suggested.learning_rate
    assert "the first run measures its speed" in texts(at).replace("\\", "")
    at.number_input(key="img_max_steps").set_value(3).run()
    assert any("less than one pass over the 1,438 training rows" in w.value for w in at.warning)


def test_the_predicted_time_comes_from_the_last_run_of_the_same_model_here(finished_run):
    at = open_page()

    said = texts(at).replace("\\", "")
    assert "Predicted training time here: about" in said and "past run(s) of small_cnn" in said


def test_uploaded_file_names_in_the_data_checks_warnings_are_shown_as_typed_not_as_markdown():
    def page():
        from ui.models.image_view import show_report

        show_report({"classes": ["a", "b"], "train_counts": {"a": 5, "b": 5}, "val_counts": {"a": 1, "b": 1},
                     "skipped": [], "split": "automatic", "stored_size": 32, "channels": 3,
                     "warnings": ["1 file(s) skipped: **[click](http://evil)**.png"]})

    at = AppTest.from_function(page).run()

    from ui.text import plain

    assert at.warning[0].value == plain("1 file(s) skipped: **[click](http://evil)**.png")


def upload_zip(at: AppTest, name: str, raw: bytes) -> AppTest:
    at.radio(key="img_source").set_value("zip").run()
    at.file_uploader(key="img_upload").set_value((name, raw, "application/zip"))
    return at.run()


def test_a_zip_with_one_class_folder_says_so_and_leaves_nothing_in_uploads(app_data_dir):
    from tests.image_builders import png_bytes, zip_of

    ants = zip_of({f"ants/{i}.png": png_bytes((9, 9, 9), seed=i) for i in range(3)})

    at = upload_zip(open_page(), "ants.zip", ants)

    assert not at.exception, at.exception
    [error] = [e.value.replace("\\", "") for e in at.error]
    assert error.startswith("found 1 class folder ('ants'); need at least 2")
    assert list((app_data_dir / "uploads").iterdir()) == []


def test_a_zip_bomb_is_refused_on_the_page_and_leaves_nothing_in_uploads(app_data_dir):
    from tests.image_builders import zip_of

    bomb = zip_of({"cats/a.bmp": bytes(32 * 1024 * 1024), "dogs/b.bmp": bytes(8)})

    at = upload_zip(open_page(), "photos.zip", bomb)

    assert not at.exception, at.exception
    assert "the limit is 100:1" in at.error[0].value.replace("\\", "")
    assert list((app_data_dir / "uploads").iterdir()) == []
