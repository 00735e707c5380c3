"""Projects and versioned documents in one SQLite file.

Every save appends an immutable version row of a JSON document (the canvas, the financial
assumptions, price overrides...) under (project, kind). Nothing is ever updated in place, so history,
diff and restore come from the same table. A save names the version it was based on; if someone saved
since, the save is refused and the refused text is kept as a draft, so two tabs never lose work.
A save that changes nothing is refused when the caller asks (`refuse_unchanged`, as every canvas save
does), so the history holds only real changes and the page can say so.

Deleting a project is versioned like the rest: a version of kind "project" marks it deleted (or
restored). A deleted project keeps its name and all its documents; it leaves the project list and
can be restored from `deleted_projects()`.

A write that the data folder refuses (full, read-only) rolls back whole and raises DataFolderError, a
StoreError whose message pages show as it is; `with store.transaction():` makes several writes one.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from business.database import Database, data_folder_faults

MAX_PROJECT_NAME_CHARS = 80
# The kind of the versioned document that says whether a project is deleted: {"deleted": true/false}.
LIFECYCLE = "project"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL,
    number INTEGER NOT NULL,
    payload TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, kind, number)
);
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL,
    base_version INTEGER,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


class StoreError(ValueError):
    """A request the store refuses; the message says why."""


class ReadOnlyStoreError(StoreError):
    """A write through a read-only store (an investor's session in hosted mode)."""


class DataFolderError(StoreError):
    """The data folder refused a write (full, read-only): the transaction rolled back, nothing changed."""


class UnchangedSaveError(StoreError):
    """The save holds exactly what the latest version holds: no version is added."""

    def __init__(self, kind: str, latest_version: int):
        self.latest_version = latest_version
        super().__init__(f"Nothing changed since version {latest_version} of this {kind}: no new version was saved.")


class StaleSaveError(StoreError):
    """The save was based on an old version; the refused payload is kept as a draft."""

    def __init__(self, kind: str, base_version: int | None, latest_version: int, draft_id: int):
        self.base_version = base_version
        self.latest_version = latest_version
        self.draft_id = draft_id
        started = f"version {base_version}" if base_version else "an empty one"
        super().__init__(
            f"This {kind} changed since you opened it: you edited {started}, "
            f"but version {latest_version} was saved meanwhile. Nothing was overwritten; "
            f"your text is kept as draft #{draft_id}."
        )


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    created_at: str


@dataclass(frozen=True)
class DeletedProject:
    id: int
    name: str
    deleted_at: str


@dataclass(frozen=True)
class Version:
    project_id: int
    kind: str
    number: int
    payload: dict
    message: str
    created_at: str


@dataclass(frozen=True)
class Draft:
    id: int
    project_id: int
    kind: str
    base_version: int | None
    payload: dict
    created_at: str


class Store:
    def __init__(self, db_path: str | Path, read_only: bool = False):
        self.db_path = Path(db_path)
        # Every write goes through _write, which refuses here: the server, not a hidden button, says no.
        self.read_only = read_only
        self._db = Database(self.db_path)
        with data_folder_faults("open the projects database", DataFolderError):
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            with self._db.read() as db:
                db.executescript(_SCHEMA)  # IF NOT EXISTS: a read-only folder still opens a store made earlier

    def transaction(self):
        """`with store.transaction():` the writes inside commit together, or none does."""
        return self._write()

    # -- projects ---------------------------------------------------------------------------
    def create_project(self, name: str) -> Project:
        clean = _project_name(name)
        now = _now()
        with self._write() as db:
            if _find_project(db, clean):
                raise StoreError(_name_taken(db, clean))
            cursor = db.execute(
                "INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)", (clean, now, now))
        return Project(cursor.lastrowid, clean, now)

    def rename_project(self, project_id: int, new_name: str) -> Project:
        clean = _project_name(new_name)
        with self._write() as db:
            other = _find_project(db, clean)
            if other and other != project_id:
                raise StoreError(_name_taken(db, clean))
            db.execute("UPDATE projects SET name = ?, updated_at = ? WHERE id = ?", (clean, _now(), project_id))
        return self.get_project(project_id)

    def list_projects(self, include_deleted: bool = False) -> list[Project]:
        """Projects by name; deleted ones only when asked."""
        with self._db.read() as db:
            rows = db.execute("SELECT id, name, created_at FROM projects ORDER BY name COLLATE NOCASE").fetchall()
            return [Project(*row) for row in rows if include_deleted or not _deleted_at(db, row[0])]

    def get_project(self, project_id: int, include_deleted: bool = False) -> Project:
        """A project; a deleted one is refused (its share links and open tabs stop) unless asked for."""
        with self._db.read() as db:
            row = db.execute("SELECT id, name, created_at FROM projects WHERE id = ?", (project_id,)).fetchone()
            deleted = row is not None and _deleted_at(db, project_id)
        if row is None:
            raise StoreError(f"There is no project with id {project_id}.")
        if deleted and not include_deleted:
            raise StoreError(f"The project {row[1]!r} was deleted; restore it from 'Recently deleted' first.")
        return Project(*row)

    def delete_project(self, project_id: int) -> Project:
        """Mark a project deleted (a new version, nothing erased); the last project left is refused."""
        project = self.get_project(project_id)
        with self._write() as db:
            live = [row[0] for row in db.execute("SELECT id FROM projects") if not _deleted_at(db, row[0])]
            if live == [project_id]:
                raise StoreError(f"{project.name!r} is the only project: create another one before deleting it.")
            _append_lifecycle(db, project_id, deleted=True)
        return project

    def restore_project(self, project_id: int) -> Project:
        """Bring a deleted project back, with everything it held."""
        project = self.get_project(project_id, include_deleted=True)
        with self._write() as db:
            if not _deleted_at(db, project_id):
                raise StoreError(f"The project {project.name!r} is not deleted.")
            _append_lifecycle(db, project_id, deleted=False)
        return project

    def deleted_projects(self) -> list[DeletedProject]:
        """Deleted projects, most recently deleted first."""
        with self._db.read() as db:
            rows = db.execute("SELECT id, name FROM projects").fetchall()
            found = [DeletedProject(pid, name, when) for pid, name in rows if (when := _deleted_at(db, pid))]
        return sorted(found, key=lambda p: p.deleted_at, reverse=True)

    # -- versioned documents ----------------------------------------------------------------
    def save(self, project_id: int, kind: str, payload: dict, base_version: int | None, message: str = "", *,
             refuse_unchanged: bool = False) -> int:
        """Append a version and return its number; refuse (keeping a draft) if base_version is stale, and
        with `refuse_unchanged` raise UnchangedSaveError when the payload equals the latest version's."""
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        self.get_project(project_id)
        with self._write() as db:
            latest = _latest_number(db, project_id, kind)
            if refuse_unchanged and latest is not None and latest == base_version \
                    and _payload_text(db, project_id, kind, latest) == text:
                raise UnchangedSaveError(kind, latest)
            if latest != base_version:
                draft_id = _insert_draft(db, project_id, kind, base_version, text)
                stale = StaleSaveError(kind, base_version, latest or 0, draft_id)
            else:
                stale = None
                number = (latest or 0) + 1
                now = _now()
                db.execute(
                    "INSERT INTO versions (project_id, kind, number, payload, message, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)", (project_id, kind, number, text, message.strip()[:200], now))
                db.execute("UPDATE projects SET updated_at = ? WHERE id = ?", (now, project_id))
        if stale:
            raise stale
        return number

    def load_latest(self, project_id: int, kind: str) -> Version | None:
        with self._db.read() as db:
            row = db.execute(
                "SELECT project_id, kind, number, payload, message, created_at FROM versions"
                " WHERE project_id = ? AND kind = ? ORDER BY number DESC LIMIT 1", (project_id, kind)).fetchone()
        return _version(row) if row else None

    def load_version(self, project_id: int, kind: str, number: int) -> Version:
        with self._db.read() as db:
            row = db.execute(
                "SELECT project_id, kind, number, payload, message, created_at FROM versions"
                " WHERE project_id = ? AND kind = ? AND number = ?", (project_id, kind, number)).fetchone()
        if row is None:
            raise StoreError(f"There is no version {number} of this {kind}.")
        return _version(row)

    def history(self, project_id: int, kind: str) -> list[Version]:
        """All versions, newest first."""
        with self._db.read() as db:
            rows = db.execute(
                "SELECT project_id, kind, number, payload, message, created_at FROM versions"
                " WHERE project_id = ? AND kind = ? ORDER BY number DESC", (project_id, kind)).fetchall()
        return [_version(row) for row in rows]

    def restore(self, project_id: int, kind: str, number: int, base_version: int | None) -> int:
        """Make an old version the latest again, as a new version (history is never rewritten); restoring
        what the latest version already holds is refused as unchanged."""
        old = self.load_version(project_id, kind, number)
        return self.save(project_id, kind, old.payload, base_version, message=f"Restored version {number}",
                         refuse_unchanged=True)

    def drafts(self, project_id: int, kind: str) -> list[Draft]:
        with self._db.read() as db:
            rows = db.execute(
                "SELECT id, project_id, kind, base_version, payload, created_at FROM drafts"
                " WHERE project_id = ? AND kind = ? ORDER BY id DESC", (project_id, kind)).fetchall()
        return [Draft(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    def discard_draft(self, draft_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def _write(self):
        """A write transaction that takes the lock first, so check-then-insert is atomic."""
        if self.read_only:
            raise ReadOnlyStoreError("read-only: investors cannot change anything.")
        with data_folder_faults("save", DataFolderError), self._db.write() as db:
            yield db


def _project_name(name: object) -> str:
    clean = " ".join(str(name or "").split())
    if not clean:
        raise StoreError("The project name is empty: please type a name.")
    if len(clean) > MAX_PROJECT_NAME_CHARS:
        raise StoreError(f"The project name is {len(clean)} characters; the limit is {MAX_PROJECT_NAME_CHARS}.")
    return clean


def _find_project(db: sqlite3.Connection, name: str) -> int | None:
    row = db.execute("SELECT id FROM projects WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def _latest_number(db: sqlite3.Connection, project_id: int, kind: str) -> int | None:
    row = db.execute(
        "SELECT MAX(number) FROM versions WHERE project_id = ? AND kind = ?", (project_id, kind)).fetchone()
    return row[0]


def _payload_text(db: sqlite3.Connection, project_id: int, kind: str, number: int) -> str:
    return db.execute("SELECT payload FROM versions WHERE project_id = ? AND kind = ? AND number = ?",
                      (project_id, kind, number)).fetchone()[0]


def _deleted_at(db: sqlite3.Connection, project_id: int) -> str | None:
    """When the project was deleted, or None when it is live (never deleted, or restored since)."""
    row = db.execute("SELECT payload, created_at FROM versions WHERE project_id = ? AND kind = ?"
                     " ORDER BY number DESC LIMIT 1", (project_id, LIFECYCLE)).fetchone()
    return row[1] if row and json.loads(row[0]).get("deleted") else None


def _append_lifecycle(db: sqlite3.Connection, project_id: int, deleted: bool) -> None:
    number = (_latest_number(db, project_id, LIFECYCLE) or 0) + 1
    now = _now()
    db.execute("INSERT INTO versions (project_id, kind, number, payload, message, created_at) VALUES (?, ?, ?, ?, ?, ?)",
               (project_id, LIFECYCLE, number, json.dumps({"deleted": deleted}), "Deleted" if deleted else "Restored",
                now))
    db.execute("UPDATE projects SET updated_at = ? WHERE id = ?", (now, project_id))


def _name_taken(db: sqlite3.Connection, name: str) -> str:
    if _deleted_at(db, _find_project(db, name)):
        return f"A deleted project is named {name!r}: restore it from 'Recently deleted', or pick another name."
    return f"A project named {name!r} already exists."


def _insert_draft(db: sqlite3.Connection, project_id: int, kind: str, base: int | None, text: str) -> int:
    cursor = db.execute(
        "INSERT INTO drafts (project_id, kind, base_version, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        (project_id, kind, base, text, _now()))
    return cursor.lastrowid


def _version(row: tuple) -> Version:
    return Version(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5])


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
