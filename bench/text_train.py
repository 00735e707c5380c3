"""Benchmark: our training loop vs Hugging Face Trainer, side by side in one process; fp32 vs int8 latency.

Same model (the bundled all-MiniLM-L6-v2 with a fresh head), same rows (SST-2 train sentences when
../shared/data/sst2 or $REALDATA_DIR/sst2 exists, else the built-in support tickets), same batch size,
max sequence length, precision (bf16 on CUDA where supported, else fp32) and number of steps. Rounds
alternate (ours, Trainer, ours, Trainer...) so a busy machine penalises both alike; the best round of
each is compared. Trainer runs its defaults (dynamic padding, random batches, torch AdamW).

  .venv/bin/python bench/text_train.py [--steps 30] [--batch-size 32] [--max-length 128] [--rounds 2]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402

from modelkit.config import TrainConfig  # noqa: E402

SST2 = Path(os.environ.get("REALDATA_DIR") or ROOT.parent / "shared" / "data") / "sst2" / "train.tsv"


def bench_config(args) -> TrainConfig:
    data = str(SST2) if SST2.exists() else ""
    return TrainConfig(model_name="bundled", data_path=data, max_train_rows=args.steps * args.batch_size,
                       max_val_rows=64, max_length=args.max_length, batch_size=args.batch_size,
                       max_steps=args.steps, epochs=1, log_every_steps=10**6, early_stopping_patience=99)


def run_ours(config: TrainConfig, precision: str) -> float:
    from modelkit.train import RunOptions, fit

    with tempfile.TemporaryDirectory() as run_dir:
        summary = fit(config, RunOptions(run_dir=run_dir, precision=precision, finalize=False))
    return summary["train_samples_per_s"]


def run_trainer(config: TrainConfig, precision: str) -> float:
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    from modelkit.train import build_model

    task = build_model(config)  # same rows, tokenization and fresh-headed model as ours
    train_rows = [{"input_ids": ids, "labels": label} for ids, label in zip(task.train_set.input_ids, task.train_set.labels)]
    with tempfile.TemporaryDirectory() as out:
        arguments = TrainingArguments(
            output_dir=out, per_device_train_batch_size=config.batch_size, max_steps=config.max_steps,
            learning_rate=config.learning_rate, weight_decay=config.weight_decay, warmup_steps=int(config.warmup_ratio * config.max_steps),
            bf16=precision == "bf16", fp16=precision == "fp16", report_to=[], save_strategy="no", logging_strategy="no",
            seed=config.seed, dataloader_num_workers=0, disable_tqdm=True, use_cpu=not torch.cuda.is_available())
        trainer = Trainer(model=task.model, args=arguments, train_dataset=train_rows,
                          data_collator=DataCollatorWithPadding(task.processor))
        metrics = trainer.train().metrics
    return metrics["train_samples_per_second"]


def latency_table(config: TrainConfig) -> list[tuple[str, int, dict]]:
    from modelkit.text.shrink import quantize_int8
    from modelkit.measure import measure_latency_ms
    from modelkit.text.predict import Predictor, latency_batch
    from modelkit.text.model import build_text_model, load_tokenizer
    from modelkit.text.task import load_splits

    _, val = load_splits(config)
    fp32 = Predictor(build_text_model("bundled", ["0", "1"]).eval(), load_tokenizer("bundled"), ["0", "1"], config.max_length)
    int8 = Predictor(quantize_int8(fp32.model), fp32.tokenizer, fp32.label_names, config.max_length)
    rows = []
    for name, predictor in (("fp32", fp32), ("int8-dynamic", int8)):
        for batch_size in (1, 32):
            timing = measure_latency_ms(predictor.model, latency_batch(predictor, val.texts, batch_size),
                                        repeats=30 if batch_size == 1 else 8)
            rows.append((name, batch_size, timing))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    precision = ("bf16" if torch.cuda.is_bf16_supported() else "fp16") if torch.cuda.is_available() else "fp32"
    config = bench_config(args)
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU x{os.cpu_count()}"
    print(f"data={'sst2' if config.data_path else 'support_tickets'} rows={config.max_train_rows} steps={args.steps} "
          f"batch={args.batch_size} max_length={args.max_length} precision={precision} device={device} "
          f"torch_threads={torch.get_num_threads()}")
    ours, theirs = [], []
    for round_index in range(args.rounds):
        ours.append(run_ours(config, precision))
        theirs.append(run_trainer(config, precision))
        print(f"round {round_index + 1}: ours {ours[-1]:.1f} samples/s, Trainer {theirs[-1]:.1f} samples/s")
    print(f"best: ours {max(ours):.1f} samples/s, Trainer {max(theirs):.1f} samples/s, "
          f"ratio ours/Trainer = {max(ours) / max(theirs):.2f}x")
    print("inference latency on CPU (ms):")
    for name, batch_size, timing in latency_table(config):
        print(f"  {name:13s} batch {batch_size:2d}: p50 {timing['p50']:8.2f}  p95 {timing['p95']:8.2f}")


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"total {time.time() - started:.0f} s")
