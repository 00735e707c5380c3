"""Import the libraries pages need in a background thread, once per server process, so pages open at once.

app.py starts one daemon thread on the first run and draws every page inside `drawing_page()`. The
thread imports in two stages:

1. Page libraries (pandas, pyarrow, plotly, altair): the tables and charts of most pages; 1-3 s, done
   while the founder reads the first page. The thread waits while a page is being drawn before each one.
2. Model libraries (torch, scikit-learn, torchvision, transformers and our modules on them): 5-15 s,
   needed only to check images, train or try a model. This stage gives way at every module it imports:
   while a page is being drawn, the thread waits (holding no GIL) before importing the next module, so
   a click on Costs is not slowed by torch's import. Code that needs torch runs inside `model_library()`:
   the thread then stops giving way, and the founder reads "Loading the model library…" meanwhile.

Why not a lower OS priority for the thread: a thread that the OS leaves waiting keeps holding the GIL, so
on a busy machine the page stalled behind it (bench/first_open.py: Costs 4.6 s without the thread, 12.9 s
with a nice-19 one). Python's import locks make a page that needs a module the thread is importing wait
for it instead of importing it twice. `APP_WARM_IMPORTS=0` turns the thread off (the benchmark's baseline).
"""
from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from contextlib import contextmanager

import streamlit as st

PAGE_LIBRARIES = ("pandas", "pyarrow", "plotly.graph_objects", "altair")
# In the order pages need them: the image data check, then the text demo and training
MODEL_LIBRARIES = ("torch", "sklearn.datasets", "modelkit.vision.task", "torchvision", "transformers",
                   "modelkit.text.model", "modelkit.text.predict", "modelkit.vision.predict", "modelkit.train")
# A page drawn longer than this may be waiting for a module the paused thread is importing (it holds that
# module's import lock): after this, the thread goes on instead of waiting for the page.
MAX_GIVE_WAY_S = 2.0
# After a page is drawn the server still sends it and the browser draws it (plotly charts): a short pause
QUIET_S = 1.0


class _Pages:
    """How many script runs are drawing a page now, and whether one of them waits for the model library."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._drawing = 0
        self._since = 0.0  # when the pages now being drawn began
        self._ended = -QUIET_S  # when the last page was drawn
        self._needing_models = 0

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

    @contextmanager
    def needing_models(self):
        with self._changed:
            self._needing_models += 1
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._needing_models -= 1

    @property
    def being_drawn(self) -> int:
        return self._drawing

    def give_way(self) -> None:
        """Return when no page has been drawn for QUIET_S, or a page waits for the models, or a page has been
        drawn for longer than MAX_GIVE_WAY_S (it may be waiting for a module this thread is importing)."""
        with self._changed:
            while not self._needing_models:
                now = time.monotonic()
                if self._drawing:
                    left_s = self._since + MAX_GIVE_WAY_S - now
                else:
                    left_s = self._ended + QUIET_S - now
                if left_s <= 0:
                    return
                self._changed.wait(left_s)


PAGES = _Pages()
_warm_threads: set[int] = set()
_start_lock = threading.Lock()
_started = False


class _GiveWayFinder:
    """First on sys.meta_path during stage 2: before each module the warm thread imports, it gives way to
    the pages. It finds nothing itself, so the usual finders import the module."""

    @staticmethod
    def find_spec(name, path, target=None):
        if threading.get_ident() in _warm_threads:
            PAGES.give_way()
        return None


def drawing_page():
    """app.py draws every page inside this: the background import waits meanwhile."""
    return PAGES.drawing()


@contextmanager
def model_library(doing: str):
    """Around page code that imports torch: the background import goes on at full speed, and the founder
    reads "Loading the model library…" while it is not loaded yet, else what is being done."""
    loaded = all(name in sys.modules for name in ("torch", "torchvision"))
    with PAGES.needing_models(), st.spinner(doing if loaded else "Loading the model library…"):
        yield


def _import_all() -> None:
    _warm_threads.add(threading.get_ident())
    for name in PAGE_LIBRARIES:
        PAGES.give_way()
        if not _imported(name):
            return
    finder = _GiveWayFinder()
    sys.meta_path.insert(0, finder)
    try:
        for name in MODEL_LIBRARIES:
            PAGES.give_way()
            if not _imported(name):
                return
    finally:
        sys.meta_path.remove(finder)


def _imported(name: str) -> bool:
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a page that needs the module reports the real error itself
        return False
    return True


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
