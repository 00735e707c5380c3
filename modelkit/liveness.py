"""Whether a run's process is really alive, told by the kernel rather than by a file that may be stale.

`hold_run_lock(run_dir)` is taken by `python -m modelkit train|eval|compress` (rank 0) for as long as
the process lives: an exclusive flock on `<run_dir>/run.lock`, which the kernel drops when the process
exits, however it exits (kill -9 included). `run_lock_holder(run_dir)` says who holds it, or None. The
job queue uses it so that a supervisor killed while its training process keeps running does not free the
device. `process_start_time(pid)` lets a recorded pid be told apart from a later process given the same
number. No torch import here.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from modelkit.events import last_event, unclean_stop

LOCK_FILE = "run.lock"
_RETRIES = 20  # a reader probes the lock for a moment (shared); a new holder waits that out


class RunBusyError(ValueError):
    """Another live process works on this run folder; the message names it."""


def process_start_time(pid: int | None) -> int | None:
    """The kernel's start time of `pid` (clock ticks since boot), or None when it is gone or unknowable."""
    if not pid:
        return None
    try:
        # the command name (field 2) may hold spaces and parentheses: split after its closing ")"
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


@contextmanager
def hold_run_lock(run_dir: str | Path, command: str = "modelkit"):
    run_dir = Path(run_dir)
    created = not run_dir.exists()
    try:
        handle = _locked(run_dir, command)
    except OSError:
        if created:  # a full or read-only folder: leave no empty run behind to be listed as "unknown"
            shutil.rmtree(run_dir, ignore_errors=True)
        raise
    try:
        yield
    finally:
        handle.close()  # closing drops the lock


def _locked(run_dir: Path, command: str):
    """The run's lock file, opened, exclusively locked and naming this process."""
    run_dir.mkdir(parents=True, exist_ok=True)
    handle = open(run_dir / LOCK_FILE, "a+")
    try:
        for _ in range(_RETRIES):
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = run_lock_holder(run_dir)  # None: only a reader's brief shared probe was in the way
                if holder is not None:
                    raise RunBusyError(f"run {run_dir.name} is already in use by process {holder['pid']} "
                                       f"({holder.get('command', '?')}); wait for it or cancel it") from None
                time.sleep(0.05)
        else:
            raise RunBusyError(f"run {run_dir.name} is locked by another process")
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "started": process_start_time(os.getpid()),
                                 "command": command, "since": time.time()}))
        handle.flush()
    except BaseException:
        handle.close()
        raise
    return handle


def run_lock_holder(run_dir: str | Path) -> dict | None:
    """{"pid", "started", "command", "since"} of the live process holding the run's lock, else None."""
    path = Path(run_dir) / LOCK_FILE
    if not path.exists():
        return None
    with open(path) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                return json.loads(path.read_text() or "{}") or {"pid": None}
            except json.JSONDecodeError:
                return {"pid": None}  # held, and its holder is still writing who it is
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def run_state_from_files(run_dir: str | Path) -> str:
    """The state of a run that has no job.json (trained from the CLI): "running" while its process holds
    the lock, else what its last event says; "interrupted" when it stopped without saying (resumable)."""
    if run_lock_holder(run_dir) is not None:
        return "running"
    ended = last_event(run_dir, ("done", "cancelled", "error", "start", "resume"))
    if ended is None:
        return "unknown"
    if ended["type"] in ("start", "resume") or unclean_stop(run_dir) is not None:
        return "interrupted"
    return {"done": "done", "cancelled": "cancelled"}.get(ended["type"], "failed")
