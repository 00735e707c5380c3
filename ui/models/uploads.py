"""Storing an upload on the server: the one place both model pages turn its failures into a message."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from ui.text import plain


def stored_or_said(store: Callable[[], object]):
    """`store()`'s result (the stored path, or None when nothing was uploaded); on a refusal, None and an
    st.error: a read-only session (an investor's) or a read-only or full data folder, whose message names
    no server path."""
    try:
        return store()
    except ValueError as error:
        st.error(plain(str(error)))
    except OSError as error:
        st.error(plain(f"The upload could not be stored: {error.strerror or error}."))
    return None
