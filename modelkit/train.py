"""One training loop for every task, on accelerate: CPU, CUDA (bf16/fp16), MPS, several processes.

Run it through the CLI (`python -m modelkit train --run-dir ... --data ...`, or under
`accelerate launch --multi_gpu --num_processes 2 -m modelkit train ...`; see
jobs.accelerate_launch_prefix) or call `train(config, options)`.
It writes events (events.jsonl), a resumable checkpoint (checkpoints/last: at every epoch end, every
`checkpoint_every_steps` steps and every `checkpoint_every_s` seconds, so a crash loses minutes, not an
epoch), the best model (model/), then the task's evaluation and run card. Both are switched in
atomically (modelkit.checkpoint). A resume after a crash says so in the events ("resumed after an unclean
stop at step X") and the curves drop the steps it redoes (modelkit.events.read_events). Hyperparameters live in `TrainConfig` (stored with every
checkpoint); runtime switches (device, precision, folders) in `RunOptions`.
"""
from __future__ import annotations

import math
import os
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from torch.utils.data import DataLoader
from transformers import get_linear_schedule_with_warmup

from modelkit.batching import LengthGroupedBatchSampler
from modelkit.config import TrainConfig
from modelkit.checkpoint import CheckpointError, has_checkpoint, load_checkpoint, save_checkpoint, save_model
from modelkit.events import EventLog, unclean_stop
from modelkit.tasks import TaskData, get_task


@dataclass
class RunOptions:
    run_dir: str
    device: str = "auto"  # auto | cpu | cuda | mps
    precision: str = "auto"  # auto | fp32 | bf16 | fp16
    resume: bool = False
    finalize: bool = True  # evaluate, measure latency and write the run card after training
    event_callback: object = None


@dataclass
class LoopState:
    epoch: int = 0
    global_step: int = 0
    samples_seen: int = 0
    tokens_seen: int = 0  # text only: real (unpadded) tokens, the unit training FLOPs are counted in
    train_seconds: float = 0.0
    best_metric: float = -1.0
    best_epoch: int = -1
    bad_epochs: int = 0
    epoch_complete: bool = False  # False when saved mid-epoch: resume skips the epoch_step batches done
    epoch_step: int = 0
    last_eval: dict = field(default_factory=dict)


@dataclass
class CheckpointClock:
    """When the next mid-epoch checkpoint is due: every N steps or every T seconds, whichever comes first."""
    every_steps: int
    every_s: float
    saved_step: int = 0
    saved_at: float = field(default_factory=time.monotonic)

    def due(self, step: int) -> bool:
        return step - self.saved_step >= self.every_steps or time.monotonic() - self.saved_at >= self.every_s

    def saved(self, step: int) -> None:
        self.saved_step, self.saved_at = step, time.monotonic()


class StopRequested:
    """Set by SIGTERM (cancel) so the loop stops between steps and saves, instead of dying mid-write."""

    def __init__(self):
        self.flag = False

    def install(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "flag", True))


def choose_precision(device: str, precision: str) -> str:
    """accelerate's mixed_precision value: bf16 on CUDA that supports it, else fp16; fp32 elsewhere."""
    if precision != "auto":
        return {"fp32": "no"}.get(precision, precision)
    if device in ("auto", "cuda") and torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "no"


def make_accelerator(options: RunOptions) -> Accelerator:
    return Accelerator(cpu=options.device == "cpu", mixed_precision=choose_precision(options.device, options.precision))


def build_model(config: TrainConfig) -> TaskData:
    """Data, model and collator for `config.task`; the label names go back into the config."""
    task_data = get_task(config.task).prepare_task(config)
    config.label_names = list(task_data.label_names)
    return task_data


def get_dataloaders(task_data: TaskData, config: TrainConfig, device_type: str):
    if task_data.train_lengths is not None:
        sampler = LengthGroupedBatchSampler(task_data.train_lengths, config.batch_size, seed=config.seed)
        train_loader = DataLoader(task_data.train_set, batch_sampler=sampler, collate_fn=task_data.collate)
    else:
        generator = torch.Generator().manual_seed(config.seed)
        sampler = None
        train_loader = DataLoader(task_data.train_set, batch_size=config.batch_size, shuffle=True,
                                  generator=generator, collate_fn=task_data.collate)
    val_loader = DataLoader(task_data.val_set, batch_size=config.eval_batch_size, shuffle=False,
                            collate_fn=task_data.collate)
    return train_loader, val_loader, sampler


