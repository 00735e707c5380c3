"""What the training loop needs from a task ("text" now, "image" later), and where each task lives.

A task module provides `prepare_task(config) -> TaskData` (data, model, collator) and
`finalize_run(run_dir, config, summary) -> dict` (evaluation, latency, run card). `train.py` calls only
these two, so the image task plugs in by adding one line to `TASK_MODULES`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

TASK_MODULES = {"text": "modelkit.text.task", "image": "modelkit.vision.task"}


@dataclass
class TaskData:
    model: Any
    processor: Any  # tokenizer (text) or transform description (image); saved next to the model
    train_set: Any
    val_set: Any
    collate: Callable
    label_names: list[str]
    data_hash: str
    train_lengths: list[int] | None = None  # enables length-grouped batches when given
    extra: dict = field(default_factory=dict)


def get_task(name: str):
    if name not in TASK_MODULES:
        raise ValueError(f"unknown task {name!r}; known tasks: {sorted(TASK_MODULES)}")
    return importlib.import_module(TASK_MODULES[name])
