"""AppTest of the investor view (pages/investor.py), opened on its own until app.py registers it."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from business.limits import DEMO_LIMITS, DEMO_PREDICTIONS, RateLimit
from tests.apptest_helpers import TIMEOUT_S, texts
from ui.text import plain

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "investor.py")
DOWNLOADS = ("investor_download_html", "investor_download_pdf", "investor_download_pptx")


def open_investor_view() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def tiny_text_run(tmp_path_factory):
    """A finished 2-step tiny BERT run (random weights): enough for a demo box, trained once."""
    from tests.text_builders import train_tiny

    run = tmp_path_factory.mktemp("investor") / "run"
    train_tiny(run)
    return run


def test_the_investor_view_shows_the_headline_numbers_with_their_sources_and_the_downloads():
    at = open_investor_view()
    labels = [m.label for m in at.metric]
    assert labels == ["Cost to train", "Cost to serve", "Gross margin", "Runway today", "Break-even"]
    assert all(m.value != "—" for m in at.metric)
    page = texts(at)
    assert "cost estimator" in page and "base scenario" in page
    assert "financial assumptions version 1" in at.caption[0].value
    assert "**Value Propositions**" in page  # the canvas grid
    assert len(at.get("plotly_chart")) == 3
    assert [b.key for b in at.get("download_button")] == list(DOWNLOADS)


def test_without_runs_the_investor_view_says_so_and_offers_no_demo():
    at = open_investor_view()
    page = texts(at)
    assert "No text run yet" in page and "No image run yet" in page
    assert not [b for b in at.button if b.label == "Classify"]


def test_the_investor_view_has_no_control_that_saves():
    at = open_investor_view()
    labels = [b.label for b in at.button]
    assert not [label for label in labels if "Save" in label or "Delete" in label or "Restore" in label]
    assert not at.text_input and not at.number_input


def test_an_investor_classifies_a_text_with_the_best_run(tiny_text_run, app_data_dir):
    _install_run(tiny_text_run, app_data_dir)
    at = open_investor_view()
    assert "Run tiny" in texts(at)
    [box] = [t for t in at.text_area if t.key.startswith("investor_demo_text")]
    box.set_value("I was charged twice this month")
    [classify] = [b for b in at.button if b.label == "Classify"]
    classify.click().run()
    assert not at.exception, at.exception
    assert "probability" in at.get("progress")[0].proto.text
    assert f"{DEMO_PREDICTIONS - 1} demo predictions left in this 10-minute window." in texts(at)


def classify(at: AppTest, text: str) -> AppTest:
    [box] = [t for t in at.text_area if t.key.startswith("investor_demo_text")]
    box.set_value(text)
    [button] = [b for b in at.button if b.label == "Classify"]
    button.click().run()
    assert not at.exception, at.exception
    return at


def test_demo_predictions_past_the_account_limit_are_refused_in_a_new_session_too(tiny_text_run, app_data_dir,
                                                                                   monkeypatch):
    _install_run(tiny_text_run, app_data_dir)
    monkeypatch.setitem(DEMO_LIMITS, "account", RateLimit(max_calls=1, window_s=600))
    first = classify(open_investor_view(), "Where is my invoice?")
    assert "0 demo predictions left in this 10-minute window." in texts(first)

    second = classify(open_investor_view(), "Where is my invoice?")  # a fresh browser session

    assert second.error[0].value.startswith(plain("Too many demo predictions from this account: 1 in the last 10 "
                                                  "minutes (the limit is 1); 0 left in this window. Try again in"))
    assert not second.get("progress")


def _install_run(run: Path, app_data_dir: Path) -> None:
    """The trained run, linked into this test's runs folder under the id "tiny", shown to investors of the
    example project."""
    from tests.report_builders import feature_for_investors

    runs = app_data_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    (runs / "tiny").symlink_to(run, target_is_directory=True)
    feature_for_investors(app_data_dir, "tiny")


def test_a_batch_prediction_over_the_row_limit_is_refused_before_predicting(tiny_text_run):
    from modelkit.text.data import DataError
    from modelkit.text.predict import Predictor

    predictor = Predictor.from_run(tiny_text_run)
    table = b"text\nrefund please\nlogin broken\nwhere is my invoice\n"
    with pytest.raises(DataError, match="3 rows; batch predictions here take at most 2"):
        predictor.predict_table(table, "batch.csv", max_rows=2)
    assert len(predictor.predict_table(table, "batch.csv", max_rows=3)) == 3


def test_a_several_column_batch_over_the_row_limit_is_refused_too(tiny_text_run):
    from modelkit.text.data import DataError
    from modelkit.text.predict import Predictor

    table = b"id,text\n1,refund please\n2,login broken\n3,where is my invoice\n"
    with pytest.raises(DataError, match="3 rows"):
        Predictor.from_run(tiny_text_run).predict_table(table, "batch.csv", max_rows=2)
