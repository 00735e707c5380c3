"""Every GPU path in one command: fine-tunes, an out-of-memory retry, compression rows and both benchmarks.

On a CUDA machine (under 8 minutes on one GPU):
  .venv/bin/python bench/gpu_check.py [--out DIR]
On any machine, to know the script works before a GPU appears (tiny models, a few steps, CPU):
  .venv/bin/python bench/gpu_check.py --tiny [--out DIR]

Steps: a text fine-tune (bf16 autocast on GPUs that support it, else fp16; fused AdamW), an image
fine-tune, an out-of-memory retry provoked on purpose (the GPU's memory capped with
torch.cuda.set_per_process_memory_fraction so a large batch of long texts cannot fit; on a CPU, where
memory never runs out this way, the first attempt raises torch.OutOfMemoryError by hand, said in the
result), the measured compression rows (fp16 appears only on a GPU), then bench/text_train.py (ours vs
Hugging Face Trainer) and bench/image_train.py. Each step is timed and recorded as ok, failed (with the
message) or skipped (with the reason); one failure never stops the rest. Writes gpu_check.json and
gpu_check.md into --out (default APP_DATA_DIR/gpu_check) with the model FLOP utilisation (MFU: 6 x
parameters x tokens per second over the GPU's dense bf16 peak from business/costs/data/gpu_specs.csv).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from modelkit.config import TrainConfig  # noqa: E402
from modelkit.events import read_events  # noqa: E402
from modelkit.paths import app_data_dir  # noqa: E402
from modelkit.train import RunOptions, train  # noqa: E402


def run_step(name: str, results: list[dict], action) -> dict | None:
    """Time one step and record its outcome; an exception becomes a failed step, not a stopped script."""
    started = time.perf_counter()
    try:
        figures = action()
        status = "skipped" if isinstance(figures, str) else "ok"
        row = {"step": name, "status": status, **({"reason": figures} if status == "skipped" else figures)}
    except Exception as error:  # noqa: BLE001 - the report names every failure and goes on
        row = {"step": name, "status": "failed", "error": f"{type(error).__name__}: {error}"}
    row["seconds"] = round(time.perf_counter() - started, 1)
    results.append(row)
    print(json.dumps(row), flush=True)
    return row


def gpu_peak_tflops() -> tuple[str, float | None]:
    """The dense bf16 peak of this GPU from the shipped spec sheet (matched on the model's name)."""
    if not torch.cuda.is_available():
        return "CPU", None
    from business.costs.catalog import load_specs

    device = torch.cuda.get_device_name(0)
    for name, spec in load_specs().items():
        if name.split()[0].lower() in device.lower():
            return device, spec.bf16_tflops
    return device, None


def mfu(parameters: int, tokens_per_s: float, peak_tflops: float | None) -> float | None:
    if not peak_tflops:
        return None
    return round(6 * parameters * tokens_per_s / (peak_tflops * 1e12), 4)


def text_finetune(run_dir: Path, tiny: bool, peak: float | None) -> dict:
    config = TrainConfig(model_name="tiny-bert" if tiny else "bundled", max_length=32 if tiny else 128,
                         batch_size=8 if tiny else 64, epochs=1 if tiny else 3, max_steps=4 if tiny else None,
                         learning_rate=1e-3 if tiny else 5e-5, log_every_steps=1)
    summary = train(config, RunOptions(run_dir=str(run_dir), device="auto"))
    card = summary["run_card"]
    parameters = card["model"]["parameters"]
    tokens_per_s = summary["train_samples_per_s"] * mean_tokens(config)
    return {"device": summary["device"], "precision": precision_name(summary), "fused_adamw": fused_optimizer(),
            "steps": summary["global_step"], "samples_per_s": summary["train_samples_per_s"],
            "tokens_per_s": round(tokens_per_s), "accuracy": card["metrics"]["accuracy"], "parameters": parameters,
            "mfu": mfu(parameters, tokens_per_s, peak)}


def mean_tokens(config: TrainConfig) -> float:
    """Tokens per training text after truncation: what each sample costs the model."""
    from modelkit.text.model import load_tokenizer
    from modelkit.text.task import load_splits

    train_rows, _ = load_splits(config)
    ids = load_tokenizer(config.model_name)(train_rows.texts, truncation=True, max_length=config.max_length)["input_ids"]
    return sum(map(len, ids)) / max(len(ids), 1)


def precision_name(summary: dict) -> str:
    return "fp32" if summary["precision"] == "no" else summary["precision"]  # accelerate says "no" for fp32


def fused_optimizer() -> bool:
    from modelkit.train import build_optimizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    optimizer = build_optimizer(torch.nn.Linear(2, 2), TrainConfig(), device)
    return bool(optimizer.defaults.get("fused"))


def image_finetune(run_dir: Path, tiny: bool) -> dict:
    config = TrainConfig(task="image", model_name="small_cnn", data_path="digits", batch_size=32 if tiny else 128,
                         epochs=1 if tiny else 5, max_steps=4 if tiny else None, learning_rate=3e-3,
                         augment="" if tiny else "flip,crop", log_every_steps=1)
    summary = train(config, RunOptions(run_dir=str(run_dir), device="auto"))
    return {"device": summary["device"], "precision": precision_name(summary), "steps": summary["global_step"],
            "samples_per_s": summary["train_samples_per_s"], "accuracy": summary["run_card"]["metrics"]["accuracy"]}


def long_texts_csv(path: Path, rows: int, words: int) -> str:
    import csv

    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for index in range(rows):
            writer.writerow([" ".join(["refund" if index % 2 else "crash"] * words), "billing" if index % 2 else "bug"])
    return str(path)


def oom_retry(run_dir: Path, tiny: bool) -> dict:
    """Train at a batch that cannot fit and check the loop halves it until it does, saying so in events."""
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    data = long_texts_csv(run_dir.parent / "long_texts.csv", rows=64 if tiny else 1024, words=20 if tiny else 500)
    config = TrainConfig(model_name="tiny-bert" if tiny else "bundled", data_path=data, max_length=32 if tiny else 512,
                         batch_size=32 if tiny else 1024, epochs=1, max_steps=2, log_every_steps=1)
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.set_per_process_memory_fraction(2e9 / torch.cuda.get_device_properties(0).total_memory)
        how = "GPU memory capped at 2 GB"
        try:
            train(config, RunOptions(run_dir=str(run_dir), device="cuda", finalize=False))
        finally:
            torch.cuda.set_per_process_memory_fraction(1.0)
    else:
        how = "simulated: no CUDA here, so the first attempt raised torch.OutOfMemoryError by hand"
        with raising_oom_once():
            train(config, RunOptions(run_dir=str(run_dir), device="cpu", finalize=False))
    retries = read_events(run_dir, ("oom_retry",))
    if not retries:
        raise RuntimeError(f"no oom_retry event: the batch of {config.batch_size} fitted, nothing was provoked")
    return {"how": how, "batches": [retries[0]["old_batch_size"]] + [event["new_batch_size"] for event in retries],
            "finished_steps": read_events(run_dir, ("step",))[-1]["step"]}


class raising_oom_once:
    """Make modelkit.train.fit raise an out-of-memory error on its first call only (CPU tiny mode)."""

    def __enter__(self):
        import modelkit.train as loop

        self.loop, self.real_fit, calls = loop, loop.fit, []

        def fit_once_failing(config, options):
            calls.append(config.batch_size)
            if len(calls) == 1:
                raise torch.OutOfMemoryError(f"provoked at batch {config.batch_size}")
            return self.real_fit(config, options)

        loop.fit = fit_once_failing
        return self

    def __exit__(self, *exc):
        self.loop.fit = self.real_fit


def compression_rows(text_run: Path) -> dict:
    from modelkit.text.compress import compress_run

    rows = compress_run(text_run, repeats=5)
    return {"rows": [{key: row[key] for key in ("method", "device", "size_bytes", "latency_ms_p50", "accuracy")}
                     for row in rows], "fp16_row": any(row.get("kind") == "fp16" for row in rows)}


def bench_script(name: str, args: list[str]) -> dict:
    result = subprocess.run([sys.executable, str(ROOT / "bench" / name), *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "exit " + str(result.returncode))
    lines = result.stdout.strip().splitlines()
    return {"command": f"bench/{name} {' '.join(args)}", "ratio": next((l for l in lines if "ratio" in l), ""),
            "output_tail": lines[-6:]}


def write_summary(out: Path, results: list[dict], device: str, tiny: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    report = {"device": device, "tiny": tiny, "torch": torch.__version__, "steps": results}
    (out / "gpu_check.json").write_text(json.dumps(report, indent=2))
    lines = [f"# GPU check on {device}{' (tiny mode)' if tiny else ''}", "", f"torch {torch.__version__}", "",
             "| step | status | seconds | figures |", "|---|---|---|---|"]
    for row in results:
        figures = {k: v for k, v in row.items() if k not in ("step", "status", "seconds", "output_tail")}
        lines.append(f"| {row['step']} | {row['status']} | {row['seconds']} | {json.dumps(figures)[:300]} |")
    (out / "gpu_check.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiny", action="store_true", help="tiny models and a few steps (CPU is fine)")
    parser.add_argument("--out", default=str(app_data_dir() / "gpu_check"))
    args = parser.parse_args(argv)
    device, peak = gpu_peak_tflops()
    results: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        runs = Path(folder)
        run_step("text fine-tune", results, lambda: text_finetune(runs / "text", args.tiny, peak))
        run_step("image fine-tune", results, lambda: image_finetune(runs / "image", args.tiny))
        run_step("out-of-memory retry", results, lambda: oom_retry(runs / "oom" / "run", args.tiny))
        run_step("compression rows", results, lambda: compression_rows(runs / "text") if (runs / "text" / "model").exists()
                 else "the text fine-tune did not finish, so there is no model to compress")
    small = ["--steps", "2", "--batch-size", "8", "--max-length", "32", "--rounds", "1"] if args.tiny else []
    run_step("bench/text_train.py", results, lambda: bench_script("text_train.py", small))
    run_step("bench/image_train.py", results,
             lambda: bench_script("image_train.py", ["--steps", "4", "--rounds", "1"] if args.tiny else []))
    write_summary(Path(args.out), results, device, args.tiny)
    print(f"wrote {args.out}/gpu_check.json and gpu_check.md")
    return 0 if all(row["status"] != "failed" for row in results) else 1


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
