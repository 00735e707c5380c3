"""Fault injection on real processes: kill -9 of a training process and of a job's supervisor, and a
crash in the middle of writing a checkpoint, on the tiny config-built BERT (tests/text_builders.py)."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modelkit import jobs
from modelkit.checkpoint import STATE_JSON, CheckpointError, staged, verify
from modelkit.events import EVENTS_FILE, read_events
from modelkit.liveness import run_lock_holder, run_state_from_files
from tests.text_builders import ROOT, run_cli

EVERY = 5  # a checkpoint every 5 steps: what a crash may lose at most
TINY_FLAGS = ["--model", "tiny-bert", "--batch-size", "8", "--max-length", "32", "--log-every-steps", "1",
              "--device", "cpu", "--no-progress", "--no-finalize", "--checkpoint-every-steps", str(EVERY)]
TINY = {"model_name": "tiny-bert", "batch_size": 8, "max_length": 32, "log_every_steps": 1}


def start_training(run_dir: Path, *flags: str, prelude: str = "") -> subprocess.Popen:
    """`python -m modelkit train` in its own process; `prelude` is Python run first (a fault to inject)."""
    args = ["train", "--run-dir", str(run_dir), *TINY_FLAGS, *flags]
    script = f"{prelude}\nimport sys\nfrom modelkit.__main__ import main\nsys.exit(main({args!r}))"
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def logged_steps(run_dir: Path) -> list[int]:
    return [event["step"] for event in read_events(run_dir, ("step",))]


def wait_until(condition, process: subprocess.Popen | None = None, timeout_s: float = 300) -> None:
    deadline = time.time() + timeout_s
    while not condition():
        assert process is None or process.poll() is None, process.stdout.read() if process else ""
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def checkpoint_step(run_dir: Path) -> int:
    return json.loads((run_dir / "checkpoints" / "last" / STATE_JSON).read_text())["global_step"]


def test_kill_9_at_a_random_step_loses_at_most_one_checkpoint_interval_and_the_resume_says_so(tmp_path):
    run_dir = tmp_path / "run"
    kill_at = random.Random().randint(EVERY + 3, 28)
    process = start_training(run_dir, "--max-steps", "40")
    wait_until(lambda: max(logged_steps(run_dir), default=0) >= kill_at, process)
    process.kill()  # SIGKILL: no handler runs, nothing is flushed on purpose
    process.wait()
    last_logged, saved = max(logged_steps(run_dir)), checkpoint_step(run_dir)
    assert run_state_from_files(run_dir) == "interrupted"

    resumed = run_cli("train", "--run-dir", str(run_dir), *TINY_FLAGS, "--max-steps", "40", "--resume")

    assert resumed.returncode == 0, resumed.stderr
    assert 0 <= last_logged - saved <= EVERY, (kill_at, last_logged, saved)
    [resume] = read_events(run_dir, ("resume",))
    assert resume["unclean"] and resume["step"] == saved
    assert resume["message"].startswith(f"resumed after an unclean stop at step {last_logged} "
                                        f"(last checkpoint at step {saved}")
    steps = logged_steps(run_dir)
    assert steps == list(range(1, 41)), "every step once on the curve, none twice"
    raw = [json.loads(line) for line in (run_dir / EVENTS_FILE).read_text().splitlines()]
    assert len([e for e in raw if e["type"] == "step"]) == 40 + last_logged - saved  # the file keeps the redone ones
    assert run_state_from_files(run_dir) == "done"


# Dies (like kill -9: no cleanup) after the second checkpoint's weights are written, before its optimizer.
DIE_MID_CHECKPOINT = """
import os
import modelkit.checkpoint as checkpoint
real_save_file, calls = checkpoint.save_file, []
def save_file(tensors, path, *args, **kwargs):
    if path.endswith(checkpoint.OPTIMIZER_TENSORS):
        calls.append(path)
        if len(calls) == 2:
            os._exit(137)
    return real_save_file(tensors, path, *args, **kwargs)
