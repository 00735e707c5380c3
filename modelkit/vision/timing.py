"""One image model timed on its own: latency p50/p95 at batch 1 and 32 and validation accuracy.

`measure_variant` serves bench/image_train.py; `fp16_row` is the GPU row (half precision, channels-last)
that modelkit.vision.variant_rows adds when CUDA is present. Rows compared with each other are timed
alternating in modelkit.vision.variant_rows instead.
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import torch

from modelkit.measure import measure_latency_ms
from modelkit.vision.data import ImageSet


def accuracy_of(model, val: ImageSet, to_input, batch_size: int = 128) -> float:
    correct = 0
    with torch.inference_mode():
        for start in range(0, len(val), batch_size):
            logits = model(to_input(val.images[start:start + batch_size]))
            correct += int((logits.argmax(-1).cpu() == torch.tensor(val.labels[start:start + batch_size])).sum())
    return round(correct / max(len(val), 1), 5)


def measure_variant(method: str, model, val: ImageSet, to_input, size_bytes: int, device: str,
                    repeats: int) -> dict:
    def batch_of(n: int) -> dict:
        picked = val.images[np.resize(np.arange(len(val)), n)]
        return {"pixel_values": to_input(picked)}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch_1 = measure_latency_ms(model, batch_of(1), repeats=repeats)
        batch_32 = measure_latency_ms(model, batch_of(32), repeats=max(3, repeats // 5))
        accuracy = accuracy_of(model, val, to_input)
    return {"method": method, "device": device, "size_bytes": int(size_bytes),
            "latency_ms_p50": batch_1["p50"], "latency_ms_p95": batch_1["p95"],
            "latency_ms_p50_batch32": batch_32["p50"], "latency_ms_p95_batch32": batch_32["p95"],
            "accuracy": accuracy}


def fp16_row(model, processor, val: ImageSet, fp32_bytes: int, repeats: int) -> dict:
    """Half precision, channels-last memory layout: what a GPU server would run."""
    gpu = copy.deepcopy(model).half().cuda().to(memory_format=torch.channels_last).eval()

    def to_input(images):
        return processor.normalise(images).half().cuda().contiguous(memory_format=torch.channels_last)

    return measure_variant("fp16-channels-last", gpu, val, to_input, fp32_bytes // 2, "cuda", repeats)
