"""Run registry and run cards.

A run is a folder under `runs_root()` (`<APP_DATA_DIR>/runs/<run_id>/`) holding job.json, events.jsonl,
checkpoints/, model/, metrics.json and run_card.json + run_card.md. `list_runs()` summarizes them for the
page's table; `build_run_card` / `write_run_card` / `read_run_card` are the measured facts the cost
estimator reads as a plain dict (keys: task, model, metrics, throughput, latency_ms, size_bytes,
hardware, compression). No streamlit here.
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


def build_run_card(run_dir, task: str, config, summary: dict, report: dict, model_name: str, parameters: int,
                   size_bytes: int, latency_ms: dict, infer_samples_per_s: float, device: str) -> dict:
    return {
        "run_id": Path(run_dir).name, "task": task, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": {"name": model_name, "parameters": int(parameters), "labels": list(config.label_names)},
        "config": asdict(config), "data_hash": summary.get("data_hash"),
        "metrics": {key: report[key] for key in ("accuracy", "macro_f1", "per_class", "examples")},
        "training": {key: summary.get(key) for key in ("global_step", "epoch", "best_epoch", "train_seconds",
                                                       "precision", "processes")},
        "throughput": {"train_samples_per_s": summary.get("train_samples_per_s", 0.0),
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


def list_runs(root: str | Path | None = None) -> list[RunSummary]:
    """Every run folder, newest first, with its job state and headline metrics."""
    root = Path(root or runs_root())
    if not root.exists():
        return []
    summaries = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True):
        job = json.loads((folder / "job.json").read_text()) if (folder / "job.json").exists() else {}
        card = read_run_card(folder) or {}
        metrics = card.get("metrics", {})
        summaries.append(RunSummary(
            run_id=folder.name, path=str(folder), task=card.get("task") or job.get("spec", {}).get("task", "text"),
            state=job.get("state") or ("done" if card else run_state_from_files(folder)),
            model=card.get("model", {}).get("name") or job.get("spec", {}).get("config", {}).get("model_name", "?"),
            created=job.get("submitted_at", folder.stat().st_mtime),
            accuracy=metrics.get("accuracy"), macro_f1=metrics.get("macro_f1")))
    return summaries


def add_compression_rows(run_dir, rows: list[dict]) -> dict:
    """Replace the run card's compression table with freshly measured rows."""
    card = read_run_card(run_dir)
    if card is None:
        raise FileNotFoundError(f"no run card in {run_dir}; train the model first")
    card["compression"] = rows
    write_run_card(run_dir, card)
    return card
