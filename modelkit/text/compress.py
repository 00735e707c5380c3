"""Measured compression of a trained text model: fp32 baseline, dynamic int8 (CPU), fp16 (GPU only).

`compress_run(run_dir)` measures, for each variant: size in bytes, latency p50/p95 at batch 1 and 32,
and validation accuracy; writes the rows into the run card's "compression" list and compression.json.
CLI: `python -m modelkit compress --run-dir RUN`. Nothing is estimated here: every number is timed.

`compress(run_dir, CompressRequest(...))` is the newer path: it builds one variant (distilled, pruned or
int8 on top; modelkit.text.variants), saves it, and re-measures the teacher and every variant side by
side (modelkit.text.variant_rows). CLI: `python -m modelkit compress --run-dir RUN --method distill|prune|int8`.
"""
from __future__ import annotations

import copy
import json
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import torch

from modelkit.errors import CompressionCancelled
from modelkit.measure import measure_latency_ms, serialized_size_bytes
from modelkit.text.predict import Predictor, latency_batch
from modelkit.text.shrink import quantize_int8
from modelkit.text.variant_rows import measure_and_store
from modelkit.text.variants import (CompressRequest, build_variant, check_request, store_variant, validation_texts,
                                    variant_name, write_progress)
from modelkit.runs import add_compression_rows, model_size_bytes


def accuracy_of(predictor: Predictor, texts: list[str], labels: list[str]) -> float:
    probabilities = predictor.predict_proba(texts, batch_size=32)
    predicted = [predictor.label_names[i] for i in probabilities.argmax(axis=1)]
    return round(sum(p == t for p, t in zip(predicted, labels)) / max(len(labels), 1), 5)


def measure_variant(method: str, predictor: Predictor, texts: list[str], labels: list[str], size_bytes: int,
                    repeats: int) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch_1 = measure_latency_ms(predictor.model, latency_batch(predictor, texts, 1), repeats=repeats)
        batch_32 = measure_latency_ms(predictor.model, latency_batch(predictor, texts, 32), repeats=max(3, repeats // 5))
        accuracy = accuracy_of(predictor, texts, labels)
    return {"method": method, "device": predictor.device, "size_bytes": int(size_bytes),
            "latency_ms_p50": batch_1["p50"], "latency_ms_p95": batch_1["p95"],
            "latency_ms_p50_batch32": batch_32["p50"], "latency_ms_p95_batch32": batch_32["p95"],
            "accuracy": accuracy}


def compress_run(run_dir: str | Path, repeats: int = 30) -> list[dict]:
    run_dir = Path(run_dir)
    base = Predictor.from_run(run_dir, device="cpu")
    texts, labels = validation_texts(run_dir)
    rows = [measure_variant("fp32", base, texts, labels, model_size_bytes(run_dir / "model"), repeats)]
    int8 = Predictor(quantize_int8(base.model), base.tokenizer, base.label_names, base.max_length, "cpu")
    rows.append(measure_variant("int8-dynamic", int8, texts, labels, serialized_size_bytes(int8.model), repeats))
    if torch.cuda.is_available():
        fp16 = Predictor(copy.deepcopy(base.model).half().cuda(), base.tokenizer, base.label_names,
                         base.max_length, "cuda")
        rows.append(measure_variant("fp16", fp16, texts, labels, model_size_bytes(run_dir / "model") // 2, repeats))
    (run_dir / "compression.json").write_text(json.dumps(rows, indent=2))
    add_compression_rows(run_dir, rows)
    return rows


def compress(run_dir: str | Path, request: CompressRequest, progress: Callable[[dict], None] | None = None,
             should_stop: Callable[[], bool] | None = None, repeats: int = 20) -> list[dict]:
    """Build one variant, save it, re-measure every row; returns the rows now on the run card."""
    run_dir = Path(run_dir)
    check_request(run_dir, request)
    name = variant_name(request)
    if request.method == "distill" and request.layers is None:
        from transformers import AutoConfig

        layers = AutoConfig.from_pretrained(run_dir / "model", local_files_only=True).num_hidden_layers // 2
        request = CompressRequest(**{**asdict(request), "layers": max(1, layers)})
        name = variant_name(request)

    def on_step(step: int, total: int, loss: float) -> None:
        report = {"variant": name, "phase": "training", "step": step, "total": total, "loss": round(loss, 5)}
        write_progress(run_dir, report)
        if progress:
            progress(report)

    write_progress(run_dir, {"variant": name, "phase": "starting", "step": 0, "total": 0})
    try:
        model, tokenizer, details, seconds = build_variant(run_dir, request, on_step, should_stop)
    except CompressionCancelled:
        write_progress(run_dir, {"variant": name, "phase": "cancelled", "step": 0, "total": 0})
        raise
    recipe = {"name": name, "method": request.method, "request": asdict(request), **details,
              "method_seconds": round(seconds, 3), "created": time.time()}
    store_variant(run_dir, name, model, tokenizer, recipe)
    write_progress(run_dir, {"variant": name, "phase": "measuring", "step": 0, "total": 0})
    rows = measure_and_store(run_dir, repeats=repeats)
    write_progress(run_dir, {"variant": name, "phase": "done", "step": 0, "total": 0})
    return rows
