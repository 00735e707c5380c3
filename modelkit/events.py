"""The event stream of a run: JSON lines appended to `<run_dir>/events.jsonl`.

The training process writes (`EventLog.emit`), pages and the CLI read (`read_events`). Each event has
`type` ("start", "step", "eval", "checkpoint", "oom_retry", "early_stop", "cancelled", "done", "error"),
`time` (unix seconds) and type-specific fields (step, epoch, loss, lr, accuracy, samples_per_s, eta_s...).
Shared by the text and image tasks.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

EVENTS_FILE = "events.jsonl"


class EventLog:
    """Appends events to the run folder and forwards them to an optional callback (a progress bar)."""

    def __init__(self, run_dir: str | Path, enabled: bool = True, callback: Callable[[dict], None] | None = None):
        self.path = Path(run_dir) / EVENTS_FILE
        self.enabled = enabled
        self.callback = callback

    def emit(self, type: str, **fields) -> dict:
        event = {"type": type, "time": round(time.time(), 3), **fields}
        if self.enabled:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # one write per line and a flush, so a reader never sees half an event
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(event) + "\n")
            if self.callback is not None:
                self.callback(event)
        return event


def read_events(run_dir: str | Path, types: tuple[str, ...] | None = None) -> list[dict]:
    path = Path(run_dir) / EVENTS_FILE
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:  # a line being written right now
            continue
        if types is None or event.get("type") in types:
            events.append(event)
    return events


def last_event(run_dir: str | Path, types: tuple[str, ...] | None = None) -> dict | None:
    events = read_events(run_dir, types)
    return events[-1] if events else None
