"""Training settings chosen from the data, and the warnings for settings that are likely too short.

`text_defaults(...)` and `image_defaults(...)` take what the data check measured (rows, classes, token
lengths or image sizes) and the device, and return a `TrainingDefaults` whose `reasons` say why each value
was picked, so the page can show them beside the inputs. `short_run_warnings(config, train_rows)` says,
before a start, what about a founder's own settings will likely give a weak model; `is_short_run` marks a
finished run that never made one full pass over its data. Plain arithmetic: no torch, no task imports.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

# A pretrained encoder needs on the order of a hundred optimizer steps on a small set. Measured on the
# built-in support tickets (MiniLM, lr 1e-4, batch 16, 32 tokens, this 2-core CPU): validation accuracy
# 0.78 after 16 steps, 0.92 after 32, 0.95 after 48, 0.98 after 80; early stopping ends it soon after.
TARGET_TEXT_STEPS = 100
MAX_TEXT_EPOCHS = 12
TEXT_LEARNING_RATE = 1e-4  # MiniLM-sized encoders on small sets; 5e-5 is the BERT-base habit
IMAGE_LEARNING_RATE = 3e-3
# fine-tuning a pretrained image backbone (its layers at a tenth of it): 3e-4 on every layer at once
# wiped out most of what ImageNet features give on CIFAR-10 (0.49 after 3 epochs, issue 13)
PRETRAINED_LEARNING_RATE = 3e-4
PRETRAINED_CPU_EPOCHS = 2
LEARNING_RATE_TOLERANCE = 5.0  # a rate more than 5x away from the default is "far"


@dataclass(frozen=True)
class TrainingDefaults:
    epochs: int
    learning_rate: float
    batch_size: int
    max_length: int = 128  # text only
    freeze_epochs: int = 1  # image only: epochs with a frozen pretrained backbone
    reasons: dict[str, str] = field(default_factory=dict)


def steps_per_epoch(train_rows: int, batch_size: int) -> int:
    return max(1, math.ceil(train_rows / max(1, batch_size)))


def text_defaults(train_rows: int, classes: int, token_p95: int | None, on_gpu: bool) -> TrainingDefaults:
    max_length = min(512, max(32, 16 * math.ceil((token_p95 or 128) / 16)))
    batch_size = 32 if on_gpu or train_rows >= 4000 else 16
    per_epoch = steps_per_epoch(train_rows, batch_size)
    epochs = min(MAX_TEXT_EPOCHS, max(3, math.ceil(TARGET_TEXT_STEPS / per_epoch)))
    return TrainingDefaults(
        epochs=epochs, learning_rate=TEXT_LEARNING_RATE, batch_size=batch_size, max_length=max_length,
        reasons={
            "max_length": f"95% of the texts fit in {token_p95 or 'an unknown number of'} tokens; rounded up to "
                          f"{max_length}",
            "batch_size": f"{batch_size}: {'a GPU' if on_gpu else 'a CPU'} with {train_rows:,} training rows",
            "epochs": f"{epochs} passes of {per_epoch} steps: about {epochs * per_epoch} steps "
                      f"(a pretrained model needs ~{TARGET_TEXT_STEPS} on a small set; at most {MAX_TEXT_EPOCHS})",
            "learning_rate": f"{TEXT_LEARNING_RATE:g} for a small pretrained encoder with {classes} classes",
        })


def image_defaults(train_rows: int, classes: int, pretrained: bool, on_gpu: bool) -> TrainingDefaults:
    batch_size = 128 if on_gpu else 64
    per_epoch = steps_per_epoch(train_rows, batch_size)
    epochs = min(15, max(3, math.ceil(120 / per_epoch)))
    # a pretrained backbone on a CPU: the head is trained first on cached features (seconds), and each
    # fine-tuning pass through a 224 px backbone costs minutes, so two passes; more only help on a GPU
    epochs = PRETRAINED_CPU_EPOCHS if pretrained and not on_gpu else epochs
    learning_rate = PRETRAINED_LEARNING_RATE if pretrained else IMAGE_LEARNING_RATE
    return TrainingDefaults(
        epochs=epochs, learning_rate=learning_rate, batch_size=batch_size, freeze_epochs=1 if pretrained else 0,
        reasons={
            "batch_size": f"{batch_size}: {'a GPU' if on_gpu else 'a CPU'} with {train_rows:,} training images",
            "epochs": (f"{epochs} fine-tuning passes of {per_epoch} steps after the head is trained on cached "
                       "features (a pretrained backbone on a CPU)" if pretrained and not on_gpu else
                       f"{epochs} passes of {per_epoch} steps (about {epochs * per_epoch} steps, at most 15)"),
            "learning_rate": f"{learning_rate:g}: {'fine-tuning pretrained weights' if pretrained else 'a CNN from scratch'}"
                             f", {classes} classes",
        })


def short_run_warnings(epochs: int, max_steps: int | None, learning_rate: float, batch_size: int, train_rows: int,
                       defaults: TrainingDefaults) -> list[str]:
    """What in these settings will likely give a weak model, said before any time is spent."""
    warnings = []
    per_epoch = steps_per_epoch(train_rows, batch_size)
    planned = min(epochs * per_epoch, max_steps) if max_steps else epochs * per_epoch
    if planned < per_epoch:
        warnings.append(f"{planned} steps is less than one pass over the {train_rows:,} training rows "
                        f"({per_epoch} steps): the model will not see all the data (a short run)")
    elif epochs < defaults.epochs and (max_steps is None or max_steps >= per_epoch):
        warnings.append(f"{epochs} epoch(s) is fewer than the {defaults.epochs} suggested for this data: "
                        "the model may stop before it has learned the task")
    ratio = learning_rate / defaults.learning_rate
    if ratio > LEARNING_RATE_TOLERANCE or ratio < 1 / LEARNING_RATE_TOLERANCE:
        warnings.append(f"learning rate {learning_rate:g} is far from the suggested {defaults.learning_rate:g}: "
                        "too high diverges, too low barely moves")
    return warnings


def is_short_run(global_step: int, train_rows: int, batch_size: int) -> bool:
    """A finished run that never made one full pass over its training data."""
    return global_step < steps_per_epoch(train_rows, batch_size)


# Optimizer steps a compressed student needs before it matches its teacher. bench/compress.py on the 256
# support tickets (2026-12-01): 3 distillation epochs (24 steps) lost 10.9 points, 19 epochs (152 steps)
# lost none; a 1-epoch recovery after pruning 40% (8 steps) lost 7.8 points, 5 epochs (40 steps) gained 1.6.
# Pruning 50% of heads and FFN neurons (the default since) with 40 recovery steps: 1.51x faster, +1.6 points.
MIN_DISTILL_STEPS = 150
MIN_RECOVERY_STEPS = 40


def compression_epochs(train_rows: int, batch_size: int, min_steps: int, at_least: float,
                       at_most: float = 20.0) -> float:
    """Passes over the training data for a distillation or a recovery fine-tune, from the data: at least
    `at_least`, more on a small set so that it gets `min_steps` steps, never more than `at_most`."""
    per_epoch = steps_per_epoch(train_rows, batch_size)
    return float(min(at_most, max(at_least, math.ceil(min_steps / per_epoch))))
