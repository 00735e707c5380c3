"""bench/gpu_check.py runs end to end in its tiny CPU mode, so it is known to work when a GPU appears."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STEPS = ["text fine-tune", "image fine-tune", "out-of-memory retry", "compression rows", "bench/text_train.py",
         "bench/image_train.py"]


@pytest.mark.slow
def test_the_gpu_check_runs_every_step_in_tiny_mode_and_writes_json_and_markdown(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    result = subprocess.run([sys.executable, "bench/gpu_check.py", "--tiny", "--out", str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((out / "gpu_check.json").read_text())
    rows = {row["step"]: row for row in report["steps"]}
    assert list(rows) == STEPS and all(row["status"] == "ok" for row in rows.values())
    assert rows["text fine-tune"]["precision"] == "fp32" and rows["text fine-tune"]["fused_adamw"] is True
    oom = rows["out-of-memory retry"]
    assert oom["batches"] == [32, 16] and oom["finished_steps"] == 2 and oom["how"].startswith("simulated")
    assert {row["method"] for row in rows["compression rows"]["rows"]} == {"fp32", "int8-dynamic"}
    assert "ratio" in rows["bench/text_train.py"]["ratio"] and "ratio" in rows["bench/image_train.py"]["ratio"]
    assert "| out-of-memory retry | ok |" in (out / "gpu_check.md").read_text()
