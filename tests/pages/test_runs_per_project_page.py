"""Runs per project on the pages (AppTest): a new project lists none of the example project's runs, older runs
are offered for adoption, and the run the founder shows to investors is the one the investor view shows."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from business.store import Store
from tests.apptest_helpers import texts
from tests.report_builders import write_run
from ui import keys
from ui.session import seed_example_project

PAGES = Path(__file__).resolve().parents[2] / "pages"
SHORT = {"config": {"epochs": 1, "max_steps": 16, "batch_size": 16, "max_length": 128},
         "training": {"global_step": 16, "steps_per_epoch": 32, "stopped_by": "max_steps"}}


def example_store(app_data_dir: Path) -> tuple[Store, int]:
    store = Store(app_data_dir / "founder.db")
    return store, seed_example_project(store)


def open_page(name: str, project_id: int) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=120)
    at.session_state[keys.PROJECT_ID] = project_id
    at.run()
    assert not at.exception, at.exception
    return at


def said(at: AppTest) -> str:
    """What the page says, with the Markdown escapes of ui.text.plain taken out."""
    return texts(at).replace("\\", "")


def run_picker(at: AppTest):
    return next((box for box in at.selectbox if box.label == "Run"), None)


def test_a_new_projects_text_page_lists_no_run_of_the_example_project(app_data_dir):
    store, example = example_store(app_data_dir)
    write_run(app_data_dir / "runs", "examplerun", project_id=example)
    new = store.create_project("Brand new").id

    at = open_page("text_classifier.py", new)

    assert run_picker(at) is None
    assert "No text run in this project yet." in said(at)
    assert "examplerun" not in said(at)
    example_picker = run_picker(open_page("text_classifier.py", example))
    assert example_picker.options == ["examplerun - bundled all-MiniLM-L6-v2 - done"]


def test_a_run_from_before_projects_is_offered_and_adopted_into_the_project(app_data_dir):
    _, example = example_store(app_data_dir)
    write_run(app_data_dir / "runs", "oldrun", project_id=None)
    at = open_page("text_classifier.py", example)
    assert run_picker(at) is None

    at.multiselect(key="text_adopt_pick").set_value(["oldrun"]).run()
    at.button(key="text_adopt").click().run()

    assert not at.exception, at.exception
    assert "Adopted 1 run(s) into this project." in said(at)
    assert run_picker(at).value == "oldrun"


def test_showing_a_short_run_to_investors_changes_the_investor_view_and_it_says_it_is_short(app_data_dir):
    _, example = example_store(app_data_dir)
    write_run(app_data_dir / "runs", "complete", accuracy=0.91, project_id=example)
    write_run(app_data_dir / "runs", "smoke", accuracy=0.53, project_id=example, **SHORT)
    before = said(open_page("investor.py", example))
    assert "Run complete" in before and "Run smoke" not in before

    at = open_page("text_classifier.py", example)
    run_picker(at).set_value("smoke").run()
    assert "Short run: stopped by max" in said(at)
    at.button(key="text_feature").click().run()

    assert not at.exception, at.exception
    assert "Investors now see run smoke" in said(at)
    after = said(open_page("investor.py", example))
    assert "Run smoke" in after and "SHORT RUN" in after and "Run complete" not in after
