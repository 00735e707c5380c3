"""Shared fixtures: every test gets its own data folder and fresh Streamlit caches."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def app_data_dir(tmp_path, monkeypatch) -> Path:
    """APP_DATA_DIR in a fresh folder, so tests never touch the user's data or each other's."""
    folder = tmp_path / "app_data"
    monkeypatch.setenv("APP_DATA_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Tests never reach the internet: every probe in modelkit.online answers "offline" at once."""
    monkeypatch.setenv("APP_OFFLINE", "1")


@pytest.fixture(autouse=True)
def no_background_import(monkeypatch):
    """No warm-up thread (ui/warmup.py) in the test process: started by the first AppTest, it would import torch
    and transformers while a test imports them itself (an ImportError from transformers, seen once in a
    fixture). tests/ui/test_warmup.py turns it on where it is the subject."""
    monkeypatch.setenv("APP_WARM_IMPORTS", "0")


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def real_data_dir() -> Path:
    """Real public data sets for tests: REALDATA_DIR, else ../shared/data beside the project."""
    return Path(os.environ.get("REALDATA_DIR") or ROOT.parent / "shared" / "data")