checkpoint.save_file = save_file
"""


def test_a_crash_in_the_middle_of_a_checkpoint_leaves_the_previous_one_whole_and_resume_uses_it(tmp_path):
    run_dir = tmp_path / "run"
    process = start_training(run_dir, "--max-steps", "20", prelude=DIE_MID_CHECKPOINT)
    assert process.wait(timeout=300) == 137, process.stdout.read()

    checkpoints = run_dir / "checkpoints"
    [partial] = [p for p in checkpoints.iterdir() if p.is_dir() and not p.is_symlink()
                 and p.resolve() != (checkpoints / "last").resolve()]
    assert (partial / "model.safetensors").exists() and not (partial / STATE_JSON).exists()
    with pytest.raises(CheckpointError, match="no manifest.json"):
        verify(partial)
    assert verify(checkpoints / "last") and checkpoint_step(run_dir) == EVERY

    resumed = run_cli("train", "--run-dir", str(run_dir), *TINY_FLAGS, "--max-steps", "20", "--resume")

    assert resumed.returncode == 0, resumed.stderr
    assert read_events(run_dir, ("resume",))[0]["step"] == EVERY
    assert not partial.exists(), "the next save removes the orphan of the crashed one"
    assert checkpoint_step(run_dir) == 20 and logged_steps(run_dir) == list(range(1, 21))


def test_a_checkpoint_that_does_not_match_its_manifest_is_never_loaded(tmp_path):
    with staged(tmp_path / "last") as stage:
        (stage / "weights.bin").write_bytes(b"\x01" * 64)
        (stage / STATE_JSON).write_text('{"global_step": 32}')
    assert verify(tmp_path / "last")["files"]["weights.bin"]["bytes"] == 64
    (tmp_path / "last" / "weights.bin").write_bytes(b"\x01" * 32)  # cut short after the switch (disk error)

    with pytest.raises(CheckpointError, match="weights.bin does not match the manifest \\(32 bytes, 64 expected\\)"):
        verify(tmp_path / "last")


def test_a_second_save_switches_the_name_to_a_new_folder_and_removes_the_old_one(tmp_path):
    for step in (16, 32):
        with staged(tmp_path / "last") as stage:
            (stage / STATE_JSON).write_text(json.dumps({"global_step": step}))
    assert (tmp_path / "last").is_symlink()
    assert json.loads((tmp_path / "last" / STATE_JSON).read_text()) == {"global_step": 32}
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_symlink()) == [(tmp_path / "last").resolve().name]


def test_kill_9_of_a_supervisor_keeps_the_device_busy_until_its_training_process_ends(app_data_dir):
    root = app_data_dir / "runs"
    first = jobs.submit(jobs.JobSpec(config={**TINY, "epochs": 200, "max_train_rows": 64}), root)
    wait_until(lambda: logged_steps(root / first))
    supervisor = jobs.read_job(root / first)["pid"]
    trainer = run_lock_holder(root / first)["pid"]

    os.kill(supervisor, signal.SIGKILL)
    wait_until(lambda: not jobs.process_alive(supervisor))
    second = jobs.submit(jobs.JobSpec(config={**TINY, "max_steps": 1}), root)

    status = jobs.job_status(first, root)
    assert status["state"] == "running" and status["supervisor_lost"], status
    assert jobs.job_status(second, root)["state"] == "queued"
    assert jobs.process_alive(trainer)

    assert jobs.cancel(first, root) == "cancelling"  # reaches the orphaned training process through its group
    assert jobs.wait(first, timeout_s=300, root=root)["state"] == "cancelled"
    assert read_events(root / first, ("cancelled",))
    wait_until(lambda: not jobs.process_alive(trainer), timeout_s=60)  # it drops the lock, then exits
    assert jobs.job_status(second, root)["state"] in ("running", "done")
    jobs.cancel(second, root)
    jobs.wait(second, timeout_s=300, root=root)
