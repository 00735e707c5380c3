"""Compare models: train every image model available here on the same data with the same budget, as queued jobs.

`start_comparison(data_path, Budget(epochs=2), project_id)` checks the data, lists the candidates (the
small CNN always; the bundled EfficientNet-Lite0 when its packages are installed; MobileNetV3-Small,
ResNet-18 and ShuffleNetV2 when their ImageNet weights are in the local torch cache or their server can
be reached, else listed with the reason), and submits one ordinary training job per candidate to the
device queue (modelkit.jobs) plus a last "compare" job that measures them all side by side
(modelkit.vision.compare_rows). Every candidate shares the epochs, step cap, batch size, seed, validation
split and augmentation; only the learning rate follows the model (a CNN from scratch and a pretrained
backbone need different rates: modelkit.defaults). Each candidate is a normal run (run folder, run card)
whose config carries the comparison id. The comparison's own folder, `<runs>/<comparison id>/`, holds
comparison.json (this plan) and rows.json (the measured table); its job's task is "compare", so run
pickers, which list "text" and "image" runs, never show it. No streamlit here; the page and
`python -m modelkit compare` call the same functions.
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

from modelkit import jobs
from modelkit.config import TrainConfig
from modelkit.defaults import IMAGE_LEARNING_RATE, PRETRAINED_LEARNING_RATE
from modelkit.paths import runs_root
from modelkit.vision.lite0 import ARCH_PACKAGE, LITE0, WEIGHTS_PACKAGE, bundled_available

COMPARE_TASK = "compare"  # the task (and command) of a comparison's measuring job
COMPARISON_FILE = "comparison.json"
ROWS_FILE = "rows.json"
TORCHVISION_CANDIDATES = ("mobilenet_v3_small", "resnet18", "shufflenet_v2_x1_0")
CANDIDATES = ("small_cnn", LITE0) + TORCHVISION_CANDIDATES


class ComparisonError(ValueError):
    """A comparison that cannot start or be read; the message names the bad value."""


@dataclass(frozen=True)
class Candidate:
    model: str
    available: bool
    reason: str  # why it is in, or why it is left out


@dataclass(frozen=True)
class Budget:
    """What every candidate gets alike."""
    epochs: int = 2
    max_steps: int | None = None
    batch_size: int = 64
    seed: int = 42
    val_fraction: float = 0.2
    augment: str = ""
    image_size: int = 0  # 0: each model at its own input size (224 px for the backbones, 32 for the small CNN)

    def check(self) -> "Budget":
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ComparisonError(f"{name} {value!r} must be a whole number of at least 1")
        if self.max_steps is not None and (not isinstance(self.max_steps, int) or self.max_steps < 1):
            raise ComparisonError(f"max_steps {self.max_steps!r} must be a whole number of at least 1, or none")
        if isinstance(self.image_size, bool) or not isinstance(self.image_size, int) or self.image_size < 0:
            raise ComparisonError(f"image_size {self.image_size!r} must be 0 (each model's own) or a size in pixels")
        if not 0 < self.val_fraction < 1:
            raise ComparisonError(f"val_fraction {self.val_fraction!r} must be between 0 and 1")
        return self


def torchvision_candidate(name: str, host_reachable: dict) -> Candidate:
    """Available when its ImageNet weights are cached here or can be downloaded (one probe per host)."""
    import torchvision

    from modelkit.online import url_reachable
    from modelkit.vision.model import cached_weights_path

    weights = torchvision.models.get_model_weights(name).DEFAULT
    path = cached_weights_path(weights)
    if path.exists():
        return Candidate(name, True, f"ImageNet weights in the local torch cache ({path.name})")
    host = urlparse(weights.url).hostname or "?"
    if host not in host_reachable:
        host_reachable[host] = url_reachable(weights.url)
    if host_reachable[host]:
        return Candidate(name, True, f"ImageNet weights downloaded from {host} when its job starts (online)")
    return Candidate(name, False, f"its ImageNet weights are not in the local torch cache ({path.parent}) and "
                                  f"{host} cannot be reached (offline)")


def candidates() -> list[Candidate]:
    """Every candidate, available or not, each with its reason."""
    found = [Candidate("small_cnn", True, "always: trained from scratch, needs no weights")]
    found.append(Candidate(LITE0, True, "ImageNet weights bundled with the app (offline)") if bundled_available()
                 else Candidate(LITE0, False, f"the packages {WEIGHTS_PACKAGE} and {ARCH_PACKAGE} are not installed"))
    probes: dict[str, bool] = {}
    return found + [torchvision_candidate(name, probes) for name in TORCHVISION_CANDIDATES]


def check_data(data_path: str, budget: Budget) -> dict:
    """The data report (classes, counts), loaded as every candidate's job will load it; ImageDataError (a
    ValueError) says what is wrong: no data, one class, unreadable images."""
    from modelkit.vision.sources import load_image_splits

    if not str(data_path).strip():
        raise ComparisonError("no data: give a folder or zip with one folder per class, or 'digits'")
    config = TrainConfig(task="image", model_name="small_cnn", data_path=str(data_path), seed=budget.seed,
                         val_fraction=budget.val_fraction)
    return load_image_splits(config, 32)[2].to_dict()


def candidate_config(model: str, data_path: str, budget: Budget, comparison_id: str) -> dict:
    rate = IMAGE_LEARNING_RATE if model == "small_cnn" else PRETRAINED_LEARNING_RATE
    return asdict(TrainConfig(task="image", model_name=model, data_path=data_path, epochs=budget.epochs,
                              max_steps=budget.max_steps, batch_size=budget.batch_size, seed=budget.seed,
                              val_fraction=budget.val_fraction, augment=budget.augment, learning_rate=rate,
                              image_size=budget.image_size,
                              warmup_ratio=0.05, comparison_id=comparison_id))


def new_comparison_id() -> str:
    return f"{time.strftime('%Y%m%d-%H%M%S')}-compare-{secrets.token_hex(2)}"


def plan_comparison(data_path: str, budget: Budget, project_id: int | None = None, report: dict | None = None,
                    root: str | Path | None = None, found: list[Candidate] | None = None) -> dict:
    """Check the data and write `<root>/<comparison id>/comparison.json`: every candidate with its reason and,
    when available, its run id and training config. `report`: the page's data check, if it has one."""
    root = Path(root or runs_root())
    budget = budget.check()
    report = report or check_data(data_path, budget)
    if len(report.get("classes") or []) < 2:
        raise ComparisonError(f"the data has {len(report.get('classes') or [])} class(es); a comparison needs 2")
    comparison_id = new_comparison_id()
    found = found if found is not None else candidates()
    plan = {"comparison_id": comparison_id, "project_id": project_id, "data_path": str(data_path),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "budget": asdict(budget),
            "classes": list(report["classes"]), "train_images": sum(report["train_counts"].values()),
            "val_images": sum(report["val_counts"].values()), "candidates": []}
    for candidate in found:
        entry = {**asdict(candidate), "run_id": None, "config": None}
        if candidate.available:
            entry.update(run_id=jobs.new_run_id("image"),
                         config=candidate_config(candidate.model, str(data_path), budget, comparison_id))
        plan["candidates"].append(entry)
    (root / comparison_id).mkdir(parents=True)
    write_json(root / comparison_id / COMPARISON_FILE, plan)
    return plan


