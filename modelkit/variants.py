"""What every task's compressed variants share: the folder layout, the atomic write, the progress file, the
job's course (build, store, measure), the alternating timing of rows, and the distillation loss.

A variant lives in `<run>/variants/<name>/` with recipe.json (method, base, settings, the seconds the method
took); its weights, when it has any, are written by the task (modelkit.text.variants, modelkit.vision.variants).
A variant is written into a hidden temporary folder and renamed in one step, so a cancelled or failed job
leaves nothing half-made and never touches the teacher's `model/`. No task is imported here, and torch only
inside the functions that compute, so a page can read progress and recipes without loading it.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Callable

from modelkit.errors import CompressionCancelled, CompressionRequestError

VARIANTS_DIR = "variants"
RECIPE_FILE = "recipe.json"
PROGRESS_FILE = "compress_progress.json"
TEACHER = "teacher"


def check_finished(run_dir: Path, model_file: str) -> None:
    """A run can be compressed once its model (`model/<model_file>`) and run card exist."""
    from modelkit.runs import read_run_card

    if not (Path(run_dir) / "model" / model_file).exists() or read_run_card(run_dir) is None:
        raise CompressionRequestError(
            f"run {Path(run_dir).name} has not finished (no trained model and run card yet); "
            "compress it once training is done")


def variant_dirs(run_dir: Path) -> list[Path]:
    root = Path(run_dir) / VARIANTS_DIR
    if not root.exists():
        return []
    made = (p for p in root.iterdir() if p.is_dir() and (p / RECIPE_FILE).exists() and not p.name.startswith("."))
    recipes = {p: json.loads((p / RECIPE_FILE).read_text()) for p in made}
    # int8 variants after every base (a base rebuilt later is newer than the int8 made on it), then by age
    return sorted(recipes, key=lambda p: (recipes[p].get("method") == "int8", recipes[p].get("created", 0)))


def read_recipe(run_dir: Path, name: str) -> tuple[Path, dict]:
    """(folder, recipe) of a saved variant; a clear error naming the variants there are."""
    folder = Path(run_dir) / VARIANTS_DIR / name
    if not (folder / RECIPE_FILE).exists():
        raise CompressionRequestError(f"no variant {name!r} in run {Path(run_dir).name}; "
                                      f"have: {', '.join(p.name for p in variant_dirs(run_dir)) or 'none'}")
    return folder, json.loads((folder / RECIPE_FILE).read_text())


def store_variant(run_dir: Path, name: str, recipe: dict, save_weights: Callable[[Path], None] | None) -> Path:
    """Write into a hidden temporary folder, then swap it in: readers see the old variant or the new one."""
    root = Path(run_dir) / VARIANTS_DIR
    tmp, final = root / f".tmp-{name}", root / name
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if save_weights is not None:
        save_weights(tmp)
    (tmp / RECIPE_FILE).write_text(json.dumps(recipe, indent=2, default=str))
    if final.exists():
        shutil.rmtree(final)
    tmp.rename(final)
    return final


def write_progress(run_dir: Path, report: dict) -> None:
    tmp = Path(run_dir) / (PROGRESS_FILE + ".tmp")
    tmp.write_text(json.dumps(report))
    tmp.replace(Path(run_dir) / PROGRESS_FILE)


def read_progress(run_dir: str | Path) -> dict | None:
    path = Path(run_dir) / PROGRESS_FILE
    try:
        return json.loads(path.read_text()) if path.exists() else None
    except (OSError, ValueError):
        return None


def run_compression(run_dir: Path, name: str, request: dict, build, store, measure,
                    progress: Callable[[dict], None] | None = None) -> list[dict]:
    """The course of one compression job: `build(on_step)` -> (model, extra, details, seconds), then
    `store(name, model, extra, recipe)`, then `measure()` -> rows; each phase said in the progress file."""
    def on_step(step: int, total: int, loss: float) -> None:
        report = {"variant": name, "phase": "training", "step": step, "total": total, "loss": round(loss, 5)}
        write_progress(run_dir, report)
        if progress:
            progress(report)

    write_progress(run_dir, {"variant": name, "phase": "starting", "step": 0, "total": 0})
    try:
        model, extra, details, seconds = build(on_step)
    except CompressionCancelled:
        write_progress(run_dir, {"variant": name, "phase": "cancelled", "step": 0, "total": 0})
        raise
    recipe = {"name": name, "method": request["method"], "request": request, **details,
              "method_seconds": round(seconds, 3), "created": time.time()}
    store(name, model, extra, recipe)
    write_progress(run_dir, {"variant": name, "phase": "measuring", "step": 0, "total": 0})
    rows = measure()
    write_progress(run_dir, {"variant": name, "phase": "done", "step": 0, "total": 0})
    return rows


def measure_again(run_dir: Path, check, measure) -> list[dict]:
    """Re-time every row of a finished run (e.g. after one was measured on a busy machine), nothing rebuilt."""
    check(run_dir)
    write_progress(run_dir, {"variant": "every row", "phase": "measuring", "step": 0, "total": 0})
    rows = measure()
    write_progress(run_dir, {"variant": "every row", "phase": "done", "step": 0, "total": 0})
    return rows


# p95 over p50 at batch 1 above which a row was measured on a busy machine: quiet runs here spread 1.07-1.36
# (bench/compress.py, text and image rows); with a browser rendering on the same 2 cores, 3.3-10.9.
NOISY_SPREAD = 2.0


def timing_fields(models: dict, batches_1: dict, batches_32: dict, repeats: int, attempts: int = 3) -> dict[str, dict]:
    """{name: the row's latency and throughput fields}, batch 1 and batch 32 timed alternating.

    A burst of other work can stall a few-millisecond forward pass many times over, so when a row comes out
    noisy (p95 > NOISY_SPREAD × p50) the rows are timed again, up to `attempts` times, and the quietest
    attempt is kept; each row says whether it is still noisy and the machine's load when it was measured."""
    import os

    best, spread = {}, float("inf")
    for _ in range(attempts):
        fields = _timed(models, batches_1, batches_32, repeats)
        worst = max(row["latency_ms_p95"] / max(row["latency_ms_p50"], 1e-9) for row in fields.values())
        if worst < spread:
            best, spread = fields, worst
        if worst <= NOISY_SPREAD:
            break
    load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    for row in best.values():
        row.update(noisy=row["latency_ms_p95"] > NOISY_SPREAD * row["latency_ms_p50"], load_average=load,
                   cpu_cores=os.cpu_count())
    return best


def _timed(models: dict, batches_1: dict, batches_32: dict, repeats: int) -> dict[str, dict]:
    from modelkit.measure import alternating_latency, percentiles

    one = alternating_latency(models, batches_1, repeats)
    many = alternating_latency(models, batches_32, max(3, repeats // 4), warmup=1)
    fields = {}
    for name in models:
        p50, p95 = percentiles(one[name])
        p50_32, p95_32 = percentiles(many[name])
        fields[name] = {"latency_ms_p50": p50, "latency_ms_p95": p95, "latency_ms_p50_batch32": p50_32,
                        "latency_ms_p95_batch32": p95_32, "throughput_per_s": round(32 * 1000 / p50_32, 2)}
    return fields


def store_rows(run_dir: Path, rows: list[dict]) -> list[dict]:
    """Replace the run card's compression table (and compression.json) with freshly measured rows."""
    from modelkit.runs import add_compression_rows

    (Path(run_dir) / "compression.json").write_text(json.dumps(rows, indent=2))
    add_compression_rows(run_dir, rows)
    return rows


def distillation_loss(student_logits, teacher_logits, labels, temperature: float, alpha: float):
    """alpha·T²·KL(teacher_T || student_T) + (1 − alpha)·CE(labels); T² keeps the soft gradients in scale
    (Hinton et al. 2015)."""
    import torch.nn.functional as F

    soft = F.kl_div(F.log_softmax(student_logits / temperature, dim=-1),
                    F.softmax(teacher_logits / temperature, dim=-1), reduction="batchmean") * temperature ** 2
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
