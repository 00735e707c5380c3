"""Runs belong to one project: recorded at submission (page) or with --project (CLI), listed per project,
and runs from before projects were recorded are listed apart until a project adopts them."""
from __future__ import annotations

import json

import pytest

from business.costs.run_cards import run_caveats
from modelkit import jobs
from modelkit.__main__ import build_parser
from modelkit.runs import (NO_PROJECT, RunOwnershipError, adopt_run, list_runs, read_run_card, read_run_project,
                           write_run_project)
from tests.report_builders import write_run


def test_each_project_lists_only_its_own_runs_and_old_runs_are_listed_apart(tmp_path):
    write_run(tmp_path, "example-a", project_id=1)
    write_run(tmp_path, "example-b", task="image", project_id=1)
    write_run(tmp_path, "other-a", project_id=2)
    write_run(tmp_path, "from-before", project_id=None)

    assert sorted(r.run_id for r in list_runs(tmp_path, project_id=1)) == ["example-a", "example-b"]
    assert [r.run_id for r in list_runs(tmp_path, project_id=2)] == ["other-a"]
    assert [r.run_id for r in list_runs(tmp_path, project_id=3)] == []
    assert [r.run_id for r in list_runs(tmp_path, project_id=NO_PROJECT)] == ["from-before"]
    assert len(list_runs(tmp_path)) == 4


def test_adopting_an_old_run_gives_it_to_the_project_and_its_run_card_says_so(tmp_path):
    folder = write_run(tmp_path, "from-before", project_id=None)

    adopt_run(folder, 3)

    assert read_run_project(folder) == 3
    assert read_run_card(folder)["project_id"] == 3
    assert [r.run_id for r in list_runs(tmp_path, project_id=3)] == ["from-before"]
    assert list_runs(tmp_path, project_id=NO_PROJECT) == []


def test_another_projects_run_cannot_be_adopted(tmp_path):
    folder = write_run(tmp_path, "theirs", project_id=1)

    with pytest.raises(RunOwnershipError, match="theirs belongs to project 1, not 2"):
        adopt_run(folder, 2)
    assert read_run_project(folder) == 1


def test_a_submitted_job_belongs_to_its_project_from_the_start_even_when_it_fails(app_data_dir, tmp_path):
    root = app_data_dir / "runs"
    spec = jobs.JobSpec(config={"data_path": str(tmp_path / "missing.csv")}, device="cpu", project_id=7)

    run_id = jobs.submit(spec, root)

    assert json.loads((root / run_id / "project.json").read_text()) == {"project_id": 7}
    assert jobs.wait(run_id, timeout_s=300, root=root)["state"] == "failed"
    assert [r.run_id for r in list_runs(root, project_id=7)] == [run_id]


def test_the_training_command_carries_the_project_and_the_cli_accepts_only_a_project_id():
    job = {"spec": {"command": "train", "config": {"epochs": 1}, "project_id": 7}, "device": "cpu"}

    command = jobs.build_command(job, jobs.runs_root() / "r")

    assert command[command.index("--project") + 1] == "7"
    assert build_parser().parse_args(["train", "--run-dir", "r", "--project", "7"]).project == 7
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--run-dir", "r", "--project", "TicketSense"])


def test_a_tiny_run_records_its_project_and_is_labelled_a_short_run_on_its_card(tmp_path):
    from tests.text_builders import train_tiny

    run = tmp_path / "run"
    write_run_project(run, 4)
    train_tiny(run, max_steps=2)

    card = read_run_card(run)
    assert card["project_id"] == 4
    assert card["training"]["stopped_by"] == "max_steps"
    assert card["training"]["steps_per_epoch"] > 2
    assert card["training"]["train_rows"] >= card["training"]["min_train_rows"] > 0
    assert [c.tag for c in run_caveats(card)] == ["short run"]
