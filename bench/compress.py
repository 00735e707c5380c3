"""Benchmark: measured compression of a fine-tuned BERT against the published rules of thumb, side by side.

Fine-tunes the bundled all-MiniLM-L6-v2 (6 layers) on the built-in support tickets or a SST-2 subset
(../shared/data/sst2 or $REALDATA_DIR/sst2; scored on the 872 dev sentences), then builds: a student with
half the layers (distilled), a structurally pruned model (heads and FFN neurons, recovery fine-tune), a
magnitude-pruned one (--sparsity of the Linear weights zeroed, recovery fine-tune; no target, shown for its
honest result: no faster, smaller only when zipped), int8 on the teacher and int8 on top of each. All rows are timed alternating in one process on this CPU
(modelkit.text.variant_rows). Prints each row's speed-up over the teacher at batch 1 and its accuracy
change beside what business.costs.variant_bills.published_predictions says, and the issue's targets:
half-layer student >= 1.8x faster at <= 2 points lost; int8 on top >= 1.3x more at <= 1 more point;
pruning 30-50% >= 1.3x faster at <= 2 points.

  .venv/bin/python bench/compress.py [--data tickets|sst2] [--train-rows 2000] [--epochs 2] [--run-dir DIR]
  .venv/bin/python bench/compress.py --task image [--channels 0.5] [--image-epochs 8] [--image-size 32]

The image row set: the small CNN trained from scratch on scikit-learn's digits (1,438 training and 359
validation images, upsampled to --image-size), then half of every convolution's channels pruned with a
recovery fine-tune, static int8 on the teacher and on the pruned CNN, measured alternating the same way
(modelkit.vision.variant_rows); printed with the published structured-pruning rule beside the pruned row.
Last image run (2026-12-01 11:27, quiet machine, load ~1; digits at 32 px, 8 teacher epochs, 1 recovery epoch,
`bench/compress.py --task image --repeats 40`): teacher 288,170 parameters, 1.2 MB, accuracy 0.994;
prune-c50 72,666 parameters (75% fewer), 0.3 MB, accuracy 0.989 (-0.6 points), 1.87x at batch 1 and 2.98x at
batch 32 (published structured rule: 3.97x); int8-static 2.03x / 3.16x, +0.0 points; prune-c50+int8 2.71x /
6.25x, 0.1 MB (12.7x smaller), -0.6 points. (An earlier run at a load average of ~10 gave 1.17x-1.24x for
prune-c50 at batch 1: on a loaded machine the sub-millisecond rows mostly measure the scheduler.)

Last runs (2026-12-01, quiet machine, load < 2; distillation and recovery epochs from the data as the product
picks them; int8 with one scale per output channel; pruning 50% of heads and FFN neurons, the product default):

  bench/compress.py --data sst2 --train-rows 2000 --epochs 2 --repeats 40   (teacher 0.825 on the 872 dev
  sentences; 3 distillation passes = 189 steps, 1 recovery pass = 63 steps; 5 min in all)
    distill-3L        1.77x at batch 1 (1.98x at 32), -2.8 pts  published 1.60x / -2.5 (97% rule): target NOT met
    +int8 on it       2.00x more, -0.3 more pts                 target met (>= 1.3x at <= 1 more point)
    prune-h50-f50     1.50x, -0.3 pts                            published 2.00x: target met (>= 1.3x, <= 2 pts)
    sparse-50         0.97x, -2.2 pts, same 90.9 MB on disk, 0.81x zipped (83.4 -> 67.7 MB); published 1.0x
    int8-dynamic      1.90x, +0.7 pts                            published 1.23x / no loss
    prune+int8        2.32x, -1.0 pts;  distill-3L+int8 3.53x, -3.1 pts
  bench/compress.py --data tickets --epochs 3 --repeats 30   (teacher 0.938 on 64 validation tickets, so one
  ticket = 1.6 points; 19 distillation passes = 152 steps, 5 recovery passes = 40 steps)
    distill-3L 1.77x, +0.0 pts (target: speed 0.03x short); +int8 on it 2.05x more, -1.6 more (one ticket; the
    64 tickets cannot resolve 1 point); prune-h50-f50 1.51x, +1.6 (met); sparse-50 0.98x, -7.8, 0.81x zipped;
    int8-dynamic 1.92x, -4.7 (3 tickets).

What limits the half-layer student: at batch 1 the embeddings, pooler, classifier and per-call Python cost
~1 ms of the teacher's 8 ms whatever the depth, so halving the layers gives ~1.8x, not 2x (1.98x at batch 32);
an earlier run under load gave 2.03x. Its accuracy on 2,000 SST-2 sentences stayed 2.5-3 points under the
teacher in every variant tried (6 epochs 0.796, learning rate 2e-4 0.799, alpha 0.9 0.795, the first three
layers 0.788, Patient-KD [CLS] losses 0.795-0.800, word-dropout/[MASK] augmentation 0.792-0.800, temperature
1 or 4 0.792/0.796, MSE on the logits instead of KL 0.799 (0.791 without the true labels), against 0.797):
the published 97% rule (0.800) was right for this set, and the transfer set of 2,000 sentences is the limit.
Per-channel int8 was chosen on the SST-2 teacher: per-tensor lost 1.7 points, per-channel none, same latency.
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

from transformers.utils import logging as hf_logging  # noqa: E402

from business.costs.variant_bills import published_predictions  # noqa: E402
from modelkit.config import TrainConfig  # noqa: E402
from modelkit.text.compress import compress  # noqa: E402
from modelkit.text.variant_rows import measure_and_store  # noqa: E402
from modelkit.text.variants import CompressRequest  # noqa: E402

SST2 = Path(os.environ.get("REALDATA_DIR") or ROOT.parent / "shared" / "data") / "sst2"


def teacher_config(args) -> TrainConfig:
    common = dict(model_name="bundled", epochs=args.epochs, batch_size=32, learning_rate=1e-4,
                  max_length=args.max_length, freeze_embeddings=True, early_stopping_patience=1,
                  log_every_steps=10**6)
    if args.data == "sst2":
        return TrainConfig(data_path=str(SST2 / "train.tsv"), val_path=str(SST2 / "dev.tsv"),
                           max_train_rows=args.train_rows, **common)
    return TrainConfig(**common)


def build_all(run_dir: Path, args) -> dict[str, float]:
    """Every variant; returns the wall seconds each method took."""
    seconds = {}
    for request in (CompressRequest("distill", layers=3, epochs=args.distill_epochs),
                    CompressRequest("prune", heads_fraction=args.prune, ffn_fraction=args.prune,
                                    recovery_epochs=args.recovery_epochs),
                    CompressRequest("sparse", sparsity=args.sparsity, recovery_epochs=args.recovery_epochs),
                    CompressRequest("int8"), CompressRequest("int8", base="distill-3L"),
                    CompressRequest("int8", base=f"prune-h{round(args.prune * 100)}-f{round(args.prune * 100)}")):
        started = time.perf_counter()
        compress(run_dir, request, repeats=3)
        seconds[request.method + ("" if request.method != "int8" else f" on {request.base}")] = \
            round(time.perf_counter() - started, 1)
        print(f"built {request.method} ({request.base if request.method == 'int8' else ''}) "
              f"in {seconds[list(seconds)[-1]]} s", flush=True)
    return seconds


def build_image(run_dir: Path, args) -> None:
    from modelkit.vision.compress import compress as compress_image
    from modelkit.vision.variants import ImageCompressRequest

    pruned = f"prune-c{round(args.channels * 100)}"
    recovery = {} if args.recovery_epochs is None else {"recovery_epochs": args.recovery_epochs}
    for request in (ImageCompressRequest("prune", channels_fraction=args.channels, **recovery),
                    ImageCompressRequest("int8"), ImageCompressRequest("int8", base=pruned)):
        started = time.perf_counter()
        compress_image(run_dir, request, repeats=3)
        print(f"built {request.method} ({request.base if request.method == 'int8' else pruned}) "
              f"in {time.perf_counter() - started:.1f} s", flush=True)


def image_teacher_config(args) -> TrainConfig:
    return TrainConfig(task="image", model_name="small_cnn", data_path="digits", image_size=args.image_size,
                       epochs=args.image_epochs, batch_size=32, learning_rate=3e-3, log_every_steps=10**6)


def image_targets(by_method: dict, teacher: dict) -> None:
    """The issue sets no image targets; say what pruning did at both batch sizes, and int8 on top."""
    print("\nImage rows against the teacher (no target set in issue 14):")
    for name, row in by_method.items():
        if name == "fp32":
            continue
        print(f"  {name}: {teacher['latency_ms_p50'] / row['latency_ms_p50']:.2f}x at batch 1, "
              f"{teacher['latency_ms_p50_batch32'] / row['latency_ms_p50_batch32']:.2f}x at batch 32, "
              f"accuracy {(row['accuracy'] - teacher['accuracy']) * 100:+.1f} points, "
              f"{teacher['size_bytes'] / row['size_bytes']:.1f}x smaller")


def report(rows: list[dict], check=None) -> None:
    teacher = next(row for row in rows if row["method"] == "fp32")
    predicted = published_predictions(rows)
    by_method = {row["method"]: row for row in rows}
    print(f"\n{'method':<22}{'params':>11}{'MB':>7}{'gzip MB':>8}{'p50 b1':>9}{'p50 b32':>9}{'speed-up':>10}"
          f"{'published':>11}{'acc':>8}{'Δ pts':>7}{'published acc':>15}")
    for row in rows:
        speedup = teacher["latency_ms_p50"] / row["latency_ms_p50"]
        guess = predicted.get(row["method"])
        delta = (row["accuracy"] - teacher["accuracy"]) * 100
        zipped = f"{row['size_gzip_bytes'] / 1e6:.1f}" if row.get("size_gzip_bytes") else "-"
        print(f"{row['method']:<22}{row['parameters']:>11,}{row['size_bytes'] / 1e6:>7.1f}{zipped:>8}"
              f"{row['latency_ms_p50']:>9.2f}"
              f"{row['latency_ms_p50_batch32']:>9.1f}{speedup:>9.2f}x"
              f"{(f'{guess.speedup:.2f}x' if guess else '-'):>11}{row['accuracy']:>8.3f}{delta:>+7.1f}"
              f"{(f'{guess.accuracy:.3f}' if guess and guess.accuracy is not None else '-'):>15}")
    (check or targets)(by_method, teacher)


def targets(by_method: dict, teacher: dict) -> None:
    def ratio(a: str, b: str) -> float:
        return by_method[a]["latency_ms_p50"] / by_method[b]["latency_ms_p50"]

    def lost(name: str, against: dict = teacher) -> float:
        return (against["accuracy"] - by_method[name]["accuracy"]) * 100

    prune = next(name for name in by_method if name.startswith("prune-") and "+" not in name)
    checks = [("student (3 of 6 layers) >= 1.8x faster at batch 1", ratio("fp32", "distill-3L"), 1.8,
               "<= 2 points lost", lost("distill-3L"), 2.0),
              ("int8 on top of the student >= 1.3x more", ratio("distill-3L", "distill-3L+int8"), 1.3,
               "<= 1 more point lost", lost("distill-3L+int8", by_method["distill-3L"]), 1.0),
              (f"{prune} >= 1.3x faster", ratio("fp32", prune), 1.3, "<= 2 points lost", lost(prune), 2.0)]
    print("\nTargets (issue 14):")
    for speed_text, speed, speed_goal, loss_text, loss, loss_goal in checks:
        verdict = "met" if speed >= speed_goal and loss <= loss_goal else "NOT met"
        print(f"  {speed_text}: {speed:.2f}x; {loss_text}: {loss:+.1f} -> {verdict}")
    for name in (n for n in by_method if n.startswith("sparse-") and "+" not in n):
        row = by_method[name]
        print(f"  {name} (no target; published rule 1.0x on dense hardware): {ratio('fp32', name):.2f}x, "
              f"{-lost(name):+.1f} points, {row['size_bytes'] / teacher['size_bytes']:.2f}x the teacher's size on "
              f"disk, {row['size_gzip_bytes'] / teacher['size_gzip_bytes']:.2f}x zipped")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", choices=["tickets", "sst2"],
                        default="sst2" if (SST2 / "dev.tsv").exists() else "tickets")
    parser.add_argument("--train-rows", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--distill-epochs", type=float, default=None, help="default: the product's, from the data")
    parser.add_argument("--recovery-epochs", type=float, default=None, help="default: the product's, from the data")
    parser.add_argument("--prune", type=float, default=0.5, help="share of heads and of FFN neurons removed")
    parser.add_argument("--sparsity", type=float, default=0.5, help="share of weights zeroed (unstructured)")
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--run-dir", default="", help="reuse (or keep) the teacher's run folder here")
    parser.add_argument("--task", choices=["text", "image"], default="text")
    parser.add_argument("--channels", type=float, default=0.5, help="image: share of conv channels removed")
    parser.add_argument("--image-epochs", type=int, default=8)
    parser.add_argument("--image-size", type=int, default=32)
    args = parser.parse_args()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    run_dir = Path(args.run_dir or tempfile.mkdtemp(prefix="bench-compress-")) / "run"
    image = args.task == "image"
    if not (run_dir / "run_card.json").exists():
        from modelkit.train import RunOptions, train

        started = time.perf_counter()
        train(image_teacher_config(args) if image else teacher_config(args), RunOptions(run_dir=str(run_dir),
                                                                                         device="cpu"))
        print(f"teacher trained in {time.perf_counter() - started:.0f} s ({'digits' if image else args.data})",
              flush=True)
    if image:
        from modelkit.vision.variant_rows import measure_and_store as measure_image

        build_image(run_dir, args)
        report(measure_image(run_dir, repeats=args.repeats), image_targets)
        return
    build_all(run_dir, args)
    report(measure_and_store(run_dir, repeats=args.repeats))


if __name__ == "__main__":
    main()
