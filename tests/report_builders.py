"""Builders for investor-report tests: a saved example project and run folders with run cards."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.costs.catalog import load_catalog
from business.example_project import EXAMPLE_CANVAS, example_assumptions
from business.financials.storage import save_assumptions
from business.reports.summary import InvestorSummary, build_summary
from business.store import Store

TODAY = date(2026, 11, 29)


def saved_example(folder: Path, with_assumptions: bool = True) -> tuple[Store, int]:
    store = Store(folder / "founder.db")
    project = store.create_project("TicketSense")
    canvas = canvas_from_dict(EXAMPLE_CANVAS)
    store.save(project.id, "canvas", canvas_to_dict(canvas), None, "first")
    if with_assumptions:
        save_assumptions(store, project.id, example_assumptions(canvas), None, "first")
    return store, project.id


def write_run(runs_dir: Path, run_id: str, task: str = "text", accuracy: float = 0.9, project_id: int | None = 1,
              **extra) -> Path:
    """A finished run's folder with its run card, of project 1 (what `saved_example` creates in a fresh store)
    unless told; project_id=None writes a card from before runs had a project."""
    folder = runs_dir / run_id
    folder.mkdir(parents=True, exist_ok=True)
    card = {
        "run_id": run_id, "task": task, "project_id": project_id, "created": "2026-11-28T10:00:00Z",
        "model": {"name": "bundled all-MiniLM-L6-v2" if task == "text" else "resnet18",
                  "parameters": 22_713_216 if task == "text" else 11_689_512, "labels": ["a", "b"]},
        "config": {"batch_size": 16, "max_length": 128, "image_size": 64},
        "metrics": {"accuracy": accuracy, "macro_f1": accuracy - 0.02, "examples": 400, "per_class": {}},
        "training": {"global_step": 300},
        "throughput": {"samples_per_s": 250.0, "device": "cpu"},
        "latency_ms_p50": 12.5, "size_bytes": 90_000_000,
    }
    card.update(extra)
    (folder / "run_card.json").write_text(json.dumps(card))
    return folder


def summary_of(store: Store, project_id: int, runs_dir: Path) -> InvestorSummary:
    return build_summary(store, project_id, runs_dir, load_catalog(), TODAY)


def feature_for_investors(data_dir: Path, run_id: str, task: str = "text") -> int:
    """The app's example project seeded in data_dir (as on first start), given the run data_dir/runs/run_id and
    showing it to investors (a 2-step tiny run is a short run: it is never shown unless chosen)."""
    from business.reports.featured import feature_run
    from modelkit.runs import adopt_run
    from ui.session import seed_example_project

    store = Store(data_dir / "founder.db")
    project_id = store.list_projects()[0].id if store.list_projects() else seed_example_project(store)
    adopt_run(data_dir / "runs" / run_id, project_id)
    feature_run(store, project_id, task, run_id)
    return project_id
