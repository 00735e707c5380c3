"""Benchmark: EfficientNet-Lite0 transfer learning on a CPU, our way against a plain PyTorch loop.

Run with `python bench/lite0_train.py [--data PATH] [--head-epochs 3] [--finetune-epochs 1] [--threads 2]
[--per-class N] [--rounds 2] [--feature-cache DIR]` from the project root (data: an ImageFolder tree such as
../shared/data/hymenoptera or ../shared/data/cifar10_small; `--per-class` keeps N training images per class
for a quick run; `--feature-cache` lets the full schedule read frozen features computed before, e.g. by
tests/modelkit/vision/test_lite0_realdata.py, and says so).

1. Frozen-backbone phase, same data and budget (`--head-epochs` passes over the training images):
   - plain: the textbook loop, every pass pushes every image through the frozen backbone (contiguous layout)
     and steps AdamW on the head;
   - ours (modelkit.vision.features): features computed once (channels-last, inference mode), then the head
     fitted on them (L-BFGS logistic regression).
   Printed: images/s of each (passes x images / seconds), the ratio, each head's validation accuracy, where
   our time went (features, fit) and the load average. With `--rounds N` the two alternate N times, so a busy
   machine penalises both alike, and the best round of each is compared.
2. The full schedule through modelkit's training loop (modelkit.train): head on cached features, then
   `--finetune-epochs` of careful fine-tuning (learning rate 3e-4 for the head, 3e-5 for the backbone,
   batch-norm statistics kept, flip+crop augmentation); validation accuracy before and after, and the one kept.
No assertion: this is not a test. Tests assert accuracy on the cached-feature head only.
"""
from __future__ import annotations

import argparse
import os
import shutil
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
from modelkit.vision.task import FEATURE_CACHE_DIR, as_tensors  # noqa: E402
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


def ours_frozen(net, normalise, train, val, epochs: int) -> tuple[float, float, float, float]:
    """(images/s for the same number of passes, validation accuracy, feature seconds, fit seconds): features
    once, head on them."""
    started = time.perf_counter()
    train_features = compute_features(net, normalise, train.images)
    feature_s = time.perf_counter() - started
    fit = fit_head(train_features, train.labels, len(train.label_names))
    seconds = time.perf_counter() - started
    val_features = compute_features(net, normalise, val.images)
    return epochs * len(train) / seconds, head_accuracy(fit, val_features, val.labels), feature_s, seconds - feature_s


def compare_frozen(train, val, epochs: int, rounds: int) -> None:
    """Plain and ours alternating, `rounds` times each; the best round of each is compared."""
    processor = make_processor(LITE0, LITE0_SIZE, train.images.shape, train.label_names, False, ([0.5], [0.25]))
    classes = len(train.label_names)
    print(f"frozen-backbone phase, {epochs} passes over the training images, {rounds} round(s) alternating:")
    print(f"{'loop':<34}{'images/s':>10}{'val acc':>10}{'load':>7}")
    plain_best = ours_best = 0.0
    for _ in range(rounds):
        speed, accuracy = plain_frozen(lite0_net(classes), processor.normalise, train, val, epochs)
        plain_best = max(plain_best, speed)
        print(f"{'plain (recompute every pass)':<34}{speed:>10.1f}{accuracy:>10.3f}{os.getloadavg()[0]:>7.1f}",
              flush=True)
        speed, accuracy, feature_s, fit_s = ours_frozen(lite0_net(classes), processor.normalise, train, val, epochs)
        ours_best = max(ours_best, speed)
        print(f"{'modelkit (cached, channels-last)':<34}{speed:>10.1f}{accuracy:>10.3f}{os.getloadavg()[0]:>7.1f}"
              f"   features {feature_s:.1f} s ({len(train) / feature_s:.1f} images/s), head fit {fit_s:.1f} s",
              flush=True)
    print(f"ratio modelkit / plain (best round each): {ours_best / plain_best:.2f}x")


def full_schedule(data: str, max_rows: int | None, epochs: int, feature_cache: str | None) -> None:
    config = TrainConfig(task="image", model_name=LITE0, data_path=data, epochs=epochs, batch_size=32,
                         learning_rate=3e-4, augment="flip,crop", warmup_ratio=0.05, early_stopping_patience=99,
                         max_train_rows=max_rows, log_every_steps=5)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["APP_DATA_DIR"] = folder
        if feature_cache:  # features computed before, under the same key (weights, size, the images' content)
            shutil.copytree(feature_cache, Path(folder) / FEATURE_CACHE_DIR)
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
    parser.add_argument("--rounds", type=int, default=1, help="plain and ours alternating, this many times each")
    parser.add_argument("--skip-frozen", action="store_true")
    parser.add_argument("--skip-finetune", action="store_true")
    parser.add_argument("--feature-cache", default=None, help="a folder of cached frozen features to start from")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = TrainConfig(task="image", model_name=LITE0, data_path=args.data)
    train_set, val = map(as_tensors, load_image_splits(config, LITE0_SIZE)[:2])
    if args.per_class:
        keep = [i for c in range(len(train_set.label_names))
                for i in [j for j, y in enumerate(train_set.labels) if y == c][:args.per_class]]
        train_set = take(train_set, keep)
    print(f"data={args.data} train={len(train_set)} val={len(val)} size={LITE0_SIZE} threads={args.threads} "
          f"torch={torch.__version__} cores={os.cpu_count()} load={os.getloadavg()[0]:.1f}", flush=True)
    if not args.skip_frozen:
        compare_frozen(train_set, val, args.head_epochs, args.rounds)
    if not args.skip_finetune:
        per_class = args.per_class and args.per_class * len(train_set.label_names)
        full_schedule(args.data, per_class, args.finetune_epochs, args.feature_cache)


if __name__ == "__main__":
    main()