def start_comparison(data_path: str, budget: Budget, project_id: int | None = None, report: dict | None = None,
                     time_limit_s: float | None = None, root: str | Path | None = None,
                     found: list[Candidate] | None = None) -> str:
    """Plan the comparison and queue its jobs: one training job per available candidate, then the measuring
    job. Returns the comparison id."""
    root = Path(root or runs_root())
    plan = plan_comparison(data_path, budget, project_id, report, root, found)
    comparison_id, submitted = plan["comparison_id"], []
    try:
        for candidate in plan["candidates"]:
            if candidate["run_id"]:
                submitted.append(jobs.submit(jobs.JobSpec(task="image", config=candidate["config"],
                                                          run_id=candidate["run_id"], project_id=project_id,
                                                          time_limit_s=time_limit_s), root))
        # last in the queue: it runs when every candidate has ended, and measures those that finished
        jobs.submit(jobs.JobSpec(command=COMPARE_TASK, task=COMPARE_TASK, run_id=comparison_id, project_id=project_id,
                                 time_limit_s=time_limit_s), root)
    except OSError:  # a full data folder: take back what was queued, so no half comparison runs
        for run_id in submitted:
            jobs.cancel(run_id, root)
        raise
    return comparison_id


def write_json(path: Path, payload: dict) -> None:
    part = path.with_name(path.name + ".tmp")
    part.write_text(json.dumps(payload, indent=2, default=str))
    part.replace(path)


