"""Benchmark: EfficientNet-Lite0 transfer learning on a CPU, our way against a plain PyTorch loop.

Run with `python bench/lite0_train.py [--data PATH] [--head-epochs 3] [--finetune-epochs 1] [--threads 2]
[--per-class N]` from the project root (data: an ImageFolder tree such as ../shared/data/hymenoptera or
../shared/data/cifar10_small; `--per-class` keeps N training images per class for a quick run).

1. Frozen-backbone phase, same data and budget (`--head-epochs` passes over the training images):
   - plain: the textbook loop, every pass pushes every image through the frozen backbone (contiguous layout)
     and steps AdamW on the head;
   - ours (modelkit.vision.features): features computed once in channels-last layout, then the head fitted on
     them (L-BFGS logistic regression).
   Printed: images/s of each (passes x images / seconds), the ratio, and each head's validation accuracy.
2. The full schedule through modelkit's training loop (modelkit.train): head on cached features, then
   `--finetune-epochs` of careful fine-tuning (learning rate 3e-4 for the head, 3e-5 for the backbone,
   batch-norm statistics kept, flip+crop augmentation); validation accuracy before and after, and the one kept.
No assertion: this is not a test. Tests assert accuracy on the cached-feature head only.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from modelkit.train import RunOptions, TrainConfig, train  # noqa: E402
from modelkit.vision.data import take  # noqa: E402
from modelkit.vision.features import compute_features, fit_head, head_accuracy  # noqa: E402
from modelkit.vision.lite0 import LITE0, LITE0_SIZE, head_of, lite0_net, pooled_features  # noqa: E402
from modelkit.vision.model import make_processor  # noqa: E402
from modelkit.vision.sources import load_image_splits  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "hymenoptera"


def plain_frozen(net, normalise, train, val, epochs: int, batch_size: int = 32) -> tuple[float, float]:
    """(images/s, validation accuracy): frozen backbone, every pass recomputes every image's features."""
    torch.manual_seed(0)
    net.eval()
    head = head_of(net)
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-3)
    labels = torch.tensor(train.labels)
    started = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(labels))
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            with torch.no_grad():
                features = pooled_features(net, normalise(train.images[index]))
            loss = torch.nn.functional.cross_entropy(head(features), labels[index])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
    seconds = time.perf_counter() - started
    with torch.no_grad():
        predictions = torch.cat([net(normalise(val.images[i:i + 64])).argmax(1) for i in range(0, len(val), 64)])
    accuracy = (predictions == torch.tensor(val.labels)).float().mean().item()
    return epochs * len(labels) / seconds, accuracy


def ours_frozen(net, normalise, train, val, epochs: int) -> tuple[float, float]:
    """(images/s for the same number of passes, validation accuracy): features once, head on them."""
    started = time.perf_counter()
    train_features = compute_features(net, normalise, train.images)
    fit = fit_head(train_features, train.labels, len(train.label_names))
    seconds = time.perf_counter() - started
    val_features = compute_features(net, normalise, val.images)
    return epochs * len(train) / seconds, head_accuracy(fit, val_features, val.labels)


def full_schedule(data: str, max_rows: int | None, epochs: int) -> None:
    config = TrainConfig(task="image", model_name=LITE0, data_path=data, epochs=epochs, batch_size=32,
                         learning_rate=3e-4, augment="flip,crop", warmup_ratio=0.05, early_stopping_patience=99,
                         max_train_rows=max_rows, log_every_steps=5)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["APP_DATA_DIR"] = folder
        started = time.perf_counter()
        summary = train(config, RunOptions(run_dir=str(Path(folder) / "run"), device="cpu", finalize=False))
        from modelkit.events import read_events

        evals = read_events(Path(folder) / "run", ("eval",))
        notes = [e["message"] for e in read_events(Path(folder) / "run", ("note",))]
    if summary.get("cancelled"):  # SIGTERM (e.g. `timeout`): the loop saved and stopped; say what it had
        print(f"\nfull schedule stopped after {time.perf_counter() - started:.0f} s (step {summary['global_step']})")
    else:
        print(f"\nfull schedule: {time.perf_counter() - started:.0f} s in all, fine-tuning "
              f"{summary['train_seconds']:.0f} s at {summary['train_samples_per_s']:.1f} images/s")
    print("\n".join(f"  note: {n}" for n in notes))
    for event in evals:
        phase = "head (cached features)" if event.get("phase") == "head" else f"fine-tune epoch {event['epoch'] + 1}"
        print(f"  {phase:<24} val accuracy {event['accuracy']:.3f}  macro-F1 {event['macro_f1']:.3f}")
    kept = "head only" if summary["best_epoch"] == -1 else f"fine-tune epoch {summary['best_epoch'] + 1}"
    print(f"  kept: {kept} (macro-F1 {summary['best_metric']:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--head-epochs", type=int, default=3)
    parser.add_argument("--finetune-epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--per-class", type=int, default=None, help="training images kept per class (quick runs)")
    parser.add_argument("--skip-finetune", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = TrainConfig(task="image", model_name=LITE0, data_path=args.data)
    train_set, val, _ = load_image_splits(config, LITE0_SIZE)
    if args.per_class:
        keep = [i for c in range(len(train_set.label_names))
                for i in [j for j, y in enumerate(train_set.labels) if y == c][:args.per_class]]
        train_set = take(train_set, keep)
    processor = make_processor(LITE0, LITE0_SIZE, train_set.images.shape, train_set.label_names, False, ([0.5], [0.25]))
    classes = len(train_set.label_names)
    plain_speed, plain_acc = plain_frozen(lite0_net(classes), processor.normalise, train_set, val, args.head_epochs)
    our_speed, our_acc = ours_frozen(lite0_net(classes), processor.normalise, train_set, val, args.head_epochs)
    print(f"data={args.data} train={len(train_set)} val={len(val)} size={LITE0_SIZE} threads={args.threads} "
          f"torch={torch.__version__}")
    print(f"frozen-backbone phase, {args.head_epochs} passes over the training images:")
    print(f"{'loop':<34}{'images/s':>10}{'val acc':>10}")
    print(f"{'plain (recompute every pass)':<34}{plain_speed:>10.1f}{plain_acc:>10.3f}")
    print(f"{'modelkit (cached, channels-last)':<34}{our_speed:>10.1f}{our_acc:>10.3f}")
    print(f"ratio modelkit / plain: {our_speed / plain_speed:.2f}x")
    if not args.skip_finetune:
        full_schedule(args.data, args.per_class and args.per_class * classes, args.finetune_epochs)


if __name__ == "__main__":
    main()
