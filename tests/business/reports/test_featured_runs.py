"""The runs investors see: the project's own, the founder's choice saved with history, never a short run by
default."""
from __future__ import annotations

import pytest

from business.reports.featured import FeaturedRunError, feature_run, featured_history, load_featured
from tests.report_builders import saved_example, summary_of, write_run

SHORT = {"config": {"epochs": 1, "max_steps": 16, "batch_size": 16, "max_length": 128},
         "training": {"global_step": 16, "steps_per_epoch": 32, "stopped_by": "max_steps"}}


def test_a_new_project_shows_none_of_the_example_projects_runs(tmp_path):
    store, example = saved_example(tmp_path)
    write_run(tmp_path / "runs", "example-text", project_id=example)
    write_run(tmp_path / "runs", "example-image", task="image", project_id=example)
    new = store.create_project("Brand new").id

    summary = summary_of(store, new, tmp_path / "runs")

    assert summary.best_runs == {"text": None, "image": None}
    assert "example-text" not in summary.headline("Cost to train").source
    assert "no text run yet" in summary.headline("Cost to train").source


def test_runs_made_before_projects_were_recorded_are_shown_on_no_investor_view(tmp_path):
    store, example = saved_example(tmp_path)
    write_run(tmp_path / "runs", "from-before", project_id=None)

    assert summary_of(store, example, tmp_path / "runs").best_runs["text"] is None


def test_a_renamed_project_keeps_its_runs(tmp_path):
    store, example = saved_example(tmp_path)
    write_run(tmp_path / "runs", "ours", project_id=example)

    store.rename_project(example, "TicketSense Inc.")

    assert summary_of(store, example, tmp_path / "runs").best_runs["text"].run_id == "ours"


def test_a_short_run_never_becomes_the_headline_by_default(tmp_path):
    store, example = saved_example(tmp_path)
    write_run(tmp_path / "runs", "smoke", accuracy=0.97, project_id=example, **SHORT)
    write_run(tmp_path / "runs", "real", accuracy=0.81, project_id=example)

    run = summary_of(store, example, tmp_path / "runs").best_runs["text"]

    assert run.run_id == "real" and not run.featured


def test_with_only_short_runs_there_is_no_headline_run_and_the_summary_says_why(tmp_path):
    store, example = saved_example(tmp_path)
    write_run(tmp_path / "runs", "smoke", project_id=example, **SHORT)

    summary = summary_of(store, example, tmp_path / "runs")

    assert summary.best_runs["text"] is None
    assert any("No complete text run yet" in note for note in summary.notes)


def test_the_featured_run_is_shown_even_if_short_and_says_it_is_short(tmp_path):
    store, example = saved_example(tmp_path)
    write_run(tmp_path / "runs", "smoke", accuracy=0.53, project_id=example, **SHORT)
    write_run(tmp_path / "runs", "real", accuracy=0.91, project_id=example)

    feature_run(store, example, "text", "smoke")
    summary = summary_of(store, example, tmp_path / "runs")

    run = summary.best_runs["text"]
    assert run.run_id == "smoke" and run.featured
    assert run.metrics_line().startswith("SHORT RUN: stopped by max_steps at step 16")
    assert "run smoke" in summary.headline("Cost to train").source


def test_the_featured_choice_is_saved_with_history_and_can_go_back_to_automatic(tmp_path):
    store, example = saved_example(tmp_path)

    feature_run(store, example, "text", "run-a")
    feature_run(store, example, "image", "run-b")
    feature_run(store, example, "text", None)

    assert load_featured(store, example).text is None
    assert load_featured(store, example).image == "run-b"
    assert [v.message for v in featured_history(store, example)] == [
        "Pick the text run for investors automatically", "Show image run run-b to investors",
        "Show text run run-a to investors"]
    assert featured_history(store, example)[-1].payload == {"text": "run-a", "image": None}


def test_a_featured_choice_is_per_project(tmp_path):
    store, example = saved_example(tmp_path)
    other = store.create_project("Other").id

    feature_run(store, example, "text", "run-a")

    assert load_featured(store, other).text is None


def test_a_featured_run_that_is_gone_falls_back_to_the_best_complete_run_with_a_note(tmp_path):
    store, example = saved_example(tmp_path)
    write_run(tmp_path / "runs", "real", project_id=example)
    feature_run(store, example, "text", "deleted-run")

    summary = summary_of(store, example, tmp_path / "runs")

    assert summary.best_runs["text"].run_id == "real"
    assert any("deleted-run is gone" in note for note in summary.notes)


@pytest.mark.parametrize("task, run_id, message", [("audio", "r1", "task 'audio'"), ("text", "../etc", "'../etc'"),
                                                    ("text", "", "''")])
def test_a_bad_featured_choice_is_refused_with_the_bad_value(tmp_path, task, run_id, message):
    store, example = saved_example(tmp_path)

    with pytest.raises(FeaturedRunError, match=message.replace(".", r"\.")):
        feature_run(store, example, task, run_id)
    assert featured_history(store, example) == []


def test_featuring_the_run_already_featured_makes_no_new_version(tmp_path):
    store, example = saved_example(tmp_path)
    feature_run(store, example, "text", "run-a")

    with pytest.raises(FeaturedRunError, match="already"):
        feature_run(store, example, "text", "run-a")
    assert len(featured_history(store, example)) == 1
