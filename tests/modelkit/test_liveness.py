"""The run lock: held by the process that trains a run, and leaving nothing behind when it cannot be taken."""
from __future__ import annotations

import errno
import io

import pytest

from modelkit import liveness
from modelkit.liveness import hold_run_lock, run_lock_holder


def test_the_lock_names_its_holder_while_held_and_no_one_after(tmp_path):
    run = tmp_path / "runs" / "text-1"
    with hold_run_lock(run, "train"):
        holder = run_lock_holder(run)
        assert holder is not None and holder["command"] == "train"
    assert run_lock_holder(run) is None


def test_a_lock_that_cannot_be_written_on_a_full_folder_leaves_no_new_run_folder(tmp_path, monkeypatch):
    class FullDisk(io.StringIO):
        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    real_open = open

    def open_on_full_disk(path, mode="r", *args, **kwargs):
        if str(path).endswith(liveness.LOCK_FILE) and "a" in mode:
            real_open(path, mode).close()  # the empty file a full disk still lets one create
            return FullDisk()
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(liveness, "open", open_on_full_disk, raising=False)
    monkeypatch.setattr(liveness.fcntl, "flock", lambda *args: None)
    run = tmp_path / "runs" / "text-1"
    with pytest.raises(OSError):
        with hold_run_lock(run, "train"):
            pass
    assert not run.exists()


def test_a_failed_lock_in_an_existing_run_folder_keeps_the_folder(tmp_path, monkeypatch):
    run = tmp_path / "runs" / "text-1"
    (run / "model").mkdir(parents=True)
    monkeypatch.setattr(liveness, "_locked", lambda *args: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(OSError):
        with hold_run_lock(run, "train"):
            pass
    assert (run / "model").is_dir()
