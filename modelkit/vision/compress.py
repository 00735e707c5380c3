"""Measured compression of a trained image model: the int8 variant of the teacher, or any variant.

`compress(run_dir, ImageCompressRequest(...))` builds one variant (the small CNN with channels pruned, or
static int8 on the teacher or on a pruned variant; modelkit.vision.variants), saves it, and re-measures the
teacher and every variant side by side (modelkit.vision.variant_rows; fp16 channels-last on a GPU).
CLI: `python -m modelkit compress --run-dir RUN --method prune|int8 [--channels-fraction 0.5] [--base NAME]`;
without --method, `compress_run` (fp32 vs static int8).
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Callable


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
