"""Background runs with one file-based queue per device, shared by every browser session.

`submit(JobSpec(...))` creates `<runs_root>/<run_id>/job.json` (state "queued") and starts the job at
once if its device is free. A started job is `python -m modelkit.jobs run <run_dir>`: a small
supervisor in its own session that runs `python -m modelkit <command> ...` (under `accelerate launch`
when several processes are asked for), sends its output to `<run_dir>/train.log`, records the exit
state in job.json and then starts the next queued job. Nothing lives in the page's memory, so runs
survive reruns, reloads and closed tabs. `job_status`, `list_queue` and `cancel` read and write the
same files under a lock. States: queued -> running -> done | failed | cancelled. No torch import here.
A spec's project_id is written to the run folder at submission (modelkit.runs.write_run_project), so a
run is listed under its project while it waits, runs, fails or is cancelled.

A job counts as running while its supervisor lives (its pid and kernel start time are in job.json, so a
reused pid does not count) or while its training process holds the run's lock (modelkit.liveness): a
supervisor killed with -9 leaves its training process running, and the device stays busy until that
process ends; the job's end state then comes from the run's own events.
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from modelkit.events import last_event, read_events
from modelkit.liveness import process_start_time, run_lock_holder, run_state_from_files
from modelkit.paths import REPO_ROOT, runs_root
from modelkit.runs import write_run_project

JOB_FILE = "job.json"
LOG_FILE = "train.log"
ACTIVE = ("queued", "running", "cancelling")
CANCEL_GRACE_S = 60.0


@dataclass
class JobSpec:
    command: str = "train"  # train | compress | eval
    task: str = "text"
    config: dict = field(default_factory=dict)  # TrainConfig fields for "train"; compress flags for "compress"
    device: str = "auto"  # auto | cpu | cuda | mps
    num_processes: int = 1
    run_id: str = ""  # given to re-run an existing run (compress/eval, or train with resume)
    resume: bool = False
    time_limit_s: float | None = None  # hosted mode caps a job's run time; it stops as if cancelled
    project_id: int | None = None  # the store's id of the project the run belongs to (recorded, never looked up)


class JobError(ValueError):
    pass


def device_key(device: str) -> str:
    """The queue a job waits in: one physical device (all GPUs of the host count as one queue)."""
    if device != "auto":
        return device
    from modelkit.hardware import describe_hardware

    if describe_hardware().gpus:
        return "cuda"
    return "mps" if sys.platform == "darwin" and os.uname().machine == "arm64" else "cpu"


def new_run_id(task: str) -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{task}-{secrets.token_hex(2)}"


@contextmanager
def queue_lock(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".queue.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_job(run_dir: Path) -> dict:
    return json.loads((Path(run_dir) / JOB_FILE).read_text())


def write_job(run_dir: Path, job: dict) -> None:
    tmp = Path(run_dir) / (JOB_FILE + ".tmp")
    tmp.write_text(json.dumps(job, indent=2))
    tmp.replace(Path(run_dir) / JOB_FILE)


def config_flags(config: dict) -> list[str]:
    flags = []
    for key, value in config.items():
        if value is None or value is False or key == "label_names":
            continue
        flag = "--" + key.replace("_", "-")
        flags += [flag] if value is True else [flag, str(value)]
    return flags


def build_command(job: dict, run_dir: Path) -> list[str]:
    spec = job["spec"]
    args = [spec["command"], "--run-dir", str(run_dir)]
    if spec["command"] == "train":
        args += ["--no-progress", "--device", job["device"]] + config_flags(spec["config"])
        args += ["--resume"] if spec.get("resume") else []
        args += ["--project", str(spec["project_id"])] if spec.get("project_id") else []
    elif spec["command"] == "compress":  # the compression request (method, layers, ...) rides in config
        args += ["--no-progress"] + config_flags(spec["config"])
    if spec.get("num_processes", 1) > 1:
        return accelerate_launch_prefix(spec["num_processes"]) + ["-m", "modelkit", *args]
    return [sys.executable, "-m", "modelkit", *args]


def accelerate_launch_prefix(num_processes: int) -> list[str]:
    """`accelerate launch` over torchrun; precision is chosen inside the trainer, so "no" here.

    --multi_gpu is accelerate's name for "several local processes"; with `--device cpu` the trainer
    builds a CPU Accelerator and the processes talk over gloo, which is how the 2-process CPU test runs.
    """
    return [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(num_processes),
            "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]


def submit(spec: JobSpec, root: str | Path | None = None) -> str:
    root = Path(root or runs_root())
    run_id = spec.run_id or new_run_id(spec.task)
    run_dir = root / run_id
    new_folder = not run_dir.exists()
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        with queue_lock(root):
            if (run_dir / JOB_FILE).exists() and read_job(run_dir)["state"] in ACTIVE:
                raise JobError(f"run {run_id} is already {read_job(run_dir)['state']}")
            if spec.project_id is not None:  # owned from the start, so even a queued or failed run is listed there
                write_run_project(run_dir, spec.project_id)
            write_job(run_dir, {"run_id": run_id, "spec": asdict(spec), "device": device_key(spec.device),
                                "state": "queued", "submitted_at": time.time(), "pid": None})
    except OSError:
        if new_folder:  # a full data folder: leave no half-made run behind to be listed as "unknown"
            shutil.rmtree(run_dir, ignore_errors=True)
        raise
    try:
        advance_queue(root)
    except OSError:  # it is queued, not lost: every status poll (job_status) retries the start
        pass
    return run_id


def process_alive(pid: int | None, started: int | None = None) -> bool:
    """The process lives (and, when its start time was recorded, is still the same process, not a new one
    that was given the same pid)."""
    if not pid:
        return False
    if started is not None and process_start_time(pid) not in (None, started):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a finished child not yet reaped by its parent is a zombie: as good as gone
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return True


def all_jobs(root: Path) -> list[tuple[Path, dict]]:
    if not root.exists():
        return []
    jobs = [(folder, read_job(folder)) for folder in root.iterdir() if (folder / JOB_FILE).exists()]
    return sorted(jobs, key=lambda item: item[1]["submitted_at"])


def advance_queue(root: str | Path | None = None) -> None:
    """Mark vanished jobs failed and start the oldest queued job on every idle device."""
    root = Path(root or runs_root())
    with queue_lock(root):
        busy = set()
        for folder, job in all_jobs(root):
            if job["state"] not in ("running", "cancelling"):
                continue
            if process_alive(job["pid"], job.get("pid_started")):
                busy.add(job["device"])
            elif run_lock_holder(folder) is not None:
                # the supervisor died (kill -9) but its training process still runs: the device is not free
                if not job.get("supervisor_lost"):
                    job["supervisor_lost"] = time.time()
                    write_job(folder, job)
                busy.add(job["device"])
            else:
                write_job(folder, ended_without_supervisor(folder, job))
        for folder, job in all_jobs(root):
            if job["state"] == "queued" and job["device"] not in busy:
                start_supervisor(folder, job)
                busy.add(job["device"])


def ended_without_supervisor(run_dir: Path, job: dict) -> dict:
    """How a job ended whose supervisor could not record it: from the run's last events."""
    session = read_events(run_dir)
    starts = [i for i, event in enumerate(session) if event["type"] in ("start", "resume")]
    ends = [e for e in session[starts[-1] if starts else 0:] if e["type"] in ("done", "cancelled", "error")]
    if job["state"] == "cancelling" or (ends and ends[-1]["type"] == "cancelled"):
        return {**job, "state": "cancelled", "ended_at": time.time()}
    if ends and ends[-1]["type"] == "done":
        return {**job, "state": "done", "ended_at": time.time()}
    steps = [e["step"] for e in session if e["type"] == "step"]
    reason = ends[-1].get("message") if ends else (
        f"the job process vanished (last step logged: {steps[-1]})" if steps else "the job process vanished")
    return {**job, "state": "failed", "ended_at": time.time(), "error": reason}


