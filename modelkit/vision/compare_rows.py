"""The measured table of a model comparison: every finished candidate, timed side by side in one process.

Run by the comparison's last queued job (`python -m modelkit compare --run-dir <runs>/<comparison id>`),
after every candidate's training job has ended. Latency is the forward pass alone, on this machine's CPU,
at batch 1 and at batch 32, timed alternating between the models on the same random images at each
model's own input size (modelkit.measure.alternating_latency), so a noisy machine slows them all alike.
Accuracy and macro-F1 are each run's own evaluation on the shared validation split (its run card); size
on disk is the weight files; training time is the job's wall time (data loading, cached features, training
and evaluation). A candidate without a finished run is listed in "skipped" with the reason.
"""
from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch

from modelkit.measure import alternating_latency, percentiles
from modelkit.runs import model_size_bytes, read_run_card
from modelkit.vision.compare import ROWS_FILE, read_comparison, write_json
from modelkit.vision.model import MODELS


def job_of(run_dir: Path) -> dict:
    path = run_dir / "job.json"
    return json.loads(path.read_text()) if path.exists() else {}


def why_unfinished(run_dir: Path) -> str:
    job = job_of(run_dir)
    state = job.get("state", "never started")
    error = (job.get("error") or "").strip().splitlines()
    return f"its training job {state}" + (f": {error[-1]}" if error else "")


def job_seconds(run_dir: Path, card: dict) -> float:
    """Wall time of the training job; a run trained outside the queue has the loop's time only."""
    job = job_of(run_dir)
    if job.get("started_at") and job.get("ended_at"):
        return round(job["ended_at"] - job["started_at"], 1)
    return round(float((card.get("training") or {}).get("train_seconds") or 0.0), 1)


@dataclass(frozen=True)
class Finished:
    """A candidate whose run has a run card, its model loaded on the CPU."""
    candidate: dict
    card: dict
    run_dir: Path
    model: torch.nn.Module
    processor: object


def load_finished(plan: dict, root: Path) -> tuple[dict[str, Finished], list[dict]]:
    """The finished runs by run id, and the skipped candidates with their reasons."""
    from modelkit.vision.task import load_trained

    loaded, skipped = {}, []
    for candidate in plan["candidates"]:
        run_id = candidate.get("run_id")
        if not run_id:
            skipped.append({"model": candidate["model"], "run_id": None, "reason": candidate["reason"]})
            continue
        card = read_run_card(root / run_id)
        if card is None:
            skipped.append({"model": candidate["model"], "run_id": run_id, "reason": why_unfinished(root / run_id)})
            continue
        model, processor, _ = load_trained(root / run_id, "cpu")
        loaded[run_id] = Finished(candidate, card, root / run_id, model, processor)
    return loaded, skipped


def input_batch(processor, size: int, seed: int = 0) -> dict:
    """`size` random images at the model's stored size and channels, normalised as in serving."""
    stored = processor.stored_size or processor.image_size
    generator = torch.Generator().manual_seed(seed)
    pixels = torch.randint(0, 256, (size, processor.stored_channels, stored, stored), dtype=torch.uint8,
                           generator=generator)
    return {"pixel_values": processor.normalise(pixels)}


def measure_rows(loaded: dict[str, Finished], repeats: int) -> list[dict]:
    models = {run_id: entry.model.eval() for run_id, entry in loaded.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = alternating_latency(models, {r: input_batch(e.processor, 1) for r, e in loaded.items()}, repeats)
        many = alternating_latency(models, {r: input_batch(e.processor, 32) for r, e in loaded.items()},
                                   max(3, repeats // 4), warmup=1)
    return [row_of(entry, one[run_id], many[run_id]) for run_id, entry in loaded.items()]


def row_of(entry: Finished, batch_1: list[float], batch_32: list[float]) -> dict:
    candidate, card = entry.candidate, entry.card
    p50, p95 = percentiles(batch_1)
    p50_32, p95_32 = percentiles(batch_32)
    return {"model": candidate["model"], "name": MODELS.get(candidate["model"], candidate["model"]),
            "run_id": entry.run_dir.name, "device": "cpu", "cpu_threads": torch.get_num_threads(),
            "image_size": entry.processor.image_size,
            "accuracy": card["metrics"]["accuracy"], "macro_f1": card["metrics"]["macro_f1"],
            "examples": card["metrics"].get("examples"), "latency_ms_p50": p50, "latency_ms_p95": p95,
            "latency_ms_p50_batch32": p50_32, "latency_ms_p95_batch32": p95_32,
            "throughput_per_s": round(32 * 1000 / p50_32, 2), "size_bytes": model_size_bytes(entry.run_dir / "model"),
            "parameters": sum(p.numel() for p in entry.model.parameters()),
            "train_seconds": job_seconds(entry.run_dir, card), "weights": card.get("weights", ""),
            "training": card.get("training") or {}}


def measure_comparison(comparison_dir: str | Path, repeats: int = 20) -> dict:
    """Measure the comparison's finished runs side by side and write rows.json; returns what it wrote."""
    comparison_dir = Path(comparison_dir)
    root = comparison_dir.parent
    plan = read_comparison(comparison_dir.name, root)
    loaded, skipped = load_finished(plan, root)
    rows = measure_rows(loaded, repeats) if loaded else []
    table = {"comparison_id": plan["comparison_id"], "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
             "hardware": hardware(),
             "repeats": {"batch_1": repeats, "batch_32": max(3, repeats // 4)}, "rows": rows, "skipped": skipped}
    write_json(comparison_dir / ROWS_FILE, table)
    return table


def hardware() -> dict:
    from modelkit.hardware import describe_hardware

    summary = describe_hardware()
    return {"cpu": f"{summary.cpu} ({summary.cpu_cores} cores)", "torch_threads": torch.get_num_threads()}


def table_lines(rows: list[dict], costs: dict[str, str] | None = None) -> list[str]:
    """The table as plain text for the terminal (costs: run id -> USD per 1,000 predictions, if priced)."""
    costs = costs or {}
    header = (f"{'model':<34}{'acc':>7}{'F1':>7}{'p50 b1':>9}{'p95 b1':>9}{'p50 b32':>9}{'p95 b32':>9}"
              f"{'MB':>8}{'params':>12}{'train s':>9}{'$/1k':>11}")
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(f"{row['name'][:33]:<34}{row['accuracy']:>7.3f}{row['macro_f1']:>7.3f}"
                     f"{row['latency_ms_p50']:>9.2f}{row['latency_ms_p95']:>9.2f}{row['latency_ms_p50_batch32']:>9.1f}"
                     f"{row['latency_ms_p95_batch32']:>9.1f}{row['size_bytes'] / 1e6:>8.2f}{row['parameters']:>12,}"
                     f"{row['train_seconds']:>9.0f}{costs.get(row['run_id'], '-'):>11}")
    return lines
