"""Measured rows for the teacher and every compressed variant of a text run, taken side by side.

Latency is timed alternating (teacher, variant 1, variant 2, teacher, ...) on the same batches in one
process, so a noisy machine slows every row alike and the ratios stay fair. Each row: parameters, size on
disk (and compressed, beside a magnitude-pruned variant), p50/p95 at batch 1 and 32 on this CPU (and fp16/bf16 rows on a GPU when one is present:
modelkit.text.half_rows), throughput (batch 32), validation accuracy and macro-F1 on
the teacher's validation set, and the seconds the method took. The teacher row is named "fp32" and
teacher+int8 "int8-dynamic", the names business/costs/run_cards.py already reads.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch

from modelkit.measure import serialized_size_bytes
from modelkit.runs import model_size_bytes
from modelkit.text.half_rows import gpu_precisions, half_rows
from modelkit.text.row_stats import row_name, scores
from modelkit.text.predict import Predictor, latency_batch
from modelkit.variants import store_rows, timing_fields
from modelkit.text.variants import TEACHER, VARIANTS_DIR, load_model, validation_texts, variant_dirs


def candidates(run_dir: Path) -> list[tuple[str, Predictor, dict]]:
    """(row name, predictor, recipe) for the teacher and each variant, all on the CPU."""
    config = json.loads((run_dir / "model" / "train_config.json").read_text())
    names = [TEACHER] + [folder.name for folder in variant_dirs(run_dir)]
    loaded = []
    for name in names:
        model, tokenizer, labels, recipe = load_model(run_dir, name)
        loaded.append((name, Predictor(model, tokenizer, labels, config.get("max_length", 128), "cpu"), recipe))
    return loaded


def size_on_disk(run_dir: Path, name: str, predictor: Predictor, recipe: dict) -> int:
    if name == TEACHER:
        return model_size_bytes(run_dir / "model")
    if recipe["method"] == "int8":
        return serialized_size_bytes(predictor.model)  # packed int8 weights: what a server would load
    return model_size_bytes(run_dir / VARIANTS_DIR / name)


def parameter_count(run_dir: Path, predictor: Predictor, recipe: dict, counts: dict) -> int:
    """An int8 model hides its packed weights from .parameters(): it has its base's count, at 1 byte each."""
    if recipe.get("method") == "int8":
        return counts[recipe["base"]]
    return sum(p.numel() for p in predictor.model.parameters())


def measure_rows(run_dir: str | Path, repeats: int = 20) -> list[dict]:
    run_dir = Path(run_dir)
    texts, labels = validation_texts(run_dir)
    loaded = candidates(run_dir)
    models = {name: predictor.model.eval() for name, predictor, _ in loaded}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        timed = timing_fields(models, {n: latency_batch(p, texts, 1) for n, p, _ in loaded},
                              {n: latency_batch(p, texts, 32) for n, p, _ in loaded}, repeats)
    counts, rows = {}, []
    for name, predictor, recipe in loaded:
        counts[name] = parameter_count(run_dir, predictor, recipe, counts)
        rows.append({
            "method": row_name(name), "variant": name, "kind": recipe.get("method", "teacher"),
            "base": recipe.get("base"), "device": "cpu", "parameters": counts[name],
            "layers": getattr(getattr(predictor.model, "config", None), "num_hidden_layers", None),
            "size_bytes": int(size_on_disk(run_dir, name, predictor, recipe)), **timed[name],
            **scores(predictor, texts, labels), "examples": len(labels),
            "method_seconds": recipe.get("method_seconds", 0.0), "sparsity": sparsity_of(recipe),
            "size_gzip_bytes": gzip_size(name, recipe, [r for _, _, r in loaded]),
            "cpu_threads": torch.get_num_threads()})
    precisions = gpu_precisions()
    if precisions:
        rows += half_rows(rows, loaded, texts, labels, "cuda", precisions, repeats)
    return rows


def sparsity_of(recipe: dict) -> float | None:
    """A pruned variant's share of heads and FFN neurons removed (their mean), or of weights zeroed (sparse),
    for the published rule beside it."""
    request = recipe.get("request") or {}
    if recipe.get("method") == "sparse":
        return recipe.get("zero_share", request.get("sparsity"))
    if recipe.get("method") != "prune":
        return None
    return round((request.get("heads_fraction", 0) + request.get("ffn_fraction", 0)) / 2, 4)


def gzip_size(name: str, recipe: dict, recipes: list[dict]) -> int | None:
    """Compressed (zlib level 6) size, measured when a sparse variant was made: for it, and for the teacher
    it was compared with; None for rows where nobody measured it."""
    if recipe.get("method") == "sparse":
        return recipe.get("gzip_bytes")
    if name == TEACHER:
        return next((r["teacher_gzip_bytes"] for r in recipes if r.get("teacher_gzip_bytes")), None)
    return None


def measure_and_store(run_dir: str | Path, repeats: int = 20) -> list[dict]:
    """Measure every row and replace the run card's compression table (and compression.json) with them."""
    return store_rows(Path(run_dir), measure_rows(Path(run_dir), repeats))
