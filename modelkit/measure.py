"""Measurements every task takes of a trained model: forward-pass latency and serialized size.

Used by the text and image tasks' run cards and compression rows; nothing here is estimated.
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

