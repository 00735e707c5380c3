"""Where modelkit keeps its state: the app data folder and the runs root inside it.

`APP_DATA_DIR` (default `.app_data/` in the repository root) holds uploads and run folders; every run
is one folder under `<APP_DATA_DIR>/runs`. Imported by the CLI, the job runner and the pages.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


def app_data_dir() -> Path:
    return Path(os.environ.get("APP_DATA_DIR") or REPO_ROOT / ".app_data")


def runs_root() -> Path:
    return app_data_dir() / "runs"


def example_dataset_path(name: str = "support_tickets.csv") -> Path:
    return EXAMPLES_DIR / name
