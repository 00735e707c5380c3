"""A data folder that is full or read-only, as really as the machine allows (tests/test_fault_injection.py).

As root with the right to mount, the folder is a small tmpfs of its own: "full" is filled to its last
byte by a real file, "read-only" is remounted read-only, so SQLite and the OS raise their own errors.
Elsewhere a read-only folder is chmod (not as root, whom chmod does not stop), and what cannot be made
real is a patched write raising the real error (sqlite3.OperationalError "database or disk is full" /
"attempt to write a readonly database", OSError ENOSPC / EROFS). FAULTS_NO_MOUNT=1 runs those fallbacks
on a machine that could mount.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

FULL, READ_ONLY = "full", "read-only"
SAID = {FULL: "the data folder is full (disk full)", READ_ONLY: "the data folder is read-only"}
FILLER = "filler"


@dataclass
class DataFolder:
    path: Path
    mounted: bool  # a real tmpfs of its own: real full and read-only faults
    kind: str | None = None
    real: bool = True  # False once writes are patched: another process would not see the fault

    @property
    def db(self) -> Path:
        return self.path / "founder.db"


def _mount_small_tmpfs(path: Path) -> bool:
    # FAULTS_NO_MOUNT=1 runs the fallbacks (chmod, patched writes) on a machine that could mount.
    if os.geteuid() != 0 or not shutil.which("mount") or os.environ.get("FAULTS_NO_MOUNT") == "1":
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def break_folder(folder: DataFolder, kind: str, monkeypatch) -> None:
    """Make the data folder full or read-only, as really as this machine allows."""
    folder.kind = kind
    if folder.mounted and kind == FULL:
        _fill(folder.path / FILLER)
    elif folder.mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(folder.path)], check=True)
    elif kind == READ_ONLY and _chmod_stops_writes(folder.path):
        return
    else:
        _patch_writes(folder.path, kind, monkeypatch)
        folder.real = False


def _fill(filler: Path) -> None:
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for chunk in (1 << 20, 4096, 1):  # down to the last byte
            try:
                while True:
                    os.write(fd, b"\0" * chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
    finally:
        os.close(fd)


def _chmod_stops_writes(path: Path) -> bool:
    for inner in [*path.rglob("*"), path]:
        inner.chmod(0o555 if inner.is_dir() else 0o444)
    try:
        (path / "probe").touch()
    except PermissionError:
        return True
    (path / "probe").unlink()  # root writes through chmod: patch instead
    for inner in [path, *path.rglob("*")]:
        inner.chmod(0o755)
    return False


def _patch_writes(path: Path, kind: str, monkeypatch) -> None:
    """SQLite statements that write, and file writes under the data folder, raise the real errors."""
    sql_error = "database or disk is full" if kind == FULL else "attempt to write a readonly database"
    code = errno.ENOSPC if kind == FULL else errno.EROFS
    connect = sqlite3.connect

    class Refusing(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
                raise sqlite3.OperationalError(sql_error)
            return super().execute(sql, *args)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, factory=Refusing, **k))
    for name in ("write_bytes", "write_text", "mkdir", "touch"):
        real = getattr(Path, name)

        def refused(self, *args, _real=real, _name=name, **kwargs):
            if str(self).startswith(str(path)) and not (_name == "mkdir" and self.exists()):
                raise OSError(code, os.strerror(code))
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Path, name, refused)


def snapshot(folder: DataFolder) -> dict:
    """Row counts of every table of the store and every file (with its size) in the data folder, but the filler."""
    with closing(sqlite3.connect(f"file:{folder.db}?mode=ro", uri=True)) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}
    files = {str(p.relative_to(folder.path)): p.stat().st_size for p in folder.path.rglob("*")
             if p.is_file() and p.name != FILLER}
    return {"rows": rows, "files": files}


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)  # ui.text.plain escapes punctuation for Markdown


def assert_said_clearly(at, folder: DataFolder) -> None:
    """No traceback, and an error that says what is wrong with the folder, that nothing changed, and no path."""
    assert not at.exception, at.exception
    errors = [unescaped(e.value) for e in at.error]
    clear = [e for e in errors if SAID[folder.kind] in e and "Nothing was changed" in e]
    assert clear, errors
    assert all(str(folder.path) not in e for e in errors), errors


def open_folder(path: Path) -> DataFolder:
    """`path` as a data folder: a small tmpfs mounted on it where the machine allows."""
    path.mkdir(parents=True, exist_ok=True)
    return DataFolder(path, _mount_small_tmpfs(path))


def close_folder(folder: DataFolder) -> None:
    """Unmount it, or make it writable again so the test's temporary folder can be removed."""
    if folder.mounted:
        subprocess.run(["umount", "-l", str(folder.path)], check=False)
        return
    for inner in [folder.path, *folder.path.rglob("*")]:
        inner.chmod(0o755)
