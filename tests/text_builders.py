"""Small builders for the text-model tests: a tiny training config and a finished tiny run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tiny_config(**overrides):
    from modelkit.train import TrainConfig

    values = dict(model_name="tiny-bert", max_steps=2, batch_size=8, eval_batch_size=32, max_length=32,
                  log_every_steps=1, learning_rate=1e-3)
    return TrainConfig(**{**values, **overrides})


def train_tiny(run_dir: Path, **overrides) -> dict:
    from modelkit.train import RunOptions, train

    return train(tiny_config(**overrides), RunOptions(run_dir=str(run_dir), device="cpu"))


def run_cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "modelkit", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)
