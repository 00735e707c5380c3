"""Fault injection: every write path on a full and on a read-only data folder says so in one sentence,
shows no traceback and leaves nothing half-written (row counts and files the same before and after).

How the folder is made full or read-only (a real small tmpfs where the machine allows, else chmod or a
patched write raising the real error): tests/broken_folders.py. Kill -9 of training and of its
supervisor, and a crash in the middle of a checkpoint, are in tests/modelkit/test_faults.py.
"""
from __future__ import annotations

import copy
import errno
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from business.canvas.json_io import canvas_from_dict
from business.example_project import EXAMPLE_CANVAS
from business.project_file import ProjectFile, export_project
from business.store import DataFolderError, Store
from modelkit.paths import example_dataset_path
from tests.apptest_helpers import open_app, submit, widget
from tests.broken_folders import (FULL, READ_ONLY, SAID, DataFolder, assert_said_clearly, break_folder,
                                  close_folder, open_folder, snapshot, unescaped)

ROOT = Path(__file__).resolve().parent.parent
KINDS = pytest.mark.parametrize("kind", [FULL, READ_ONLY])


@pytest.fixture
def folder(tmp_path, monkeypatch):
    opened = open_folder(tmp_path / "data")
    monkeypatch.setenv("APP_DATA_DIR", str(opened.path))
    yield opened
    close_folder(opened)


def example_app(folder: DataFolder, page: str | None = None):
    """The app opened (and its example project seeded) while the folder is still writable."""
    at = open_app(page)
    assert folder.db.exists()
    return at


# -- the store itself ---------------------------------------------------------------------------------
@KINDS
def test_a_store_write_on_a_broken_folder_raises_one_clear_error_and_keeps_the_real_cause(folder, kind,
                                                                                         monkeypatch):
    store = Store(folder.db)
    project = store.create_project("Acme")
    store.save(project.id, "canvas", {"v": 1}, None)
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)

    with pytest.raises(DataFolderError, match=re.escape(SAID[kind])) as caught:
        store.save(project.id, "canvas", {"v": 2, "pad": "x" * 100_000}, 1)
    cause = str(caught.value.__cause__)
    assert "cannot rollback" not in cause
    assert cause in ("database or disk is full", "attempt to write a readonly database")
    assert snapshot(folder) == before


def test_when_sqlite_already_rolled_back_the_disk_full_error_is_kept(folder, monkeypatch):
    """A full disk makes SQLite roll back by itself; a second ROLLBACK must not replace the real error."""
    store = Store(folder.db)
    project = store.create_project("Acme")
    connect = sqlite3.connect

    class FullAfterRollback(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith("INSERT"):
                super().execute("ROLLBACK")  # what SQLite does itself on SQLITE_FULL
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, factory=FullAfterRollback, **k))
    with pytest.raises(DataFolderError, match=re.escape(SAID[FULL])) as caught:
        store.save(project.id, "canvas", {"v": 1}, None)
    assert str(caught.value.__cause__) == "database or disk is full"


def test_a_disk_that_fills_up_after_the_project_row_leaves_no_empty_imported_project(folder, monkeypatch):
    """The project row fits, its canvas does not: creating and filling it is one transaction."""
    from business.project_file import save_as_new_project

    store = Store(folder.db)
    store.create_project("Acme")
    before = snapshot(folder)
    connect = sqlite3.connect

    class FullAtTheFirstVersion(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith("INSERT INTO versions"):
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, factory=FullAtTheFirstVersion, **k))
    with pytest.raises(DataFolderError, match=re.escape(SAID[FULL])):
        save_as_new_project(store, ProjectFile("Imported Co", canvas_from_dict(EXAMPLE_CANVAS)), "Imported")
    monkeypatch.setattr(sqlite3, "connect", connect)
    assert [p.name for p in store.list_projects(include_deleted=True)] == ["Acme"]
    assert snapshot(folder) == before


