"""Measured compression of a trained text model.

`compress(run_dir, CompressRequest(...))` builds one variant (distilled, pruned or int8 on top;
modelkit.text.variants), saves it, and re-measures the teacher and every variant side by side
(modelkit.text.variant_rows; fp16/bf16 rows too on a GPU). CLI:
`python -m modelkit compress --run-dir RUN --method distill|prune|sparse|int8`. `compress_run(run_dir)` is the
plain "fp32 vs int8" of `python -m modelkit compress --run-dir RUN`. Nothing is estimated here: every
number is timed.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Callable

from modelkit.text.variant_rows import measure_and_store
from modelkit.text.variants import CompressRequest, build_variant, check_request, store_variant, variant_name
from modelkit.variants import run_compression


def compress_run(run_dir: str | Path, repeats: int = 30) -> list[dict]:
    """fp32 against dynamic int8 (and fp16/bf16 on a GPU): the int8 variant of the teacher, measured beside
    the teacher and any variants already made."""
    return compress(run_dir, CompressRequest(method="int8"), repeats=repeats)


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

    return run_compression(run_dir, name, asdict(request),
                           lambda on_step: build_variant(run_dir, request, on_step, should_stop),
                           lambda name_, model, tokenizer, recipe: store_variant(run_dir, name_, model, tokenizer, recipe),
                           lambda: measure_and_store(run_dir, repeats=repeats), progress)
