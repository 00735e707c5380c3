"""The background import (ui/warmup.py) gives way to the pages being drawn, and never waits for ever."""
from __future__ import annotations

import sys
import threading
import time
import types

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


def test_nothing_is_imported_while_a_page_is_drawn(slow_package, monkeypatch):
    pages = warmup._Pages()
    monkeypatch.setattr(warmup, "PAGES", pages)
    monkeypatch.setattr(warmup, "LIBRARIES", (slow_package,))
    monkeypatch.setattr(warmup, "MAX_GIVE_WAY_S", 60)
    monkeypatch.setattr(warmup, "QUIET_S", 0.1)
    with pages.drawing():
        thread = threading.Thread(target=warmup._import_all, daemon=True)
        thread.start()
        thread.join(0.3)
        assert slow_package not in sys.modules
    thread.join(10)
    assert f"{slow_package}.part" in sys.modules
    assert not any(isinstance(finder, warmup._GiveWayFinder) for finder in sys.meta_path)
    assert thread.ident not in warmup._warm_threads  # a later thread with its id never gives way to itself


@pytest.fixture
def paused_inside_a_package(tmp_path, monkeypatch):
    """The thread waits inside a package's import (holding its import lock) while a page is drawn."""
    signals = types.SimpleNamespace(inside=threading.Event(), go_on=threading.Event())
    monkeypatch.setitem(sys.modules, "warm_probe_signals", signals)
    package = tmp_path / "warm_probe_locked"
    package.mkdir()
    (package / "__init__.py").write_text("import warm_probe_signals as s\ns.inside.set()\ns.go_on.wait(10)\n"
                                         "from . import part\n")
    (package / "part.py").write_text("VALUE = 2\n")
    (tmp_path / "warm_probe_other.py").write_text("VALUE = 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    pages = warmup._Pages()
    monkeypatch.setattr(warmup, "PAGES", pages)
    monkeypatch.setattr(warmup, "LIBRARIES", ("warm_probe_locked",))
    monkeypatch.setattr(warmup, "MAX_GIVE_WAY_S", 60)
    try:
        threading.Thread(target=warmup._import_all, daemon=True).start()
        assert signals.inside.wait(10)
        with pages.drawing():
            signals.go_on.set()  # the thread now waits before importing .part
            yield
    finally:
        for name in ("warm_probe_locked", "warm_probe_locked.part", "warm_probe_other"):
            sys.modules.pop(name, None)


def imported_by_a_page(name: str) -> bool:
    page = threading.Thread(target=lambda: __import__(name), daemon=True)
    page.start()
    page.join(5)
    return not page.is_alive()


def test_a_page_imports_other_modules_while_the_thread_waits(paused_inside_a_package):
    assert imported_by_a_page("warm_probe_other")
    assert "warm_probe_locked.part" not in sys.modules  # the thread is still waiting


def test_a_page_that_needs_the_package_the_thread_is_inside_gets_it_at_once(paused_inside_a_package):
    # the page blocks on the package's import lock: the thread notices and goes on, else the page would wait
    assert imported_by_a_page("warm_probe_locked")
    assert sys.modules["warm_probe_locked"].part.VALUE == 2


def test_the_background_import_starts_once_per_process(monkeypatch):
    monkeypatch.setenv("APP_WARM_IMPORTS", "1")
    monkeypatch.setattr(warmup, "_started", False)
    monkeypatch.setattr(warmup, "LIBRARIES", ())
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


def test_a_page_meets_no_half_imported_library_that_other_code_looks_up_in_sys_modules(paused_inside_a_package):
    # plotly asks sys.modules whether pandas is loaded, then uses pd.Series: a half-imported pandas (the thread
    # paused inside it) gave a traceback on the investor view. Each page first finishes such a library.
    half = sys.modules["warm_probe_locked"]
    assert not hasattr(half, "part")  # what plotly would have met

    page = threading.Thread(target=warmup.finish_half_imported, args=(("warm_probe_locked",),), daemon=True)
    page.start()
    page.join(5)

    assert not page.is_alive()
    assert sys.modules["warm_probe_locked"].part.VALUE == 2


def test_a_library_not_being_imported_is_left_alone():
    warmup.finish_half_imported(("warm_probe_never_imported",))
    assert "warm_probe_never_imported" not in sys.modules
