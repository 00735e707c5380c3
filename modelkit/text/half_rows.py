"""fp16 / bf16 rows for a text run's teacher and its variants, on a GPU when one is present.

Half precision pays off on a GPU's tensor cores, not on a CPU, so `compress` adds these rows only when CUDA
is available: an fp32 row on the GPU as their baseline, fp16, and bf16 where the GPU supports it. The same
code runs on the CPU in the tests (bf16), so the GPU path is not unexercised code. int8 variants are CPU
kernels and get no half-precision row. Rows are timed alternating, like the CPU rows (modelkit.text.variant_rows), with the GPU synchronised.
"""
from __future__ import annotations

import copy
import time
import warnings

import torch

from modelkit.measure import serialized_size_bytes
from modelkit.text.predict import Predictor, latency_batch
from modelkit.text.row_stats import percentiles, row_name, scores

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def gpu_precisions() -> tuple[str, ...]:
    if not torch.cuda.is_available():
        return ()
    # fp32 on the GPU too: the half-precision speed-up is read against the same device, not against the CPU
    return ("fp32", "fp16", "bf16") if torch.cuda.is_bf16_supported() else ("fp32", "fp16")


def half_name(row_name: str, precision: str, device: str) -> str:
    return f"{precision}-{device}" if row_name == "fp32" else f"{row_name}+{precision}-{device}"


def _synchronise(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


@torch.inference_mode()
def _alternating(models: dict, batches: dict, repeats: int, device: str) -> dict:
    timings = {name: [] for name in models}
    for name, model in models.items():  # warm-up: kernels picked, memory allocated
        model(**batches[name])
    for _ in range(repeats):
        for name, model in models.items():
            _synchronise(device)
            start = time.perf_counter()
            model(**batches[name])
            _synchronise(device)
            timings[name].append((time.perf_counter() - start) * 1000)
    return timings


def half_rows(cpu_rows: list[dict], loaded: list, texts: list[str], labels: list[str], device: str,
              precisions: tuple[str, ...], repeats: int = 20) -> list[dict]:
    """One row per (non-int8 model, precision) on `device`; `loaded` as modelkit.text.variant_rows.candidates."""
    by_variant = {row["variant"]: row for row in cpu_rows}
    predictors = {}
    for name, predictor, recipe in loaded:
        if recipe.get("method") == "int8":
            continue
        for precision in precisions:
            model = copy.deepcopy(predictor.model).to(device=device, dtype=DTYPES[precision]).eval()
            predictors[(name, precision)] = Predictor(model, predictor.tokenizer, predictor.label_names,
                                                      predictor.max_length, device)
    models = {key: p.model for key, p in predictors.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = _alternating(models, {k: latency_batch(p, texts, 1) for k, p in predictors.items()}, repeats, device)
        many = _alternating(models, {k: latency_batch(p, texts, 32) for k, p in predictors.items()},
                            max(3, repeats // 4), device)
    rows = []
    for (name, precision), predictor in predictors.items():
        base = by_variant[name]
        (p50, p95), (p50_32, p95_32) = percentiles(one[(name, precision)]), percentiles(many[(name, precision)])
        rows.append({
            **{key: base.get(key) for key in ("parameters", "layers", "method_seconds", "sparsity")},
            "method": half_name(row_name(name), precision, device.split(":")[0]), "variant": name,
            "kind": precision, "base": row_name(name), "device": device,
            "size_bytes": int(serialized_size_bytes(predictor.model)),
            "latency_ms_p50": p50, "latency_ms_p95": p95, "latency_ms_p50_batch32": p50_32,
            "latency_ms_p95_batch32": p95_32, "throughput_per_s": round(32 * 1000 / p50_32, 2),
            **scores(predictor, texts, labels), "examples": len(labels)})
    return rows
