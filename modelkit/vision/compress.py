"""Measured compression of a trained image model: fp32 baseline, int8 static (CPU), fp16 channels-last (GPU).

int8 is FX graph mode post-training static quantization (torch.ao.quantization.quantize_fx): conv,
batch-norm and ReLU fused, weights and activations int8, observers calibrated on training images. It
needs a quantized engine (x86/fbgemm on Intel/AMD, qnnpack on ARM); without one, or if the model does
not trace, the table says so instead of inventing a row. Each row: size in bytes, CPU (or GPU) latency
p50/p95 at batch 1 and 32, validation accuracy. Rows go into the run card's "compression" list and
compression.json. CLI: `python -m modelkit compress --run-dir RUN` (dispatches here for image runs).

`compress(run_dir, ImageCompressRequest(...))` is the newer path: it builds one variant (the small CNN with
channels pruned, or static int8 on the teacher or on a pruned variant; modelkit.vision.variants), saves it,
and re-measures the teacher and every variant side by side (modelkit.vision.variant_rows).
CLI: `python -m modelkit compress --run-dir RUN --method prune|int8 [--channels-fraction 0.5] [--base NAME]`.
"""
from __future__ import annotations

import copy
import json
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from modelkit.vision.data import ImageSet
from modelkit.measure import measure_latency_ms, serialized_size_bytes
from modelkit.runs import add_compression_rows, model_size_bytes
from modelkit.vision.quantize import CALIBRATION_IMAGES, pick_engine, quantize_static_int8  # noqa: F401 (bench)

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


def int8_row(model, processor, train: ImageSet, val: ImageSet, repeats: int) -> tuple[dict | None, str]:
    engine = pick_engine()
    if engine is None:
        return None, "int8 skipped: this torch build has no quantized engine (x86, fbgemm, onednn or qnnpack)"
    try:
        int8 = quantize_static_int8(model, processor, train.images[:CALIBRATION_IMAGES], engine)
    except Exception as error:  # noqa: BLE001 - a model FX cannot trace is reported, not fatal
        return None, f"int8 skipped: FX static quantization failed for this model ({error.__class__.__name__}: {error})"
    row = measure_variant("int8-static", int8, val, processor.normalise, serialized_size_bytes(int8), "cpu", repeats)
    row["engine"] = engine
    return row, f"int8: FX static post-training quantization on the {engine} engine, " \
                f"calibrated on {min(len(train), CALIBRATION_IMAGES)} training images"


def fp16_row(model, processor, val: ImageSet, fp32_bytes: int, repeats: int) -> dict:
    """Half precision, channels-last memory layout: what a GPU server would run."""
    gpu = copy.deepcopy(model).half().cuda().to(memory_format=torch.channels_last).eval()

    def to_input(images):
        return processor.normalise(images).half().cuda().contiguous(memory_format=torch.channels_last)

    return measure_variant("fp16-channels-last", gpu, val, to_input, fp32_bytes // 2, "cuda", repeats)


def compress_run(run_dir: str | Path, repeats: int = 30) -> list[dict]:
    """Measure every variant this machine can run and store the table in the run card."""
    from modelkit.vision.task import load_sets, load_trained
    from modelkit.train import TrainConfig

    run_dir = Path(run_dir)
    model, processor, config_dict = load_trained(run_dir)
    train, val, _ = load_sets(TrainConfig(**config_dict))
    fp32_bytes = model_size_bytes(run_dir / "model")
    rows = [measure_variant("fp32", model, val, processor.normalise, fp32_bytes, "cpu", repeats)]
    notes = []
    row, note = int8_row(model, processor, train, val, repeats)
    notes.append(note)
    rows += [row] if row else []
    if torch.cuda.is_available():
        rows.append(fp16_row(model, processor, val, fp32_bytes, repeats))
    else:
        notes.append("fp16 / channels-last skipped: no CUDA GPU on this machine (it only pays off on a GPU)")
    (run_dir / "compression.json").write_text(json.dumps({"rows": rows, "notes": notes}, indent=2))
    card = add_compression_rows(run_dir, rows)
    card["compression_notes"] = notes
    from modelkit.runs import write_run_card

    write_run_card(run_dir, card)
    return rows


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
