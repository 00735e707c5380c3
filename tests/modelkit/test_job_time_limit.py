"""Hosted mode's time cap on background jobs, on a real subprocess."""
from __future__ import annotations

from modelkit import jobs

TINY = {"model_name": "tiny-bert", "batch_size": 8, "max_length": 32, "log_every_steps": 1}


def test_a_job_over_its_time_limit_is_stopped_like_a_cancel_and_says_why(app_data_dir):
    root = app_data_dir / "runs"
    run_id = jobs.submit(jobs.JobSpec(config={**TINY, "epochs": 200, "max_train_rows": 64}, time_limit_s=2), root)
    status = jobs.wait(run_id, timeout_s=300, root=root)
    assert status["state"] == "cancelled"
    assert status["stopped_because"] == "time limit of 2 s reached"
    assert jobs.list_queue(root=root) == []


def test_a_job_without_a_time_limit_records_no_reason_to_stop(app_data_dir):
    root = app_data_dir / "runs"
    run_id = jobs.submit(jobs.JobSpec(config={**TINY, "max_steps": 1}), root)
    status = jobs.wait(run_id, timeout_s=600, root=root)
    assert status["state"] == "done" and "stopped_because" not in status
