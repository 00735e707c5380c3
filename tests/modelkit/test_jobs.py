"""Background jobs on real subprocesses: submit, queue, status, cancel, and a vanished process."""
from __future__ import annotations

import time

from modelkit import jobs
from modelkit.events import read_events

TINY = {"model_name": "tiny-bert", "batch_size": 8, "max_length": 32, "log_every_steps": 1}


def long_tiny_job() -> jobs.JobSpec:
    return jobs.JobSpec(config={**TINY, "epochs": 200, "max_train_rows": 64})


def wait_for_first_step(run_id: str, root, timeout_s: float = 300) -> None:
    deadline = time.time() + timeout_s
    while not read_events(root / run_id, ("step",)):
        assert time.time() < deadline, jobs.log_tail(root / run_id)
        assert jobs.job_status(run_id, root)["state"] == "running", jobs.log_tail(root / run_id)
        time.sleep(0.5)


def test_a_submitted_job_runs_in_its_own_process_and_finishes_with_a_run_card(app_data_dir):
    root = app_data_dir / "runs"

    run_id = jobs.submit(jobs.JobSpec(config={**TINY, "max_steps": 2}), root)
    status = jobs.wait(run_id, timeout_s=600, root=root)

    assert status["state"] == "done", status.get("error")
    assert status["returncode"] == 0
    assert (root / run_id / "run_card.json").exists()
    assert (root / run_id / "train.log").exists()
    assert status["progress"]["step"] == 2


def test_a_second_job_queues_visibly_and_cancelling_the_first_starts_it(app_data_dir):
    root = app_data_dir / "runs"
    first = jobs.submit(long_tiny_job(), root)
    second = jobs.submit(jobs.JobSpec(config={**TINY, "max_steps": 1}), root)

    queue = jobs.list_queue(root=root)
    assert [(job["run_id"], job["state"]) for job in queue] == [(first, "running"), (second, "queued")]
    assert jobs.job_status(second, root)["ahead"] == 1

    wait_for_first_step(first, root)
    assert jobs.cancel(first, root) == "cancelling"
    assert jobs.wait(first, timeout_s=300, root=root)["state"] == "cancelled"
    assert read_events(root / first, ("cancelled",))
    assert (root / first / "checkpoints" / "last" / "train_state.json").exists()
    assert jobs.wait(second, timeout_s=600, root=root)["state"] == "done"


def test_cancelling_a_queued_job_drops_it_without_starting_it(app_data_dir):
    root = app_data_dir / "runs"
    first = jobs.submit(long_tiny_job(), root)
    second = jobs.submit(long_tiny_job(), root)

    assert jobs.cancel(second, root) == "cancelled"
    assert jobs.job_status(second, root)["pid"] is None
    jobs.cancel(first, root)
    assert jobs.wait(first, timeout_s=300, root=root)["state"] == "cancelled"
    assert jobs.list_queue(root=root) == []


def test_a_running_job_whose_process_vanished_is_marked_failed_and_frees_the_device(app_data_dir):
    root = app_data_dir / "runs"
    (root / "ghost").mkdir(parents=True)
    jobs.write_job(root / "ghost", {"run_id": "ghost", "spec": {}, "device": "cpu", "state": "running",
                                    "submitted_at": 0.0, "pid": 2**22 + 12345})

    status = jobs.job_status("ghost", root)

    assert status["state"] == "failed" and "vanished" in status["error"]
    assert jobs.list_queue("cpu", root) == []


def test_train_specs_become_cli_flags_and_several_processes_go_through_accelerate_launch(tmp_path):
    job = {"spec": {"command": "train", "config": {"model_name": "tiny-bert", "max_steps": 2, "freeze_embeddings": True,
                                                   "text_column": None}, "num_processes": 2}, "device": "cpu"}

    command = jobs.build_command(job, tmp_path)

    assert command[1:4] == ["-m", "accelerate.commands.launch", "--multi_gpu"]
    assert command[command.index("--num_processes") + 1] == "2"
    assert "--max-steps" in command and "--freeze-embeddings" in command and "--text-column" not in command


def test_a_job_whose_start_fails_on_a_full_folder_stays_queued_and_a_later_poll_starts_it(app_data_dir, monkeypatch):
    import errno

    root = app_data_dir / "runs"
    real_advance = jobs.advance_queue

    def full_disk(root):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(jobs, "advance_queue", full_disk)
    run_id = jobs.submit(jobs.JobSpec(config={**TINY, "max_steps": 1}), root)
    assert jobs.read_job(root / run_id)["state"] == "queued"  # kept, not lost: the page may say "queued"

    monkeypatch.setattr(jobs, "advance_queue", real_advance)
    assert jobs.wait(run_id, timeout_s=600, root=root)["state"] == "done"