def build_optimizer(model, config: TrainConfig, device_type: str) -> torch.optim.Optimizer:
    """AdamW; biases and LayerNorm weights get no weight decay (decaying them only hurts). A model with
    `learning_rate_scale(name)` (a pretrained image backbone) gets discriminative learning rates."""
    if config.freeze_embeddings:
        for name, param in model.named_parameters():
            param.requires_grad_(param.requires_grad and "embeddings" not in name)
    scale_of = getattr(model, "learning_rate_scale", lambda name: 1.0)
    grouped: dict[tuple[bool, float], list] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        no_decay = param.ndim < 2 or "norm" in name.lower() or name.endswith(".bias")
        grouped.setdefault((no_decay, scale_of(name)), []).append(param)
    groups = [{"params": params, "weight_decay": 0.0 if no_decay else config.weight_decay,
               "lr": config.learning_rate * scale}
              # the head's full rate first: the step events report the first group's rate
              for (no_decay, scale), params in sorted(grouped.items(), key=lambda item: (item[0][0], -item[0][1]))]
    fused = device_type in ("cuda", "cpu")  # fused kernels exist for CUDA and (torch >= 2.4) CPU
    return torch.optim.AdamW(groups, lr=config.learning_rate, fused=fused)


def forward_loss(model, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    labels = batch["labels"]
    inputs = {key: value for key, value in batch.items() if key != "labels"}
    output = model(**inputs)
    logits = output.logits if hasattr(output, "logits") else output
    return torch.nn.functional.cross_entropy(logits.float(), labels), logits


def train_one_epoch(model, loader, optimizer, scheduler, accelerator: Accelerator, state: LoopState,
                    config: TrainConfig, log: EventLog, total_steps: int, stop: StopRequested,
                    clock: CheckpointClock | None = None, checkpoint: Callable[[], None] | None = None) -> bool:
    """Trains until the epoch ends, max_steps is reached or a stop is requested; True if it must stop.

    Resumed mid-epoch, it skips the batches that epoch already trained on; `checkpoint()` runs whenever
    `clock` says one is due."""
    model.train()
    started, tick, session_steps, session_samples = time.perf_counter(), time.perf_counter(), 0, 0
    session_tokens = torch.zeros((), dtype=torch.long, device=accelerator.device)  # summed on device: no sync per step
    for index, batch in enumerate(loader):
        if index < state.epoch_step:
            continue
        stop_now, save_now = flags_agreed(accelerator, stop.flag, clock is not None and clock.due(state.global_step))
        if stop_now:
            break
        if save_now and checkpoint is not None:  # decided with the stop, so all ranks save at the same step
            state.tokens_seen += int(session_tokens.item())  # the checkpoint keeps the count a resume continues
            session_tokens.zero_()
            checkpoint()
            tick = time.perf_counter()  # writing a checkpoint is not training time
        loss, _ = forward_loss(model, batch)
        accelerator.backward(loss)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        state.global_step += 1
        state.epoch_step += 1
        session_steps += 1
        samples = len(batch["labels"]) * accelerator.num_processes
        session_samples += samples
        state.samples_seen += samples
        now = time.perf_counter()
        state.train_seconds, tick = state.train_seconds + now - tick, now
        if "attention_mask" in batch:
            session_tokens += batch["attention_mask"].sum() * accelerator.num_processes
        if state.global_step % config.log_every_steps == 0 or state.global_step in (1, total_steps):
            elapsed = now - started
            log.emit("step", step=state.global_step, total_steps=total_steps, epoch=state.epoch,
                     loss=round(loss.item(), 5), lr=scheduler.get_last_lr()[0],
                     samples_per_s=round(session_samples / max(elapsed, 1e-9), 2),
                     eta_s=round((total_steps - state.global_step) * elapsed / session_steps, 1))
        if state.global_step >= total_steps:
            break
    state.tokens_seen += int(session_tokens.item())
    return state.global_step >= total_steps or stop.flag


def flags_agreed(accelerator: Accelerator, *flags: bool) -> tuple[bool, ...]:
    """With several processes every rank must stop (or save) at the same step, or a collective would hang."""
    if accelerator.num_processes == 1:
        return flags
    votes = torch.tensor([1.0 if flag else 0.0 for flag in flags], device=accelerator.device)
    return tuple(bool(v > 0) for v in accelerator.reduce(votes, reduction="sum").tolist())


@torch.no_grad()
def evaluate(model, loader, accelerator: Accelerator) -> dict:
    """Validation loss, accuracy and macro-F1 over the whole validation set (gathered across ranks)."""
    from modelkit.evaluate import accuracy_and_macro_f1

    model.eval()
    losses, predictions, labels = [], [], []
    for batch in loader:
        loss, logits = forward_loss(model, batch)
        batch_preds, batch_labels = accelerator.gather_for_metrics((logits.argmax(-1), batch["labels"]))
        losses.append(accelerator.gather_for_metrics(loss.detach().reshape(1)).mean().item())
        predictions += batch_preds.tolist()
        labels += batch_labels.tolist()
    model.train()
    return {"loss": round(sum(losses) / max(len(losses), 1), 5), **accuracy_and_macro_f1(labels, predictions)}


def end_of_epoch(model, val_loader, accelerator, state: LoopState, config: TrainConfig, log: EventLog,
                 task_data: TaskData, run_dir: Path) -> None:
    metrics = evaluate(model, val_loader, accelerator)
    state.last_eval = metrics
    log.emit("eval", step=state.global_step, epoch=state.epoch, **metrics)
    if metrics["macro_f1"] > state.best_metric:
        state.best_metric, state.best_epoch, state.bad_epochs = metrics["macro_f1"], state.epoch, 0
        if accelerator.is_main_process:
            save_model(run_dir / "model", accelerator.unwrap_model(model), task_data.processor, asdict(config))
    else:
        state.bad_epochs += 1


def score_starting_point(model, val_loader, accelerator, state: LoopState, config: TrainConfig, log: EventLog,
                         task_data: TaskData, run_dir: Path) -> None:
    """Score and save the model before the loop trains it (a head already fitted on cached features), so
    fine-tuning replaces it only by doing better. Plotted as epoch 0."""
    metrics = evaluate(model, val_loader, accelerator)
    state.last_eval = metrics
    log.emit("eval", step=0, epoch=-1, phase="head", **metrics)
    state.best_metric, state.best_epoch = metrics["macro_f1"], -1
    if accelerator.is_main_process:
        save_model(run_dir / "model", accelerator.unwrap_model(model), task_data.processor, asdict(config))


def save_last(run_dir, model, optimizer, scheduler, accelerator, task_data, state, config, log) -> None:
    """The resumable checkpoint (weights, optimizer, schedule, loop state), switched in atomically."""
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        save_checkpoint(run_dir / "checkpoints" / "last", accelerator.unwrap_model(model), task_data.processor,
                        optimizer.optimizer if hasattr(optimizer, "optimizer") else optimizer, scheduler,
                        asdict(state), asdict(config))
        log.emit("checkpoint", step=state.global_step, epoch=state.epoch, path="checkpoints/last")


def resume_state(run_dir: Path, options: RunOptions, task_data: TaskData, optimizer, scheduler, log: EventLog) -> LoopState:
    """A fresh loop state, or the last checkpoint's (weights, optimizer and schedule restored in place)."""
    last = run_dir / "checkpoints" / "last"
    if not options.resume:
        return LoopState()
    stopped_at = unclean_stop(run_dir)  # read before this session writes its own events
    if not has_checkpoint(last):
        if stopped_at is not None:
            log.emit("note", message=f"the last session stopped uncleanly at step {stopped_at} before any "
                                     "checkpoint was written: training starts again from step 0")
        return LoopState()
    try:
        state = LoopState(**load_checkpoint(last, task_data.model, optimizer, scheduler))
    except CheckpointError as error:  # never load a half-written checkpoint: start again, and say so
        log.emit("note", message=f"{error}: training starts again from step 0")
        return LoopState()
    if state.epoch_complete:
        state.epoch, state.epoch_step = state.epoch + 1, 0
    if stopped_at is None:
        log.emit("resume", step=state.global_step, epoch=state.epoch)
    else:
        log.emit("resume", step=state.global_step, epoch=state.epoch, unclean=True, stopped_at_step=stopped_at,
                 message=f"resumed after an unclean stop at step {stopped_at} (last checkpoint at step "
                         f"{state.global_step}: {max(stopped_at - state.global_step, 0)} steps are trained again)")
    return state


def fit(config: TrainConfig, options: RunOptions) -> dict:
    """Everything from data to the best model; returns a summary for the run card."""
    run_dir = Path(options.run_dir)
    accelerator = make_accelerator(options)
    log = EventLog(run_dir, enabled=accelerator.is_main_process, callback=options.event_callback)
    set_seed(config.seed)
    task_data = build_model(config)
    train_loader, val_loader, sampler = get_dataloaders(task_data, config, accelerator.device.type)
    optimizer = build_optimizer(task_data.model, config, accelerator.device.type)
    steps_per_epoch = math.ceil(len(train_loader) / accelerator.num_processes)
    total_steps = min(config.epochs * steps_per_epoch, config.max_steps or 10**12)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total_steps), total_steps)
    state = resume_state(run_dir, options, task_data, optimizer, scheduler, log)
    model, optimizer, train_loader, val_loader = accelerator.prepare(task_data.model, optimizer, train_loader, val_loader)
    log.emit("start", total_steps=total_steps, epochs=config.epochs, device=str(accelerator.device),
             precision=accelerator.mixed_precision, processes=accelerator.num_processes,
             train_rows=len(task_data.train_set), val_rows=len(task_data.val_set), labels=config.label_names,
             batch_size=config.batch_size)
    for note in task_data.extra.get("notes", []):  # what a person should know, e.g. "no pretrained weights"
        log.emit("note", message=note)
    if task_data.extra.get("score_before_training") and state.global_step == 0:
        score_starting_point(model, val_loader, accelerator, state, config, log, task_data, run_dir)
    stop = StopRequested()
    stop.install()
    clock = CheckpointClock(config.checkpoint_every_steps, config.checkpoint_every_s, saved_step=state.global_step)

    def checkpoint() -> None:
        state.epoch_complete = False
        save_last(run_dir, model, optimizer, scheduler, accelerator, task_data, state, config, log)
        clock.saved(state.global_step)

    while state.epoch < config.epochs:
        if sampler is not None:
            sampler.set_epoch(state.epoch)
        must_stop = train_one_epoch(model, optimizer=optimizer, scheduler=scheduler, loader=train_loader,
                                    accelerator=accelerator, state=state, config=config, log=log,
                                    total_steps=total_steps, stop=stop, clock=clock, checkpoint=checkpoint)
        if stop.flag:
            checkpoint()
            log.emit("cancelled", step=state.global_step, epoch=state.epoch)
            return {"cancelled": True, **asdict(state)}
        state.epoch_complete = True
        end_of_epoch(model, val_loader, accelerator, state, config, log, task_data, run_dir)
        save_last(run_dir, model, optimizer, scheduler, accelerator, task_data, state, config, log)
        clock.saved(state.global_step)
        if state.bad_epochs >= config.early_stopping_patience:
            log.emit("early_stop", epoch=state.epoch, best_epoch=state.best_epoch, best_macro_f1=state.best_metric)
            break
        if must_stop:
            break
        state.epoch, state.epoch_step = state.epoch + 1, 0
    accelerator.wait_for_everyone()
    summary = {**asdict(state), "device": str(accelerator.device), "precision": accelerator.mixed_precision,
               "processes": accelerator.num_processes, "data_hash": task_data.data_hash,
               "train_samples_per_s": round(state.samples_seen / max(state.train_seconds, 1e-9), 2),
               "train_tokens_per_s": round(state.tokens_seen / max(state.train_seconds, 1e-9), 2),
               **how_training_went(state, config, steps_per_epoch, total_steps, task_data)}
    if accelerator.is_main_process and options.finalize:
        summary["run_card"] = get_task(config.task).finalize_run(run_dir, config, summary)
    log.emit("done", **{k: v for k, v in summary.items() if k != "run_card"})
    return summary


