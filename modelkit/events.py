"""The event stream of a run: JSON lines appended to `<run_dir>/events.jsonl`.

The training process writes (`EventLog.emit`), pages and the CLI read (`read_events`). Each event has
`type` ("start", "step", "eval", "checkpoint", "resume", "note", "oom_retry", "early_stop", "cancelled",
"done", "error"), `time` (unix seconds) and type-specific fields (step, epoch, loss, lr, accuracy,
samples_per_s, eta_s...). Shared by the text and image tasks.

After a crash the file keeps what the dead process wrote past its last checkpoint; the resumed process
trains those steps again. `read_events` drops the superseded ones (every step, eval or checkpoint event
past the step a "resume" event restarts from), so curves never show a step twice.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

EVENTS_FILE = "events.jsonl"
# Events that say a process ended on purpose; a session (from "start") without one stopped uncleanly.
CLEAN_ENDS = ("cancelled", "done", "error", "oom_retry")
STEPPED = ("step", "eval", "checkpoint")


class EventLog:
    """Appends events to the run folder and forwards them to an optional callback (a progress bar)."""

    def __init__(self, run_dir: str | Path, enabled: bool = True, callback: Callable[[dict], None] | None = None):
        self.path = Path(run_dir) / EVENTS_FILE
        self.enabled = enabled
        self.callback = callback
        self.checked_end = False

    def emit(self, type: str, **fields) -> dict:
        event = {"type": type, "time": round(time.time(), 3), **fields}
        if self.enabled:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # one write per line and a flush, so a reader never sees half an event
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(self._line_start() + json.dumps(event) + "\n")
            if self.callback is not None:
                self.callback(event)
        return event

    def _line_start(self) -> str:
        """A newline first when a killed writer left the file mid-line, so this event starts a line of its own."""
        if self.checked_end:
            return ""
        self.checked_end = True
        if not self.path.exists() or self.path.stat().st_size == 0:
            return ""
        with self.path.open("rb") as handle:
            handle.seek(-1, 2)
            return "" if handle.read(1) == b"\n" else "\n"


def read_events(run_dir: str | Path, types: tuple[str, ...] | None = None) -> list[dict]:
    path = Path(run_dir) / EVENTS_FILE
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:  # a line being written right now, or cut short by a crash
            continue
        if event.get("type") == "resume":  # training restarts from this step: what came after it is redone
            events = [e for e in events if e.get("type") not in STEPPED or e.get("step", 0) <= event.get("step", 0)]
        events.append(event)
    return [event for event in events if types is None or event.get("type") in types]


def unclean_stop(run_dir: str | Path) -> int | None:
    """The last step logged by a training session that ended without saying so (killed, crashed), or None
    when the last session ended cleanly or never started."""
    events = read_events(run_dir)
    starts = [i for i, event in enumerate(events) if event["type"] == "start"]
    if not starts:
        return None
    session = events[starts[-1]:]
    if any(event["type"] in CLEAN_ENDS for event in session):
        return None
    return max((event.get("step", 0) for event in session if event["type"] in STEPPED), default=0)


def last_event(run_dir: str | Path, types: tuple[str, ...] | None = None) -> dict | None:
    events = read_events(run_dir, types)
    return events[-1] if events else None
