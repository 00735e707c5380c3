"""Import the model libraries in the background once per server process, so model pages open at once.

torch, transformers and torchvision take 5-15 seconds to import on a small machine. The first page a
founder sees (the canvas) needs none of them, so the first session starts a daemon thread that imports
them while the founder reads; by the time they click "Text classifier" the imports are done. Python's
import locks make a page that needs a module before the thread has finished simply wait for it.
`APP_WARM_IMPORTS=0` turns it off (the benchmark's cold baseline).
"""
from __future__ import annotations

import importlib
import os
import threading

import streamlit as st

MODEL_LIBRARIES = ("torch", "torchvision", "transformers", "modelkit.train", "modelkit.text.model",
                   "modelkit.vision.model")


def _import_all() -> None:
    try:  # lowest CPU priority for this thread only (Linux): the page being served always comes first
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass
    for name in MODEL_LIBRARIES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a page that needs the module reports the real error itself
            return


@st.cache_resource(show_spinner=False)
def warm_model_libraries() -> threading.Thread | None:
    if os.environ.get("APP_WARM_IMPORTS", "1") == "0":
        return None
    thread = threading.Thread(target=_import_all, name="warm-model-libraries", daemon=True)
    thread.start()
    return thread
