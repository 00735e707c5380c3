"""The investor summary: headline numbers with their sources, best runs, and young projects."""
import errno
import os
from pathlib import Path

import pytest

from business.reports.summary import ReportError
from business.store import Store
from tests.report_builders import saved_example, summary_of, write_run

LABELS = ("Cost to train", "Cost to serve", "Gross margin", "Runway today", "Break-even")


def test_the_example_project_has_every_headline_number_with_its_source(tmp_path):
    store, project_id = saved_example(tmp_path)
    summary = summary_of(store, project_id, tmp_path / "runs")
    assert [h.label for h in summary.headlines] == list(LABELS)
    for headline in summary.headlines:
        assert headline.value != "—", headline
        assert headline.source
    assert "cost estimator" in summary.headline("Cost to train").source
    assert "no text run yet" in summary.headline("Cost to train").source
    assert summary.headline("Gross margin").value.endswith("%")
    assert "base scenario" in summary.headline("Runway today").source
    assert summary.data_version() == "canvas version 1, financial assumptions version 1"
    assert "2026-11-29" in summary.stamp()


def test_the_summary_carries_the_canvas_and_its_value_propositions(tmp_path):
    store, project_id = saved_example(tmp_path)
    summary = summary_of(store, project_id, tmp_path / "runs")
    assert summary.project_name == "TicketSense"
    assert summary.value_propositions
    assert summary.canvas.items("customer_segments")
    assert summary.model is not None


def test_a_project_without_assumptions_says_what_is_missing_instead_of_failing(tmp_path):
    store, project_id = saved_example(tmp_path, with_assumptions=False)
    summary = summary_of(store, project_id, tmp_path / "runs")
    assert summary.headline("Gross margin").value == "—"
    assert summary.headline("Runway today").source == "no financial assumptions saved yet"
    assert "no financial assumptions saved" in summary.headline("Cost to serve").source
    assert summary.model is None
    assert summary.best_runs == {"text": None, "image": None}


def test_an_empty_project_gets_a_summary_that_says_there_are_no_revenue_streams(tmp_path):
    store = Store(tmp_path / "founder.db")
    project = store.create_project("Empty")
    summary = summary_of(store, project.id, tmp_path / "runs")
    assert summary.headline("Break-even").source == "no revenue streams on the canvas yet"
    assert summary.data_version() == "canvas not saved yet, financial assumptions not saved yet"


def test_the_best_run_per_task_is_the_most_accurate_and_prices_the_training(tmp_path):
    store, project_id = saved_example(tmp_path)
    runs = tmp_path / "runs"
    write_run(runs, "text-a", accuracy=0.81)
    write_run(runs, "text-b", accuracy=0.93)
    write_run(runs, "image-a", task="image", accuracy=0.88)
    (runs / "still-training").mkdir()
    summary = summary_of(store, project_id, runs)
    assert summary.best_runs["text"].run_id == "text-b"
    assert summary.best_runs["image"].run_id == "image-a"
    assert "accuracy 93.0 %" in summary.best_runs["text"].metrics_line()
    source = summary.headline("Cost to train").source
    assert "run text-b" in source and "614,400 tokens trained" in source


def test_an_unreadable_run_card_is_skipped_with_a_note(tmp_path):
    store, project_id = saved_example(tmp_path)
    runs = tmp_path / "runs"
    (runs / "broken").mkdir(parents=True)
    (runs / "broken" / "run_card.json").write_text("{not json")
    summary = summary_of(store, project_id, runs)
    assert summary.best_runs["text"] is None
    assert any("broken" in note for note in summary.notes)


def test_a_run_card_that_cannot_be_opened_is_skipped_with_a_note_that_names_no_server_path(tmp_path, monkeypatch):
    store, project_id = saved_example(tmp_path)
    card = tmp_path / "runs" / "locked" / "run_card.json"
    card.parent.mkdir(parents=True)
    card.write_text("{}")
    card.chmod(0)
    if os.access(card, os.R_OK):  # root reads anything: raise the OSError the read would raise otherwise
        def refuse(path, *args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        monkeypatch.setattr(Path, "read_text", refuse)

    notes = summary_of(store, project_id, tmp_path / "runs").notes

    [note] = [n for n in notes if "locked" in n]
    assert note == "Run locked was skipped: its run card cannot be read (Permission denied)."
    assert str(tmp_path) not in " ".join(notes)


def test_an_unknown_project_is_refused_with_its_id(tmp_path):
    store = Store(tmp_path / "founder.db")
    with pytest.raises(ReportError, match="project 42"):
        summary_of(store, 42, tmp_path / "runs")
