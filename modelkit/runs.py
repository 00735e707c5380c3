"""Run registry and run cards.

A run is a folder under `runs_root()` (`<APP_DATA_DIR>/runs/<run_id>/`) holding job.json, events.jsonl,
checkpoints/, model/, metrics.json, project.json and run_card.json + run_card.md. `list_runs()`
summarizes them for the pages' run pickers (one project's runs, or the runs made before runs had a
project); `build_run_card` / `write_run_card` / `read_run_card` are the measured facts the cost
estimator and the investor summary read as a plain dict (keys: task, project_id, model, metrics,
training, throughput, latency_ms, size_bytes, hardware, compression). No streamlit here.

A run belongs to one project, named by the store's project id (a number: it survives renaming), which
modelkit only records and never looks up. project.json says whose a run is from the moment it is
submitted; the run card repeats it so a card read on its own still says. `adopt_run` gives a run made
before runs had a project (no project.json, no project_id on its card) to a project.
"""
from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from modelkit.liveness import run_state_from_files
from modelkit.paths import runs_root

RUN_CARD_JSON = "run_card.json"
RUN_CARD_MD = "run_card.md"
PROJECT_FILE = "project.json"


class RunOwnershipError(ValueError):
    """A run that cannot change hands: it already belongs to another project."""


def model_size_bytes(folder: Path) -> int:
    """Bytes of the weight files (what a server must load), not tokenizer or config files."""
    return sum(p.stat().st_size for p in Path(folder).glob("*.safetensors"))


