"""The store's SQLite file, and what a failed write to the data folder means in words.

`Database(path).read()` and `.write()` open one short connection per call (Streamlit runs sessions on
several threads). A write takes the lock first (BEGIN IMMEDIATE), so check-then-insert is atomic, and a
write opened inside another write on the same thread joins it: several saves then commit together or
not at all (an imported project is created and filled in one transaction, never left empty).

`write_failure(error, action)` turns the errors a full or read-only data folder raises (SQLite's
"database or disk is full", "attempt to write a readonly database", OSError ENOSPC / EROFS / EACCES)
into one sentence that names no server path; any other error is a bug and gets None.
"""
from __future__ import annotations

import errno
import sqlite3
import threading
from contextlib import contextmanager, suppress
from pathlib import Path

FULL = "the data folder is full (disk full)"
READ_ONLY = "the data folder is read-only"
# SQLite result codes (the low byte of an extended code) that mean the folder, not the request, failed.
_SQLITE_FULL, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CANTOPEN, _SQLITE_PERM = 13, 8, 10, 14, 3
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


class Database:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()  # this thread's open write, which nested reads and writes join

    @contextmanager
    def read(self):
        joined = getattr(self._local, "db", None)
        if joined is not None:  # inside a write: read what it wrote so far
            yield joined
            return
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            yield db
        finally:
            db.close()

    @contextmanager
    def write(self):
        """One transaction; inside another write on this thread, part of that one."""
        joined = getattr(self._local, "db", None)
        if joined is not None:
            yield joined
            return
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        self._local.db = db
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            _roll_back(db)
            raise
        finally:
            self._local.db = None
            db.close()


def _roll_back(db: sqlite3.Connection) -> None:
    # On a full disk or an I/O error SQLite has already rolled back: a second ROLLBACK raises "cannot
    # rollback - no transaction is active", which would hide the real error. Closing also rolls back.
    if db.in_transaction:
        with suppress(sqlite3.Error):
            db.execute("ROLLBACK")


@contextmanager
def data_folder_faults(action: str, into: type[Exception]):
    """Raise `into(sentence)` from an error a full or read-only data folder raises; others surface."""
    try:
        yield
    except (sqlite3.Error, OSError) as error:
        problem = write_failure(error, action)
        if problem is None:
            raise
        raise into(problem) from error


def write_failure(error: BaseException, action: str = "save") -> str | None:
    """"Could not {action}: the data folder is full (disk full). Nothing was changed." for an error a
    full or read-only data folder raises; None for any other error."""
    problem = _problem(error)
    if problem is None:
        return None
    hint = "free some space" if problem == FULL else "make the data folder (APP_DATA_DIR) writable"
    return f"Could not {action}: {problem}. Nothing was changed; {hint} and try again."


def refused_write(error: OSError, action: str) -> str:
    """The sentence for any OSError of a write (a full or read-only folder, or another refusal), naming no
    server path."""
    return write_failure(error, action) or f"Could not {action}: {error.strerror or 'the data folder refused it'}."


def _problem(error: BaseException) -> str | None:
    if isinstance(error, OSError):
        if error.errno in _FULL_ERRNOS:
            return FULL
        if error.errno in _READ_ONLY_ERRNOS:
            return f"{READ_ONLY} ({error.strerror or 'permission denied'})"
        if error.errno == errno.EIO:
            return "the data folder could not be written (input/output error)"
        return None
    if not isinstance(error, sqlite3.Error):
        return None
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(error).lower()
    if code == _SQLITE_FULL or "disk is full" in text:
        return FULL
    if code in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly database" in text:
        return f"{READ_ONLY} (the database cannot be written)"
    if code == _SQLITE_CANTOPEN or "unable to open database" in text:
        return f"{READ_ONLY} (the database file cannot be opened for writing)"
    if code == _SQLITE_IOERR or "disk i/o error" in text:
        return "the data folder could not be written (disk I/O error)"
    return None
