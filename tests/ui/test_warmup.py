"""The background import (ui/warmup.py) gives way to the pages being drawn, and never waits for ever."""
from __future__ import annotations

import sys
import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import APP, TIMEOUT_S, open_app, texts
from ui import warmup


def waiting_thread(pages: warmup._Pages) -> threading.Event:
    done = threading.Event()
    threading.Thread(target=lambda: (pages.give_way(), done.set()), daemon=True).start()
    return done


def test_the_background_import_goes_on_at_once_when_no_page_is_drawn():
    started = time.monotonic()
    warmup._Pages().give_way()
    assert time.monotonic() - started < 0.5


def test_the_background_import_waits_until_the_page_is_drawn():
    pages = warmup._Pages()
    with pages.drawing():
        done = waiting_thread(pages)
        assert not done.wait(0.3)
    assert done.wait(5)


def test_after_a_page_is_drawn_the_background_import_lets_the_browser_draw_it_first(monkeypatch):
    monkeypatch.setattr(warmup, "QUIET_S", 0.3)
    pages = warmup._Pages()
    with pages.drawing():
        pass
    started = time.monotonic()
    pages.give_way()
    assert 0.25 < time.monotonic() - started < 3


def test_a_page_that_needs_the_model_library_lets_the_background_import_go_on():
    pages = warmup._Pages()
    with pages.drawing():
        done = waiting_thread(pages)
        assert not done.wait(0.3)
        with pages.needing_models():
            assert done.wait(5)


def test_the_background_import_waits_for_a_long_page_only_so_long(monkeypatch):
    # a page waiting for a module whose import lock the paused thread holds must not wait for ever
    monkeypatch.setattr(warmup, "MAX_GIVE_WAY_S", 0.2)
    pages = warmup._Pages()
    with pages.drawing():
        started = time.monotonic()
        pages.give_way()
        assert 0.15 < time.monotonic() - started < 3


@pytest.fixture
def slow_package(tmp_path, monkeypatch):
    """A package with a submodule, unknown to this interpreter, standing in for torch."""
    package = tmp_path / "warm_probe_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from . import part\n")
    (package / "part.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "warm_probe_pkg"
    for name in ("warm_probe_pkg", "warm_probe_pkg.part"):
        sys.modules.pop(name, None)


def test_the_model_stage_imports_nothing_while_a_page_is_drawn(slow_package, monkeypatch):
    pages = warmup._Pages()
    monkeypatch.setattr(warmup, "PAGES", pages)
    monkeypatch.setattr(warmup, "PAGE_LIBRARIES", ())
    monkeypatch.setattr(warmup, "MODEL_LIBRARIES", (slow_package,))
    monkeypatch.setattr(warmup, "MAX_GIVE_WAY_S", 60)
    with pages.drawing():
        thread = threading.Thread(target=warmup._import_all, daemon=True)
        thread.start()
        thread.join(0.3)
        assert slow_package not in sys.modules
    thread.join(10)
    assert f"{slow_package}.part" in sys.modules
    assert not any(isinstance(finder, warmup._GiveWayFinder) for finder in sys.meta_path)


def test_the_background_import_starts_once_per_process(monkeypatch):
    monkeypatch.setenv("APP_WARM_IMPORTS", "1")
    monkeypatch.setattr(warmup, "_started", False)
    monkeypatch.setattr(warmup, "PAGE_LIBRARIES", ())
    monkeypatch.setattr(warmup, "MODEL_LIBRARIES", ())
    first = warmup.warm_libraries()
    assert first is not None
    first.join(10)
    assert warmup.warm_libraries() is None


def test_the_background_import_is_off_when_asked(monkeypatch):
    monkeypatch.setenv("APP_WARM_IMPORTS", "0")
    monkeypatch.setattr(warmup, "_started", False)
    assert warmup.warm_libraries() is None


def test_a_run_stopped_early_ends_its_drawing_too(monkeypatch):
    monkeypatch.setenv("APP_WARM_IMPORTS", "0")
    open_app("pages/costs.py")
    assert warmup.PAGES.being_drawn == 0
    monkeypatch.setenv("HOSTED", "1")  # hosted mode without accounts: the sign-in gate says so and stops the run
    stopped = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    assert "misconfigured" in texts(stopped)
    assert warmup.PAGES.being_drawn == 0