def read_comparison(comparison_id: str, root: str | Path | None = None) -> dict:
    folder = Path(root or runs_root()) / comparison_id
    try:
        return json.loads((folder / COMPARISON_FILE).read_text())
    except FileNotFoundError:
        raise ComparisonError(f"no comparison {comparison_id!r} under {folder.parent}") from None


def read_rows(comparison_id: str, root: str | Path | None = None) -> dict | None:
    """The measured table ({"rows", "skipped", "hardware", ...}) once the measuring job has written it."""
    path = Path(root or runs_root()) / comparison_id / ROWS_FILE
    return json.loads(path.read_text()) if path.exists() else None


def list_comparisons(project_id: int | None = None, root: str | Path | None = None) -> list[dict]:
    """This project's comparisons (every one when project_id is None), newest first."""
    root = Path(root or runs_root())
    if not root.exists():
        return []
    plans = []
    for path in root.glob(f"*/{COMPARISON_FILE}"):
        try:
            plan = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # half-written or damaged: not a comparison anyone can read
        if project_id is None or plan.get("project_id") == project_id:
            plans.append(plan)
    return sorted(plans, key=lambda plan: plan.get("created", ""), reverse=True)


@dataclass(frozen=True)
class Progress:
    """Where one job of a comparison stands (a candidate's training, or the measuring job)."""
    model: str
    run_id: str
    state: str  # queued | running | cancelling | done | failed | cancelled
    step: int = 0
    total_steps: int = 0
    error: str = ""


def progress(comparison_id: str, root: str | Path | None = None) -> list[Progress]:
    """Each candidate's job, then the measuring job (model "measure"), as the job queue sees them now."""
    root = Path(root or runs_root())
    plan = read_comparison(comparison_id, root)
    pairs = [(c["model"], c["run_id"]) for c in plan["candidates"] if c.get("run_id")] + [("measure", comparison_id)]
    found = []
    for model, run_id in pairs:
        status = jobs.job_status(run_id, root)
        step = status.get("progress") or {}
        error = (status.get("error") or "").strip().splitlines()
        found.append(Progress(model, run_id, status["state"], int(step.get("step") or 0),
                              int(step.get("total_steps") or 0), error[-1] if error else ""))
    return found


def is_active(states: list[Progress]) -> bool:
    return any(item.state in jobs.ACTIVE for item in states)


def cancel_comparison(comparison_id: str, root: str | Path | None = None) -> list[str]:
    """Cancel every job of the comparison still queued or running; the queued ones first (last to first), so
    the queue never starts the next candidate while the running one stops. Returns the ids cancelled."""
    root = Path(root or runs_root())
    states = progress(comparison_id, root)
    order = [p for p in reversed(states) if p.state == "queued"] + [p for p in states if p.state == "running"]
    for item in order:
        jobs.cancel(item.run_id, root)
    return [item.run_id for item in order]