def library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for name in ("torch", "transformers", "accelerate", "safetensors", "scikit-learn", "torchvision"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            pass
    return versions


def hardware_info() -> dict:
    import torch

    info = {"cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
            "platform": platform.platform(), "torch_threads": torch.get_num_threads()}
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
        info["gpu_count"] = torch.cuda.device_count()
        info["gpu_memory_bytes"] = torch.cuda.get_device_properties(0).total_memory
    return info


# What the card says about how training went; business/costs/run_cards.py labels short runs from these.
TRAINING_FACTS = ("global_step", "epoch", "best_epoch", "train_seconds", "precision", "processes", "steps_per_epoch",
                  "total_steps", "epochs_trained", "stopped_by", "train_rows", "min_train_rows")


def build_run_card(run_dir, task: str, config, summary: dict, report: dict, model_name: str, parameters: int,
                   size_bytes: int, latency_ms: dict, infer_samples_per_s: float, device: str) -> dict:
    return {
        "run_id": Path(run_dir).name, "task": task, "project_id": read_run_project(run_dir), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": {"name": model_name, "parameters": int(parameters), "labels": list(config.label_names)},
        "config": asdict(config), "data_hash": summary.get("data_hash"),
        "metrics": {key: report[key] for key in ("accuracy", "macro_f1", "per_class", "examples")},
        "training": {key: summary.get(key) for key in TRAINING_FACTS},
        "throughput": {"train_samples_per_s": summary.get("train_samples_per_s", 0.0),
                       "train_tokens_per_s": summary.get("train_tokens_per_s", 0.0),
                       "infer_samples_per_s": infer_samples_per_s, "device": device,
                       "train_device": summary.get("device"),
                       "samples_per_s": infer_samples_per_s},  # the name business/costs/run_cards.py reads
        "latency_ms": latency_ms, "latency_ms_p50": latency_ms["p50"], "latency_ms_p95": latency_ms["p95"], "size_bytes": int(size_bytes), "hardware": hardware_info(),
        "libraries": library_versions(), "compression": [],
    }


def write_run_card(run_dir, card: dict) -> None:
    run_dir = Path(run_dir)
    tmp = run_dir / (RUN_CARD_JSON + ".tmp")
    tmp.write_text(json.dumps(card, indent=2, default=str))
    tmp.replace(run_dir / RUN_CARD_JSON)
    (run_dir / RUN_CARD_MD).write_text(render_markdown(card))


def read_run_card(run_dir) -> dict | None:
    path = Path(run_dir) / RUN_CARD_JSON
    return json.loads(path.read_text()) if path.exists() else None


def render_markdown(card: dict) -> str:
    metrics, model = card["metrics"], card["model"]
    lines = [f"# Run card: {card['run_id']}", "",
             f"- Task: {card['task']}; model: {model['name']} ({model['parameters']:,} parameters)",
             f"- Project id: {card.get('project_id') or 'none recorded'}",
             f"- Data hash: {card.get('data_hash')}", f"- Accuracy: {metrics['accuracy']:.4f}; "
             f"macro-F1: {metrics['macro_f1']:.4f} on {metrics.get('examples')} validation examples",
             f"- Size on disk: {card['size_bytes'] / 1e6:.1f} MB",
             f"- Latency (batch 1, {card['throughput']['device']}): p50 {card['latency_ms']['p50']} ms, "
             f"p95 {card['latency_ms']['p95']} ms",
             f"- Throughput: train {card['throughput']['train_samples_per_s']} samples/s, "
             f"inference {card['throughput']['infer_samples_per_s']} samples/s",
             f"- Hardware: {json.dumps(card['hardware'])}", f"- Libraries: {json.dumps(card['libraries'])}",
             "", "## Per class", "", "| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {m['precision']} | {m['recall']} | {m['f1']} | {m['support']} |"
              for name, m in metrics.get("per_class", {}).items()]
    if card.get("compression"):
        lines += ["", "## Compression (measured on CPU)", "",
                  "| method | size MB | p50 ms (b=1) | p95 ms (b=1) | p50 ms (b=32) | accuracy |", "|---|---|---|---|---|---|"]
        lines += [f"| {row['method']} | {row['size_bytes'] / 1e6:.1f} | {row['latency_ms_p50']} | {row['latency_ms_p95']}"
                  f" | {row.get('latency_ms_p50_batch32')} | {row['accuracy']} |" for row in card["compression"]]
    lines += ["", "## Config", "", "```json", json.dumps(card.get("config", {}), indent=2), "```", ""]
    return "\n".join(lines)


def project_id_or_none(value: object) -> int | None:
    """A project id as recorded (a positive whole number), else None: a run of no known project."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number > 0 else None


def write_run_project(run_dir, project_id: int) -> None:
    """Record which project a run belongs to (several training processes may write the same value)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    tmp = run_dir / f"{PROJECT_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"project_id": int(project_id)}))
    tmp.replace(run_dir / PROJECT_FILE)


def read_run_project(run_dir) -> int | None:
    """The project a run belongs to: project.json, else its run card's project_id; None for an old run."""
    path = Path(run_dir) / PROJECT_FILE
    try:
        if path.exists():
            return project_id_or_none(json.loads(path.read_text()).get("project_id"))
        card = read_run_card(run_dir)
    except (OSError, ValueError, AttributeError):
        return None
    return project_id_or_none(card.get("project_id")) if isinstance(card, dict) else None


def adopt_run(run_dir, project_id: int) -> None:
    """Give a run that has no project to `project_id` (its card says so too); refuse another project's run."""
    owner = read_run_project(run_dir)
    if owner is not None and owner != project_id:
        raise RunOwnershipError(f"run {Path(run_dir).name} belongs to project {owner}, not {project_id}")
    write_run_project(run_dir, project_id)
    card = read_run_card(run_dir)
    if card is not None:
        try:
            write_run_card(run_dir, {**card, "project_id": int(project_id)})  # the JSON first, then the Markdown
        except (KeyError, TypeError, ValueError):
            pass  # an old or hand-made card the Markdown cannot render: its JSON, which counts, is written


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    path: str
    task: str
    state: str
    model: str
    created: float
    accuracy: float | None
    macro_f1: float | None
    project_id: int | None = None
    command: str = "train"  # the last job run in the folder: train, compress or eval


NO_PROJECT = "none"  # list_runs(project_id=NO_PROJECT): the runs made before runs had a project


def list_runs(root: str | Path | None = None, project_id: int | str | None = None) -> list[RunSummary]:
    """Run folders, newest first, with their job state and headline metrics.

    project_id None lists every run; a number lists that project's runs only; NO_PROJECT lists the runs
    that belong to no project (made before runs were recorded per project), to be adopted.
    """
    root = Path(root or runs_root())
    if not root.exists():
        return []
    summaries = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True):
        owner = read_run_project(folder)
        if project_id is not None and owner != (None if project_id == NO_PROJECT else project_id):
            continue
        job = json.loads((folder / "job.json").read_text()) if (folder / "job.json").exists() else {}
        card = read_run_card(folder) or {}
        metrics = card.get("metrics", {})
        summaries.append(RunSummary(
            run_id=folder.name, path=str(folder), task=card.get("task") or job.get("spec", {}).get("task", "text"),
            state=job.get("state") or ("done" if card else run_state_from_files(folder)),
            model=card.get("model", {}).get("name") or job.get("spec", {}).get("config", {}).get("model_name", "?"),
            created=job.get("submitted_at", folder.stat().st_mtime),
            accuracy=metrics.get("accuracy"), macro_f1=metrics.get("macro_f1"), project_id=owner,
            command=job.get("spec", {}).get("command", "train")))
    return summaries


def add_compression_rows(run_dir, rows: list[dict]) -> dict:
    """Replace the run card's compression table with freshly measured rows."""
    card = read_run_card(run_dir)
    if card is None:
        raise FileNotFoundError(f"no run card in {run_dir}; train the model first")
    card["compression"] = rows
    write_run_card(run_dir, card)
    return card