def start_supervisor(run_dir: Path, job: dict) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "modelkit.jobs", "run", str(run_dir)], cwd=REPO_ROOT, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)  # own process group: cancel signals the whole job
    job.update(state="running", pid=process.pid, pid_started=process_start_time(process.pid), started_at=time.time())
    write_job(run_dir, job)


def supervise(run_dir: Path) -> int:
    """Body of the supervisor process: run the command, record how it ended, start the next job."""
    run_dir = Path(run_dir)
    job = read_job(run_dir)
    cancelled = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *_: cancelled.update(flag=True))  # the child got it too; wait for it
    with open(run_dir / LOG_FILE, "ab") as log:
        child = subprocess.Popen(build_command(job, run_dir), cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
        returncode = wait_for_child(child, cancelled, job["spec"].get("time_limit_s"))
    with queue_lock(run_dir.parent):
        job = read_job(run_dir)
        state = "cancelled" if cancelled["flag"] or job["state"] == "cancelling" else "done" if returncode == 0 else "failed"
        job.update(state=state, returncode=returncode, ended_at=time.time())
        if cancelled.get("reason"):
            job["stopped_because"] = cancelled["reason"]
        if state == "failed":
            job["error"] = log_tail(run_dir, 20)
        write_job(run_dir, job)
    advance_queue(run_dir.parent)
    return returncode


def wait_for_child(child: subprocess.Popen, cancelled: dict, time_limit_s: float | None = None) -> int:
    deadline = None
    started = time.time()
    while True:
        try:
            return child.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        if time_limit_s and not cancelled["flag"] and time.time() - started > time_limit_s:
            # Over the cap: stop it the way a cancel does, so it still saves a checkpoint.
            cancelled.update(flag=True, reason=f"time limit of {time_limit_s:,.0f} s reached")
            child.terminate()
        if cancelled["flag"] and deadline is None:
            deadline = time.time() + CANCEL_GRACE_S
        if deadline is not None and time.time() > deadline:
            child.kill()  # it ignored the polite stop: a checkpoint is worth less than a free device


def cancel(run_id: str, root: str | Path | None = None) -> str:
    """Queued jobs are dropped; a running job is asked to stop (it saves a checkpoint first)."""
    root = Path(root or runs_root())
    run_dir = root / run_id
    with queue_lock(root):
        job = read_job(run_dir)
        if job["state"] == "queued":
            job.update(state="cancelled", ended_at=time.time())
        elif job["state"] == "running":
            job["state"] = "cancelling"
            if not stop_job_processes(run_dir, job):
                job["state"] = "cancelled"
        write_job(run_dir, job)
    advance_queue(root)
    return job["state"]


def stop_job_processes(run_dir: Path, job: dict) -> bool:
    """SIGTERM to the job's process group (supervisor, launcher, training), or to the lock holder when
    the supervisor is gone; False when nothing was left to stop."""
    stopped = False
    if process_alive(job["pid"], job.get("pid_started")) or job.get("supervisor_lost"):
        try:  # the group outlives its leader: an orphaned training process is still in it
            os.killpg(job["pid"], signal.SIGTERM)
            stopped = True
        except ProcessLookupError:
            pass
    holder = run_lock_holder(run_dir)
    if not stopped and holder and holder.get("pid") and process_alive(holder["pid"], holder.get("started")):
        os.kill(holder["pid"], signal.SIGTERM)
        stopped = True
    return stopped


def log_tail(run_dir: Path, lines: int = 20) -> str:
    path = Path(run_dir) / LOG_FILE
    if not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def list_queue(device: str | None = None, root: str | Path | None = None) -> list[dict]:
    """Active jobs (running first, then queued in order), with their place in line."""
    root = Path(root or runs_root())
    active = [job for _, job in all_jobs(root) if job["state"] in ACTIVE and (device is None or job["device"] == device)]
    active.sort(key=lambda job: (job["state"] == "queued", job["submitted_at"]))
    return [{**job, "position": index} for index, job in enumerate(active)]


def job_status(run_id: str, root: str | Path | None = None) -> dict:
    """job.json plus the latest progress event and, while queued, how many jobs are ahead."""
    root = Path(root or runs_root())
    advance_queue(root)
    job = read_job(root / run_id) if (root / run_id / JOB_FILE).exists() else run_without_job(root / run_id)
    job["progress"] = last_event(root / run_id, ("step",))
    job["last_eval"] = last_event(root / run_id, ("eval",))
    if job["state"] == "queued":
        job["ahead"] = [j["run_id"] for j in list_queue(job["device"], root)].index(run_id)
    return job


def run_without_job(run_dir: Path) -> dict:
    """A run trained from the CLI straight into the runs folder has events but no job.json."""
    return {"run_id": run_dir.name, "spec": {}, "device": "cpu", "state": run_state_from_files(run_dir), "pid": None,
            "submitted_at": 0.0}


def wait(run_id: str, timeout_s: float = 600, root: str | Path | None = None, poll_s: float = 0.5) -> dict:
    """Block until the job leaves the active states (the CLI and tests; pages poll instead)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        status = job_status(run_id, root)
        if status["state"] not in ACTIVE:
            return status
        time.sleep(poll_s)
    raise TimeoutError(f"job {run_id} still {status['state']} after {timeout_s} s")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "run":
        sys.exit(supervise(Path(sys.argv[2])))
    print("usage: python -m modelkit.jobs run RUN_DIR  (started by modelkit.jobs.submit)", file=sys.stderr)
    sys.exit(2)
