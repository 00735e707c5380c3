"""Rate limits shared by every session of the server, counted in a small SQLite file.

A limit kept in one browser session starts again at zero in a new session; the counts here do not.
`SharedLimiter(path).admit(action, buckets)` counts one call against every bucket (this session, this
account, this client address...) in one transaction, or refuses with a `LimitError` that names the
bucket, the window and when to try again. Keys are stored as SHA-256 digests, so the file holds no
names or addresses. No streamlit here; ui/limits.py picks the buckets for a session.
"""
from __future__ import annotations

import hashlib
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from business.database import data_folder_faults
from business.limits import LimitError, RateLimit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (action TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS calls_by_key ON calls (action, scope, key, at);
"""


@dataclass(frozen=True)
class Bucket:
    """One counter: `scope` is said in messages ("this account"), `key` tells its members apart."""
    scope: str
    key: str
    limit: RateLimit


@dataclass(frozen=True)
class Admitted:
    remaining: int  # calls left in the tightest bucket after this one
    window_s: float  # that bucket's window

    def describe(self, action: str) -> str:
        return f"{self.remaining} {action} left in this {_minutes(self.window_s)} window."


class SharedLimiter:
    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        # A full or read-only data folder refuses every call with a LimitError: a limit that cannot be
        # counted is not lifted.
        with data_folder_faults("count calls against the rate limits", LimitError):
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db:  # closed, not left open until garbage collection
                db.executescript(_SCHEMA)

    def admit(self, action: str, buckets: list[Bucket], now: float | None = None) -> Admitted:
        """Count one call of `action` in every bucket; LimitError (nothing counted) when any is full."""
        now = time.time() if now is None else now
        with data_folder_faults(f"count this call ({action})", LimitError):
            counts = self._count(action, buckets, now)
        tightest = min(counts, key=lambda item: item[0].limit.max_calls - len(item[1]))
        return Admitted(tightest[0].limit.max_calls - len(tightest[1]) - 1, tightest[0].limit.window_s)

    def _count(self, action: str, buckets: list[Bucket], now: float) -> list[tuple[Bucket, list[float]]]:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")  # count and insert under one lock: two sessions cannot both slip in
            counts = [(bucket, _recent(db, action, bucket, now)) for bucket in buckets]
            for bucket, recent in counts:
                if len(recent) >= bucket.limit.max_calls:
                    db.execute("ROLLBACK")
                    raise LimitError(_refusal(action, bucket, recent, now))
            for bucket, _ in counts:
                db.execute("DELETE FROM calls WHERE action = ? AND scope = ? AND key = ? AND at <= ?",
                           (action, bucket.scope, _digest(bucket.key), now - bucket.limit.window_s))
                db.execute("INSERT INTO calls (action, scope, key, at) VALUES (?, ?, ?, ?)",
                           (action, bucket.scope, _digest(bucket.key), now))
            db.execute("COMMIT")
        finally:
            db.close()
        return counts

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.db_path, timeout=10, isolation_level=None)


def _recent(db: sqlite3.Connection, action: str, bucket: Bucket, now: float) -> list[float]:
    rows = db.execute("SELECT at FROM calls WHERE action = ? AND scope = ? AND key = ? AND at > ? ORDER BY at",
                      (action, bucket.scope, _digest(bucket.key), now - bucket.limit.window_s)).fetchall()
    return [row[0] for row in rows]


def _refusal(action: str, bucket: Bucket, recent: list[float], now: float) -> str:
    wait_s = max(1, round(bucket.limit.window_s - (now - recent[0])))
    return (f"Too many {action} from {bucket.scope}: {len(recent)} in the last {_span(bucket.limit.window_s)} "
            f"(the limit is {bucket.limit.max_calls}); 0 left in this window. Try again in {wait_s} s.")


def _span(window_s: float) -> str:
    return f"{window_s / 60:g} minutes" if window_s >= 60 else f"{window_s:g} seconds"


def _minutes(window_s: float) -> str:
    return f"{window_s / 60:g}-minute" if window_s >= 60 else f"{window_s:g}-second"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
