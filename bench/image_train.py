"""Benchmark: images/second of modelkit's training loop against a plain PyTorch loop, and fp32 vs int8 latency.

Run with `python bench/image_train.py [--data digits|PATH] [--steps 40] [--batch-size 64] [--threads 1] [--rounds 3]`
from the project root. Both loops train the same small CNN on the same in-memory images, with the same
augmentation, collator, batch size and number of steps, in one process, alternating rounds (best round of each
reported); each is timed over its steps only (data loading and model building excluded). Then the model the first loop
saved is quantized (FX static int8) and both are timed at batch 1 and 32 on the CPU.
Prints the ratio ours / plain (1.0 = as fast; the loop adds events, a scheduler and checkpoint-ready
state). No assertion: this is not a test.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from modelkit.vision.quantize import pick_engine, quantize_static_int8  # noqa: E402
from modelkit.vision.timing import measure_variant  # noqa: E402
from modelkit.vision.task import load_sets, load_trained, prepare_task  # noqa: E402
from modelkit.train import RunOptions, TrainConfig, train  # noqa: E402


def our_loop(config: TrainConfig, run_dir: Path) -> float:
    summary = train(config, RunOptions(run_dir=str(run_dir), device="cpu", precision="fp32", finalize=False))
    return summary["train_samples_per_s"]


def plain_loop(config: TrainConfig) -> float:
    """What one would write by hand: DataLoader, model, AdamW, forward, backward, step."""
    torch.manual_seed(config.seed)
    task = prepare_task(config)
    loader = DataLoader(task.train_set, batch_size=config.batch_size, shuffle=True, collate_fn=task.collate)
    model = task.model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate)
    steps, images, started = 0, 0, time.perf_counter()
    while steps < config.max_steps:
        for batch in loader:
            loss = torch.nn.functional.cross_entropy(model(batch["pixel_values"]), batch["labels"])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            steps += 1
            images += len(batch["labels"])
            if steps >= config.max_steps:
                break
    return images / (time.perf_counter() - started)


def latency_rows(run_dir: Path, config: TrainConfig) -> list[dict]:
    model, processor, _ = load_trained(run_dir)
    train_set, val, _ = load_sets(config)
    rows = [measure_variant("fp32", model, val, processor.normalise, 0, "cpu", repeats=50)]
    engine = pick_engine()
    if engine:
        int8 = quantize_static_int8(model, processor, train_set.images[:256], engine)
        rows.append(measure_variant(f"int8-static ({engine})", int8, val, processor.normalise, 0, "cpu", repeats=50))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="digits")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a busy 2-core box)")
    parser.add_argument("--augment", default="flip,crop")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = TrainConfig(task="image", model_name="small_cnn", data_path=args.data, batch_size=args.batch_size,
                         max_steps=args.steps, epochs=100, augment=args.augment, learning_rate=3e-3,
                         log_every_steps=10)
    plain_runs, our_runs = [], []
    with tempfile.TemporaryDirectory() as folder:
        # alternate the two loops and keep each one's best round: the machine is shared, so a round
        # that happens to overlap someone else's job says more about them than about the loop
        for round_ in range(args.rounds):
            plain_runs.append(plain_loop(TrainConfig(**vars(config))))
            our_runs.append(our_loop(TrainConfig(**vars(config)), Path(folder) / f"run{round_}"))
        rows = latency_rows(Path(folder) / "run0", config)
    plain, ours = max(plain_runs), max(our_runs)
    print(f"data={args.data} model=small_cnn batch={args.batch_size} steps={args.steps} threads={args.threads} "
          f"augment={args.augment or 'none'} torch={torch.__version__}")
    print(f"rounds (images/s): plain {[round(x) for x in plain_runs]}, modelkit {[round(x) for x in our_runs]}")
    print(f"{'loop':<14}{'images/s':>10}")
    print(f"{'plain PyTorch':<14}{plain:>10.1f}")
    print(f"{'modelkit':<14}{ours:>10.1f}")
    print(f"ratio modelkit / plain: {ours / plain:.2f}x")
    print(f"\n{'variant':<22}{'p50 b=1':>9}{'p95 b=1':>9}{'p50 b=32':>10}{'p95 b=32':>10}{'accuracy':>10}  (ms, CPU)")
    for row in rows:
        print(f"{row['method']:<22}{row['latency_ms_p50']:>9}{row['latency_ms_p95']:>9}"
              f"{row['latency_ms_p50_batch32']:>10}{row['latency_ms_p95_batch32']:>10}{row['accuracy']:>10}")
    if len(rows) == 2:
        print(f"int8 speed-up at batch 1: {rows[0]['latency_ms_p50'] / rows[1]['latency_ms_p50']:.2f}x, "
              f"at batch 32: {rows[0]['latency_ms_p50_batch32'] / rows[1]['latency_ms_p50_batch32']:.2f}x")


if __name__ == "__main__":
    main()