# -- every write path of the app, through the pages ---------------------------------------------------
@KINDS
def test_sidebar_create_on_a_broken_folder_says_so_and_creates_nothing(folder, kind, monkeypatch):
    at = example_app(folder)
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)
    at.sidebar.text_input(key="new_project_name").set_value("Second startup")
    submit(at, "Create")
    assert_said_clearly(at, folder)
    assert snapshot(folder) == before
    assert len(at.sidebar.selectbox(key="project_id").options) == 1


@KINDS
def test_sidebar_rename_and_delete_on_a_broken_folder_say_so_and_change_nothing(folder, kind, monkeypatch):
    at = example_app(folder)
    at.sidebar.text_input(key="new_project_name").set_value("Second startup")
    submit(at, "Create")
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)
    [rename] = [t for t in at.sidebar.text_input if t.key.startswith("rename_project_name_")]
    rename.set_value("Renamed")
    submit(at, "Rename")
    assert_said_clearly(at, folder)
    [confirm] = [c for c in at.sidebar.checkbox if c.key.startswith("delete_project_confirm_")]
    confirm.check()
    submit(at, "Delete")
    assert_said_clearly(at, folder)
    assert snapshot(folder) == before
    assert at.title[0].value == "Second startup"


@KINDS
@pytest.mark.parametrize("mode", ["a new project", "new versions of the current project"])
def test_import_on_a_broken_folder_imports_nothing_and_says_why(folder, kind, mode, monkeypatch):
    at = example_app(folder, "pages/import_export.py")
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)
    edited = copy.deepcopy(EXAMPLE_CANVAS)
    edited["blocks"]["channels"][0]["text"] = "Imported channel"  # so "new versions" has something to save
    raw = export_project(ProjectFile("Imported Co", canvas_from_dict(edited))).encode()
    at.file_uploader(key="import_file").upload("project.json", raw, "application/json").run()
    at.radio(key="import_mode").set_value(mode).run()
    submit(at, "Import")
    assert_said_clearly(at, folder)
    assert "Nothing was imported" in unescaped(at.error[0].value)
    assert snapshot(folder) == before
    assert len(at.sidebar.selectbox(key="project_id").options) == 1


@KINDS
def test_a_canvas_save_on_a_broken_folder_keeps_the_old_version_and_says_so(folder, kind, monkeypatch):
    at = example_app(folder)
    at.selectbox(key="canvas_block").set_value("channels").run()
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)
    widget(at.text_input, "_3_text").set_value("Partner webinars")
    submit(at, "Save Channels")
    assert_said_clearly(at, folder)
    assert snapshot(folder) == before


@KINDS
def test_history_restore_keep_and_discard_on_a_broken_folder_change_nothing(folder, kind, monkeypatch):
    at = example_app(folder)
    store = Store(folder.db)
    second, draft = copy.deepcopy(store.load_latest(1, "canvas").payload), copy.deepcopy(EXAMPLE_CANVAS)
    second["blocks"]["channels"][0]["text"] = "Second"
    draft["blocks"]["channels"][0]["text"] = "Draft"
    store.save(1, "canvas", second, 1)
    with pytest.raises(ValueError):  # a stale save: kept as a draft, listed on History
        store.save(1, "canvas", draft, 1)
    at.switch_page("pages/history.py").run()
    at.selectbox(key="view_version").set_value(1).run()
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)
    for button in ("Restore version 1", "Save this draft as the new version", "Discard this draft"):
        submit(at, button)
        assert_said_clearly(at, folder)
    assert snapshot(folder) == before


@KINDS
def test_a_financials_save_on_a_broken_folder_keeps_the_saved_assumptions(folder, kind, monkeypatch):
    at = example_app(folder, "pages/financials.py")
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)
    widget(at.number_input, "_seg_0_churn").set_value(7.5)
    submit(at, "Save assumptions")
    assert_said_clearly(at, folder)
    assert snapshot(folder) == before


