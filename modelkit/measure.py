"""Measurements every task takes of a trained model: forward-pass latency and serialized size.

Used by the text and image tasks' run cards, compression rows and model comparisons; nothing here is
estimated. `alternating_latency` times several models in turn (one forward each per round), so a noisy
machine slows every model alike and their ratios stay fair.
"""
from __future__ import annotations

import io
import time

import numpy as np
import torch


@torch.inference_mode()
def measure_latency_ms(model, batch: dict, repeats: int = 30, warmup: int = 3) -> dict:
    """p50/p95 wall time of one forward pass on an already-built batch."""
    model.eval()
    for _ in range(warmup):
        model(**batch)
    timings = []
    for _ in range(repeats):
        if any(value.is_cuda for value in batch.values()):
            torch.cuda.synchronize()
        start = time.perf_counter()
        model(**batch)
        if any(value.is_cuda for value in batch.values()):
            torch.cuda.synchronize()
        timings.append((time.perf_counter() - start) * 1000)
    return {"p50": round(float(np.percentile(timings, 50)), 3), "p95": round(float(np.percentile(timings, 95)), 3)}


def serialized_size_bytes(model: torch.nn.Module) -> int:
    """Bytes of the state dict once written (packed int8 weights are not plain tensors, so not safetensors)."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)  # written to memory only, to count bytes; never loaded back
    return buffer.getbuffer().nbytes



@torch.inference_mode()
def alternating_latency(models: dict, batches: dict, repeats: int, warmup: int = 2) -> dict:
    """{name: [ms, ...]}: one forward per model per round, rounds repeated, so drift hits all alike."""
    timings = {name: [] for name in models}
    for _ in range(warmup):
        for name, model in models.items():
            model(**batches[name])
    for _ in range(repeats):
        for name, model in models.items():
            start = time.perf_counter()
            model(**batches[name])
            timings[name].append((time.perf_counter() - start) * 1000)
    return timings


def percentiles(values: list[float]) -> tuple[float, float]:
    """(p50, p95) in the values' unit, rounded to 3 places."""
    return round(float(np.percentile(values, 50)), 3), round(float(np.percentile(values, 95)), 3)