def how_training_went(state: LoopState, config: TrainConfig, steps_per_epoch: int, total_steps: int,
                      task_data: TaskData) -> dict:
    """Facts the run card keeps so a short smoke run is never mistaken for a real one (see the run card)."""
    steps = state.global_step
    if config.max_steps and config.max_steps <= steps < config.epochs * steps_per_epoch:
        stopped_by = "max_steps"
    elif state.bad_epochs >= config.early_stopping_patience:
        stopped_by = "early_stop"
    else:
        stopped_by = "epochs"
    return {"steps_per_epoch": steps_per_epoch, "total_steps": total_steps, "stopped_by": stopped_by,
            "epochs_trained": round(steps / max(steps_per_epoch, 1), 3),
            "train_rows": len(task_data.train_set), "min_train_rows": task_data.extra.get("min_train_rows")}


def train(config: TrainConfig, options: RunOptions) -> dict:
    """`fit`, retried from the last checkpoint with half the batch when CUDA runs out of memory."""
    while True:
        try:
            return fit(config, options)
        except ValueError as error:  # bad data or an unavailable model: say it in the run's own events
            EventLog(options.run_dir, enabled=os.environ.get("RANK", "0") == "0").emit("error", message=str(error))
            raise
        except torch.OutOfMemoryError:
            if config.batch_size <= 1:
                raise
            torch.cuda.empty_cache()
            old = config.batch_size
            config.batch_size = max(1, old // 2)
            EventLog(options.run_dir).emit("oom_retry", old_batch_size=old, new_batch_size=config.batch_size,
                                           message=f"out of GPU memory at batch {old}; retrying at {config.batch_size}")
            options.resume = True
