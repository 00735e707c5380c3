"""Measured compression of a trained image model: fp32 baseline, int8 static (CPU), fp16 channels-last (GPU).

`measure_variant` times one model (also used by bench/image_train.py); `fp16_row` is the GPU row that
modelkit.vision.variant_rows adds when CUDA is present. int8 is FX graph mode post-training static quantization (torch.ao.quantization.quantize_fx): conv,
batch-norm and ReLU fused, weights and activations int8, observers calibrated on training images. It
needs a quantized engine (x86/fbgemm on Intel/AMD, qnnpack on ARM); without one, or if the model does
not trace, the job says so instead of inventing a row. CLI: `python -m modelkit compress --run-dir RUN`
(fp32 vs int8; dispatches here for image runs).

`compress(run_dir, ImageCompressRequest(...))` is the newer path: it builds one variant (the small CNN with
channels pruned, or static int8 on the teacher or on a pruned variant; modelkit.vision.variants), saves it,
and re-measures the teacher and every variant side by side (modelkit.vision.variant_rows).
CLI: `python -m modelkit compress --run-dir RUN --method prune|int8 [--channels-fraction 0.5] [--base NAME]`.
"""
from __future__ import annotations

import copy
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from modelkit.vision.data import ImageSet
from modelkit.measure import measure_latency_ms
from modelkit.vision.quantize import pick_engine, quantize_static_int8  # noqa: F401 (bench/image_train.py)

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


def compress_run(run_dir: str | Path, repeats: int = 30) -> list[dict]:
    """fp32 against static int8 (and fp16 channels-last on a GPU): the int8 variant of the teacher, measured
    beside the teacher and any variants already made, by the same path as the page's Compress section."""
    from modelkit.vision.variants import ImageCompressRequest

    return compress(run_dir, ImageCompressRequest(method="int8"), repeats=repeats)


def compress(run_dir: str | Path, request, progress: Callable[[dict], None] | None = None,
             should_stop: Callable[[], bool] | None = None, repeats: int = 20) -> list[dict]:
    """Build one variant (an ImageCompressRequest), save it, re-measure every row; returns the card's rows."""
    from modelkit.variants import run_compression
    from modelkit.vision.variant_rows import measure_and_store
    from modelkit.vision.variants import build_variant, check_request, store_variant, variant_name

    run_dir = Path(run_dir)
    check_request(run_dir, request)
    return run_compression(run_dir, variant_name(request), asdict(request),
                           lambda on_step: build_variant(run_dir, request, on_step, should_stop),
                           lambda name, model, processor, recipe: store_variant(run_dir, name, model, processor,
                                                                                recipe),
                           lambda: measure_and_store(run_dir, repeats=repeats), progress)
