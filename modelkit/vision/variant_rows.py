"""Measured rows for the teacher and every compressed variant of an image run, taken side by side.

Latency is timed alternating (teacher, variant 1, variant 2, teacher, ...) on the same validation images in
one process (modelkit.variants.timing_fields), so a noisy machine slows every row alike and the ratios stay
fair. Each row: parameters, size on disk, p50/p95 at batch 1 and 32 on this CPU, throughput (batch 32),
validation accuracy and macro-F1 on the teacher's validation set, and the seconds the method took. The
teacher row is named "fp32", as on the text side and in business/costs/run_cards.py.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch

from modelkit.evaluate import accuracy_and_macro_f1
from modelkit.measure import serialized_size_bytes
from modelkit.runs import model_size_bytes
from modelkit.variants import TEACHER, VARIANTS_DIR, store_rows, timing_fields, variant_dirs
from modelkit.vision.variants import load_model, run_sets


def candidates(run_dir: Path, train) -> list[tuple[str, torch.nn.Module, object, dict]]:
    """(row name, model, processor, recipe) for the teacher and each variant, all on the CPU."""
    names = [TEACHER] + [folder.name for folder in variant_dirs(run_dir)]
    return [(name, *load_model(run_dir, name, train)) for name in names]


def size_on_disk(run_dir: Path, name: str, model, recipe: dict) -> int:
    if name == TEACHER:
        return model_size_bytes(run_dir / "model")
    if recipe["method"] == "int8":
        return serialized_size_bytes(model)  # packed int8 weights: what a server would load
    return model_size_bytes(run_dir / VARIANTS_DIR / name)


def parameter_count(model, recipe: dict, counts: dict) -> int:
    """A quantized model hides its packed weights from .parameters(): it has its base's count, at 1 byte each."""
    if recipe.get("method") == "int8":
        return counts[recipe["base"]]
    return sum(p.numel() for p in model.parameters())


@torch.inference_mode()
def scores(model, processor, val) -> dict:
    predicted = []
    for start in range(0, len(val), 128):
        predicted += model(processor.normalise(val.images[start:start + 128])).argmax(-1).tolist()
    return accuracy_and_macro_f1(list(val.labels), predicted)


def measure_rows(run_dir: str | Path, repeats: int = 20) -> list[dict]:
    run_dir = Path(run_dir)
    train, val = run_sets(run_dir)
    loaded = candidates(run_dir, train)
    processor = loaded[0][2]

    def batch_of(n: int) -> dict:
        return {"pixel_values": processor.normalise(val.images[np.resize(np.arange(len(val)), n)])}

    one, many = batch_of(1), batch_of(32)
    models = {name: model.eval() for name, model, _, _ in loaded}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        timed = timing_fields(models, {name: one for name in models}, {name: many for name in models}, repeats)
    counts, rows = {}, []
    for name, model, processor, recipe in loaded:
        counts[name] = parameter_count(model, recipe, counts)
        rows.append({
            "method": "fp32" if name == TEACHER else name, "variant": name, "kind": recipe.get("method", "teacher"),
            "base": recipe.get("base"), "device": "cpu", "parameters": counts[name],
            "conv_channels": sum(recipe["widths"]) if recipe.get("widths") else None,
            "size_bytes": int(size_on_disk(run_dir, name, model, recipe)), **timed[name],
            **scores(model, processor, val), "examples": len(val),
            "method_seconds": recipe.get("method_seconds", 0.0), "engine": recipe.get("engine"),
            "quantization": "static int8" if recipe.get("method") == "int8" else None,
            "sparsity": sparsity_of(recipe, counts),
            "cpu_threads": torch.get_num_threads()})  # priced on a catalog machine with as many cores
    if torch.cuda.is_available():  # half precision pays off on a GPU only
        rows += gpu_rows(loaded, val, repeats)
    return rows


def gpu_rows(loaded: list, val, repeats: int) -> list[dict]:
    """fp16 channels-last on the GPU for the teacher and each non-int8 variant (int8 is a CPU kernel)."""
    from modelkit.vision.timing import fp16_row

    rows = []
    for name, model, processor, recipe in loaded:
        if recipe.get("method") == "int8":
            continue
        row = fp16_row(model, processor, val, 0, repeats)
        row.update(method=("" if name == TEACHER else f"{name}+") + row["method"], variant=name, kind="fp16",
                   base="fp32" if name == TEACHER else name, size_bytes=int(serialized_size_bytes(model)) // 2)
        rows.append(row)
    return rows


def sparsity_of(recipe: dict, counts: dict) -> float | None:
    """A pruned variant's share of the teacher's parameters removed, for the published structured-pruning
    rule beside it (removing half of every convolution's channels removes about three quarters of its weights)."""
    if recipe.get("method") != "prune":
        return None
    return round(1 - counts[recipe["name"]] / counts[TEACHER], 4)


def measure_and_store(run_dir: str | Path, repeats: int = 20) -> list[dict]:
    """Measure every row and replace the run card's compression table (and compression.json) with them."""
    return store_rows(Path(run_dir), measure_rows(Path(run_dir), repeats))
