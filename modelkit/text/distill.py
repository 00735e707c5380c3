"""Knowledge distillation of a text classifier: a student learns the teacher's softened outputs plus the
true labels (Hinton et al. 2015), on the run's own training data.

The same loop is the short recovery fine-tune after structured pruning (the pruned model is the student,
its unpruned self the teacher). `distill(...)` takes its dependencies as arguments and reports progress
through `on_step(step, total, loss)`; `should_stop()` lets a job stop between steps. No files here.

Cheap on a CPU by construction: texts are tokenized once; the teacher's logits are computed once, in
length-sorted batches, and reused every epoch (the teacher is frozen, so they never change; a teacher
forward is twice a half-size student's); training batches group texts of similar length and pad only to
their own longest (short SST-2-like sentences then cost a few tokens, not max_length).
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable

import torch

from modelkit.batching import LengthGroupedBatchSampler, PaddingCollator
from modelkit.errors import CompressionCancelled
from modelkit.variants import distillation_loss


@dataclass(frozen=True)
class DistillSettings:
    epochs: float = 3.0
    batch_size: int = 32
    learning_rate: float = 1e-4
    temperature: float = 2.0
    alpha: float = 0.5  # weight of the soft (teacher) loss; 1 - alpha on the true labels
    max_length: int = 128
    seed: int = 42


def encoded_batches(tokenizer, texts: list[str], label_ids: list[int], batch_size: int, max_length: int,
                    seed: int, epoch: int) -> list[dict]:
    ids = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    order = list(range(len(ids)))
    random.Random(seed * 1000 + epoch).shuffle(order)
    collate = PaddingCollator(tokenizer.pad_token_id or 0)
    return [collate([{"input_ids": ids[i], "labels": label_ids[i]} for i in order[start:start + batch_size]])
            for start in range(0, len(order), batch_size)]


def total_steps(rows: int, settings: DistillSettings) -> int:
    return max(1, int(round(-(-rows // settings.batch_size) * settings.epochs)))


def stop_if_asked(should_stop: Callable[[], bool] | None) -> None:
    if should_stop and should_stop():
        raise CompressionCancelled("compression cancelled; the teacher and earlier variants are unchanged")


@torch.inference_mode()
def teacher_logits(teacher, ids: list[list[int]], collate: PaddingCollator, should_stop=None,
                   batch_size: int = 64) -> torch.Tensor:
    """The frozen teacher's logits for every text, once; longest first so each batch pads to its own length."""
    teacher.eval()
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    logits = torch.zeros(len(ids), teacher.config.num_labels)
    for start in range(0, len(order), batch_size):
        stop_if_asked(should_stop)
        chosen = order[start:start + batch_size]
        batch = collate([{"input_ids": ids[i], "labels": 0} for i in chosen])
        batch.pop("labels")
        logits[chosen] = teacher(**batch).logits.float()
    return logits


def distill(teacher, student, tokenizer, texts: list[str], label_ids: list[int], settings: DistillSettings,
            on_step: Callable[[int, int, float], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> dict:
    """Train `student` in place on the teacher's soft labels and the true labels; return loss and time."""
    torch.manual_seed(settings.seed)
    started = time.perf_counter()
    collate = PaddingCollator(tokenizer.pad_token_id or 0)
    ids = tokenizer(list(texts), truncation=True, max_length=settings.max_length)["input_ids"]
    soft_targets = teacher_logits(teacher, ids, collate, should_stop)
    targets_seconds = time.perf_counter() - started
    student.train()
    optimizer = torch.optim.AdamW(student.parameters(), lr=settings.learning_rate)
    steps = total_steps(len(texts), settings)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1 - s / steps))
    sampler = LengthGroupedBatchSampler([len(x) for x in ids], settings.batch_size, seed=settings.seed)
    step, loss_value = 0, float("nan")
    while step < steps:
        for chosen in sampler.batches():
            stop_if_asked(should_stop)
            batch = collate([{"input_ids": ids[i], "labels": label_ids[i]} for i in chosen])
            labels = batch.pop("labels")
            loss = distillation_loss(student(**batch).logits, soft_targets[chosen], labels, settings.temperature,
                                     settings.alpha)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step, loss_value = step + 1, float(loss.detach())
            if on_step:
                on_step(step, steps, loss_value)
            if step >= steps:
                break
        sampler.set_epoch(sampler.epoch + 1)
    student.eval()
    return {"steps": step, "final_loss": round(loss_value, 5), "seconds": round(time.perf_counter() - started, 3),
            "teacher_logits_seconds": round(targets_seconds, 3)}
