"""Benchmark: the training time the text page predicts before a start, against the time the run takes.

Trains the bundled MiniLM on the built-in support tickets `--runs` times (1 epoch each by default). The
first prediction has no past run to go on (this machine's numpy matmul speed × the assumed share); each
later one uses the runs before it, exactly as the page does (business.costs.training_time).

  .venv/bin/python bench/predicted_time.py [--runs 2] [--epochs 1] [--max-length 32]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from business.costs.catalog import load_catalog  # noqa: E402
from business.costs.models import preset  # noqa: E402
from business.costs.training_time import predict_training_time, speed_from_matmul, speed_from_runs  # noqa: E402
from modelkit.config import TrainConfig  # noqa: E402
from modelkit.hardware import matmul_flops_per_s  # noqa: E402
from modelkit.runs import read_run_card  # noqa: E402
from modelkit.text.data import check_text_data, load_text_table, split_train_val  # noqa: E402
from modelkit.text.names import display_name  # noqa: E402
from modelkit.text.tokens import length_tokenizer  # noqa: E402
from modelkit.paths import example_dataset_path  # noqa: E402


def tokens_per_epoch(max_length: int) -> int:
    train, val = split_train_val(load_text_table(example_dataset_path()))
    return check_text_data(train, val, length_tokenizer("bundled"), max_length).train_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-length", type=int, default=32)
    args = parser.parse_args()
    from modelkit.train import RunOptions, train

    tokens, parameters, cards = tokens_per_epoch(args.max_length), preset("minilm-l6").parameters, []
    print(f"bundled MiniLM, support tickets, {args.epochs} epoch(s), max {args.max_length} tokens "
          f"({tokens:,} tokens a pass), {os.cpu_count()} cores")
    print(f"{'run':<5}{'predicted s':>12}{'actual s':>10}{'actual/predicted':>18}  basis")
    with tempfile.TemporaryDirectory() as folder:
        for index in range(args.runs):
            speed = speed_from_runs(cards, display_name("bundled"), "cpu") or speed_from_matmul(
                matmul_flops_per_s(), date.today())
            predicted = predict_training_time(parameters, tokens, args.epochs, speed, load_catalog(), date.today())
            config = TrainConfig(epochs=args.epochs, max_length=args.max_length, batch_size=16, learning_rate=1e-4,
                                 predicted_seconds=predicted.seconds, log_every_steps=10**6)
            run_dir = Path(folder) / f"run{index}"
            train(config, RunOptions(run_dir=str(run_dir), device="cpu"))
            card = read_run_card(run_dir)
            cards.append(card)
            actual = card["training"]["train_seconds"]
            print(f"{index + 1:<5}{predicted.seconds:>12.1f}{actual:>10.1f}{actual / predicted.seconds:>17.2f}x  "
                  f"{speed.basis}", flush=True)


if __name__ == "__main__":
    main()
