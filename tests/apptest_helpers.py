"""Helpers for driving the app with Streamlit's AppTest."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")

TIMEOUT_S = 60


def open_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything the user can read on the page, in one string (markdown, captions, alerts)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in (at.error, at.warning, at.info, at.success) for a in kind]
    return "\n".join(parts)


def submit(at: AppTest, label_start: str) -> AppTest:
    """Click the form submit button whose label starts with label_start."""
    [button] = [b for b in at.button if b.label.startswith(label_start)]
    button.click().run()
    assert not at.exception, at.exception
    return at


def widget(elements, key_end: str):
    """The one widget whose key ends with key_end (keys carry versions, so tests match the end)."""
    matches = [w for w in elements if w.key and w.key.endswith(key_end)]
    assert len(matches) == 1, [w.key for w in elements]
    return matches[0]
