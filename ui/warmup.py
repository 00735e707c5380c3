"""Import the libraries pages need in a background thread, once per server process, so pages open at once.

app.py starts one daemon thread on the first run and draws every page inside `drawing_page()`. The
thread imports, in this order, the page libraries (pandas, pyarrow, plotly, altair: the tables and charts
of most pages, 1-3 s, done while the founder reads the first page), then the model libraries (torch,
scikit-learn, torchvision, transformers and our modules on them: 5-15 s, needed only to read torchvision's
data sets, train or try a model; the image data check itself runs on PIL and numpy).

It gives way to the pages at every module it imports (a finder first on sys.meta_path): while a page is
being drawn, and for QUIET_S after, while the server sends the page and the browser draws it, the thread
waits, holding no GIL, so a click on Costs is not slowed by torch's import. Waiting, it may hold the import
locks of the packages it is inside (torch's, say): when a page's thread blocks on one of them, the thread
goes on at once and the page gets the module as soon as it is imported (no module is imported twice).
Code that needs torch runs inside `model_library()`, which says "Loading the model library…" meanwhile.

Why not the lowest OS priority for the thread: on a busy machine the OS leaves such a thread waiting while
it holds the GIL, or an import lock a page waits for, and the page stalls behind it (bench/first_open.py:
Costs finished in 4.6 s without the thread, 12.9 s with a nice-19 one; with nice 19 and giving way, the
Image page still took 24 s against 7.5 s, waiting for torch's import lock). `APP_WARM_IMPORTS=0` turns
the thread off.
"""
from __future__ import annotations

import _imp
import importlib
import os
import sys
import threading
import time
from contextlib import contextmanager

import streamlit as st

# In the order pages need them: tables and charts, then the image demo and training, then the text ones
LIBRARIES = ("pandas", "pyarrow", "plotly.graph_objects", "altair", "torch", "sklearn.datasets",
             "modelkit.vision.task", "torchvision", "transformers", "modelkit.text.model", "modelkit.text.predict",
             "modelkit.vision.predict", "modelkit.train")
# After a page is drawn the server still sends it and the browser draws it (plotly charts): a short pause
QUIET_S = 1.0
# The thread notices a page waiting for its import locks through CPython's importlib internals; should they
# change, a page drawn longer than this lets the thread go on, so no page waits for ever.
MAX_GIVE_WAY_S = 10.0
POLL_S = 0.1


class _Pages:
    """How many script runs are drawing a page now, since when, and when the last one ended."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._drawing = 0
        self._since = 0.0  # when the pages now being drawn began
        self._ended = -QUIET_S  # when the last page was drawn

    @contextmanager
    def drawing(self):
        with self._changed:
            if not self._drawing:
                self._since = time.monotonic()
            self._drawing += 1
        try:
            yield
        finally:
            with self._changed:
                self._drawing -= 1
                self._ended = time.monotonic()
                self._changed.notify_all()

    @property
    def being_drawn(self) -> int:
        return self._drawing

    def give_way(self) -> None:
        """Return once no page has been drawn for QUIET_S, or a page waits for an import lock this thread
        holds, or a page has been drawn for longer than MAX_GIVE_WAY_S."""
        with self._changed:
            while not _a_thread_waits_for(threading.get_ident()):
                now = time.monotonic()
                left_s = self._since + MAX_GIVE_WAY_S - now if self._drawing else self._ended + QUIET_S - now
                if left_s <= 0:
                    return
                self._changed.wait(min(left_s, POLL_S))


def _a_thread_waits_for(me: int) -> bool:
    """Whether another thread is blocked on a module import lock that thread `me` holds."""
    try:
        from importlib import _bootstrap

        blocked = list(_bootstrap._blocking_on.values())  # CPython: thread id -> lock (3.12: -> [locks])
    except Exception:  # noqa: BLE001 - another Python: MAX_GIVE_WAY_S still ends the wait
        return False
    locks = [lock for entry in blocked for lock in (entry if isinstance(entry, list) else [entry])]
    return any(getattr(lock, "owner", None) == me for lock in locks)


PAGES = _Pages()
_warm_threads: set[int] = set()
_start_lock = threading.Lock()
_started = False


class _GiveWayFinder:
    """First on sys.meta_path while the thread runs: before each module the thread imports, it gives way
    to the pages. It finds nothing itself, so the usual finders import the module."""

    @staticmethod
    def find_spec(name, path, target=None):
        if threading.get_ident() not in _warm_threads:
            return None
        # CPython asks finders under its global import lock: let go of it while waiting, or no other thread
        # could import anything meanwhile (the lock guards the finders' lookups, none of which run here).
        try:
            _imp.release_lock()
        except RuntimeError:  # not held: nothing to let go of
            PAGES.give_way()
            return None
        try:
            PAGES.give_way()
        finally:
            _imp.acquire_lock()
        return None


# Libraries other code looks up in sys.modules without importing them (plotly and streamlit ask whether
# pandas is loaded, then use pd.Series): one the thread is halfway through must be finished first.
LOOKED_UP = ("numpy", "pandas", "pyarrow")


@contextmanager
def drawing_page():
    """app.py draws every page inside this: the background import waits meanwhile."""
    with PAGES.drawing():
        finish_half_imported(LOOKED_UP)
        yield


def finish_half_imported(names: tuple[str, ...]) -> None:
    """Import each of `names` the thread is in the middle of importing: Python's module lock makes this
    wait until it is complete (the thread, seeing a page wait for its lock, goes on at once), so no page
    meets a module in sys.modules that lacks its names yet (a traceback such as pd.Series missing)."""
    for name in names:
        module = sys.modules.get(name)
        if module is not None and getattr(getattr(module, "__spec__", None), "_initializing", False):
            importlib.import_module(name)


@contextmanager
def model_library(doing: str):
    """Around page code that imports torch: says "Loading the model library…" while it is not loaded
    yet, else what is being done (a spinner shows only after half a second, so a quick step shows none)."""
    loaded = all(name in sys.modules for name in ("torch", "torchvision"))
    with st.spinner(doing if loaded else "Loading the model library…"):
        yield


def _import_all() -> None:
    _warm_threads.add(threading.get_ident())
    finder = _GiveWayFinder()
    sys.meta_path.insert(0, finder)
    try:
        for name in LIBRARIES:
            PAGES.give_way()
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a page that needs the module reports the real error itself
                return
    finally:
        sys.meta_path.remove(finder)
        # a later thread (a page's script run) may get this id: it must never give way to itself
        _warm_threads.discard(threading.get_ident())


def warm_libraries() -> threading.Thread | None:
    """Start the background import, once per process (None when APP_WARM_IMPORTS=0 or already started)."""
    global _started
    if os.environ.get("APP_WARM_IMPORTS", "1") == "0":
        return None
    with _start_lock:
        if _started:
            return None
        _started = True
    thread = threading.Thread(target=_import_all, name="warm-libraries", daemon=True)
    thread.start()
    return thread