@KINDS
def test_a_negotiated_price_on_a_broken_folder_is_not_saved_and_says_so(folder, kind, monkeypatch):
    at = example_app(folder, "pages/costs.py")
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)
    at.text_input(key="costs_price_provider").set_value("Acme Cloud")
    at.text_input(key="costs_price_instance").set_value("1x H100 negotiated")
    at.selectbox(key="costs_price_gpu").set_value("H100 SXM 80GB")
    widget(at.number_input, "costs_price_usd_per_hour").set_value(0.10)
    submit(at, "Save my price")
    assert_said_clearly(at, folder)
    assert snapshot(folder) == before


@KINDS
def test_an_upload_on_a_broken_folder_leaves_no_partial_file(folder, kind, monkeypatch):
    at = example_app(folder, "pages/text_classifier.py")
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)
    rows = "text,label\n" + "".join(f"ticket number {i} about billing,billing\n" for i in range(20_000))
    at.radio(key="text_source").set_value("Upload CSV / TSV / JSONL").run()
    at.file_uploader(key="text_upload").upload("tickets.csv", rows.encode(), "text/csv").run()
    assert_said_clearly(at, folder)
    assert "Could not store the upload" in unescaped(at.error[0].value)
    assert snapshot(folder) == before


@KINDS
def test_a_training_job_submitted_on_a_broken_folder_leaves_no_half_made_run(folder, kind, monkeypatch):
    from modelkit import jobs

    Store(folder.db)
    jobs.advance_queue(folder.path / "runs")  # a runs folder as the app leaves it: with its queue lock
    before = snapshot(folder)
    break_folder(folder, kind, monkeypatch)
    with pytest.raises(OSError) as caught:
        jobs.submit(jobs.JobSpec(config={"model_name": "tiny-bert", "max_steps": 1}, project_id=1))
    assert caught.value.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES)
    assert snapshot(folder) == before
    assert [p.name for p in (folder.path / "runs").iterdir()] == [".queue.lock"]  # no run folder


@KINDS
def test_the_app_on_a_first_start_in_a_broken_empty_folder_says_so(folder, kind, monkeypatch):
    break_folder(folder, kind, monkeypatch)
    if not folder.real:
        pytest.skip("needs a real fault: a size-limited mount, or chmod as a user other than root")
    from streamlit.testing.v1 import AppTest
    from tests.apptest_helpers import APP

    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    message = unescaped(at.error[0].value)
    assert message.startswith("Could not open the projects database") and SAID[kind] in message
    assert str(folder.path) not in message


@KINDS
def test_a_rate_limit_that_cannot_be_counted_refuses_the_call_with_a_clear_message(folder, kind, monkeypatch):
    """Sign-in attempts and demo predictions are counted in the data folder: a limit that cannot be
    counted is not lifted, and the refusal says why."""
    from business.limits import LimitError, RateLimit
    from business.rate_limits import Bucket, SharedLimiter

    limiter = SharedLimiter(folder.path / "limits.db")
    bucket = Bucket("this session", "session:abc", RateLimit(max_calls=5, window_s=60))
    limiter.admit("demo predictions", [bucket])
    break_folder(folder, kind, monkeypatch)
    with pytest.raises(LimitError, match=re.escape(SAID[kind])) as caught:
        limiter.admit("demo predictions", [bucket])
    assert "Could not count this call (demo predictions)" in str(caught.value)


@KINDS
def test_the_training_cli_on_a_broken_folder_exits_with_one_line_and_no_traceback(folder, kind, monkeypatch):
    """A real process: `python -m modelkit train` writing its run folder into the broken data folder."""
    Store(folder.db)
    break_folder(folder, kind, monkeypatch)
    if not folder.real:
        pytest.skip("needs a real fault: a size-limited mount, or chmod as a user other than root")
    done = subprocess.run([sys.executable, "-m", "modelkit", "train", "--data", str(example_dataset_path()),
                           "--model", "tiny-bert", "--max-steps", "1", "--device", "cpu",
                           "--run-dir", str(folder.path / "runs" / "cli")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    said = done.stderr.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("error:"), done.stderr
    assert ("No space left" if kind == FULL else "Read-only file system" if folder.mounted else "Permission denied") \
        in said[0]
