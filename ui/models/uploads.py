"""Storing an upload on the server: the one place both model pages write it and turn its failures into a
message."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import streamlit as st

from business.database import refused_write
from ui.text import plain


def write_once(path: Path, data: bytes) -> None:
    """Write `data` to `path` unless it is there already (uploads are named by content hash).

    Written beside it and renamed into place: a full disk halfway leaves no truncated file under the
    final name (which the next upload of the same content would take as complete)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def stored_or_said(store: Callable[[], object]):
    """`store()`'s result (the stored path, or None when nothing was uploaded); on a refusal, None and an
    st.error: a read-only session (an investor's) or a read-only or full data folder, whose message names
    no server path."""
    try:
        return store()
    except ValueError as error:
        st.error(plain(str(error)))
    except OSError as error:
        st.error(plain(refused_write(error, "store the upload")))
    return None
