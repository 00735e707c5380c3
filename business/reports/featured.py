"""Which text run and which image run the founder shows to investors, per project, saved with history.

The choice is a versioned store document (kind "featured_runs": {"text": run id or None, "image": ...}),
so every change is a new version that History can list and restore, like the canvas. The investor
summary reads it (business/reports/summary.py); the model pages change it. No streamlit, no torch.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from business.store import Store, Version

KIND = "featured_runs"
TASKS = ("text", "image")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")  # a run folder's name, never a path


class FeaturedRunError(ValueError):
    """A featured-run choice that cannot be saved; the message names the bad value."""


@dataclass(frozen=True)
class FeaturedRuns:
    text: str | None = None
    image: str | None = None
    version: int | None = None  # the store version the choice comes from; None when never chosen

    def for_task(self, task: str) -> str | None:
        return getattr(self, task) if task in TASKS else None


def load_featured(store: Store, project_id: int) -> FeaturedRuns:
    """The latest choice; an empty one when the founder never chose (or a saved value is unusable)."""
    latest = store.load_latest(project_id, KIND)
    if latest is None:
        return FeaturedRuns()
    payload = latest.payload if isinstance(latest.payload, dict) else {}
    chosen = {task: payload.get(task) if _valid_run_id(payload.get(task)) else None for task in TASKS}
    return FeaturedRuns(**chosen, version=latest.number)


def feature_run(store: Store, project_id: int, task: str, run_id: str | None) -> int:
    """Show `run_id` to investors as the project's `task` run (None: choose automatically again).

    Saves a new version on top of the latest one and returns its number."""
    if task not in TASKS:
        raise FeaturedRunError(f"task {task!r} has no featured run; it must be one of {', '.join(TASKS)}")
    if run_id is not None and not _valid_run_id(run_id):
        raise FeaturedRunError(f"run id {run_id!r} is not the name of a run folder")
    current = load_featured(store, project_id)
    if current.for_task(task) == run_id:
        raise FeaturedRunError(f"run {run_id} is already the {task} run investors see" if run_id
                               else f"the {task} run investors see is already chosen automatically")
    payload = {name: current.for_task(name) for name in TASKS} | {task: run_id}
    message = (f"Show {task} run {run_id} to investors" if run_id
               else f"Pick the {task} run for investors automatically")
    return store.save(project_id, KIND, payload, current.version, message)


def featured_history(store: Store, project_id: int) -> list[Version]:
    """Every choice ever saved, newest first."""
    return store.history(project_id, KIND)


def _valid_run_id(value: object) -> bool:
    return isinstance(value, str) and bool(_RUN_ID.match(value))
