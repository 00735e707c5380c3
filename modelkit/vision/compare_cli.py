"""`python -m modelkit compare`: the image page's "Compare models" from a terminal.

  python -m modelkit compare --data PATH [--epochs N] [--max-steps N] [--batch-size N] [--project ID]
      [--cpu-usd-per-hour 0.17]
queues the comparison on the device queue (as the page does), follows it with a tqdm bar, and prints the
measured table with the cost per 1,000 predictions on the CPU catalog's machine with as many cores (or at
--cpu-usd-per-hour, the price of your own CPU machine). Ctrl-C cancels
every job of the comparison. `python -m modelkit compare --run-dir <runs>/<comparison id>` is the queue's
measuring step (modelkit.vision.compare_rows), run by the comparison's last job.
"""
from __future__ import annotations

import argparse
import sys
import time

POLL_S = 1.0


def add_compare_flags(parser: argparse.ArgumentParser, project_type) -> None:
    parser.add_argument("--data", default=None, help="a folder or zip with one folder per class, or 'digits'")
    parser.add_argument("--epochs", type=int, default=2, help="epochs for every model (the same budget)")
    parser.add_argument("--max-steps", type=int, default=None, help="stop every model after N steps")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--image-size", type=int, default=0, help="0: each model at its own input size")
    parser.add_argument("--project", type=project_type, default=None, metavar="ID")
    parser.add_argument("--cpu-usd-per-hour", default=None, help="price of the CPU machine you would serve on")
    parser.add_argument("--repeats", type=int, default=20, help="timed forward passes per model at batch 1")
    parser.add_argument("--run-dir", default=None, help="(the queue's measuring step) a comparison folder")
    parser.add_argument("--no-progress", action="store_true")


def run_compare(args) -> int:
    from modelkit.vision.compare import Budget, ComparisonError, read_rows, start_comparison

    if args.run_dir and not args.data:
        from modelkit.vision.compare_rows import measure_comparison

        table = measure_comparison(args.run_dir, repeats=args.repeats)
        print(f"measured {len(table['rows'])} model(s), skipped {len(table['skipped'])}", file=sys.stderr)
        return 0
    if not args.data:
        raise ComparisonError("no data: --data takes a folder or zip with one folder per class, or 'digits'")
    budget = Budget(epochs=args.epochs, max_steps=args.max_steps, batch_size=args.batch_size, seed=args.seed,
                    image_size=args.image_size)
    comparison_id = start_comparison(args.data, budget, args.project)
    say_plan(comparison_id)
    follow(comparison_id, not args.no_progress)
    table = read_rows(comparison_id)
    if table is None:
        print(f"comparison {comparison_id} ended without a measured table", file=sys.stderr)
        return 1
    print_table(table, args.cpu_usd_per_hour)
    return 0


def say_plan(comparison_id: str) -> None:
    from modelkit.vision.compare import read_comparison

    plan = read_comparison(comparison_id)
    print(f"comparison {comparison_id}: {plan['train_images']:,} training and {plan['val_images']:,} validation "
          f"images, {len(plan['classes'])} classes; budget {plan['budget']}", file=sys.stderr)
    for candidate in plan["candidates"]:
        status = f"run {candidate['run_id']}" if candidate["run_id"] else "left out"
        print(f"  {candidate['model']}: {status} ({candidate['reason']})", file=sys.stderr)


def follow(comparison_id: str, show: bool) -> None:
    """Poll the queue until every job of the comparison has ended; Ctrl-C cancels them all."""
    from modelkit.vision.compare import cancel_comparison, is_active, progress

    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=0, unit="step", file=sys.stderr)
    try:
        while True:
            states = progress(comparison_id)
            if bar is not None:
                update_bar(bar, states)
            if not is_active(states):
                break
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        cancelled = cancel_comparison(comparison_id)
        print(f"\ncancelled {len(cancelled)} job(s) of comparison {comparison_id}", file=sys.stderr)
        raise SystemExit(3) from None
    finally:
        if bar is not None:
            bar.close()
    for item in states:
        if item.state in ("failed", "cancelled"):
            print(f"{item.model} ({item.run_id}): {item.state} {item.error}", file=sys.stderr)


def update_bar(bar, states) -> None:
    trained = [s for s in states if s.model != "measure"]
    total = sum(max(s.total_steps, 1) for s in trained)
    done = sum(max(s.total_steps, 1) if s.state not in ("queued", "running", "cancelling") else s.step
               for s in trained)
    now = next((s for s in states if s.state == "running"), None)
    text = f"{now.model}: {now.step}/{now.total_steps}" if now else "waiting in the queue"
    if getattr(bar, "shown", None) == (total, done, text):
        return  # nothing new: no line for a log to keep
    bar.shown = (total, done, text)
    if bar.total != total:
        bar.reset(total=total)
    bar.n = done
    bar.set_description(text, refresh=False)
    bar.refresh()


def print_table(table: dict, cpu_usd_per_hour) -> None:
    from modelkit.vision.compare_rows import table_lines

    from business.costs.catalog import load_catalog
    from business.costs.model_comparison import price_rows

    bills = price_rows(table["rows"], load_catalog(), cpu_usd_per_hour) if table["rows"] else []
    print("\n".join(table_lines(table["rows"], {bill.run_id: f"{bill.usd_per_1k_predictions}" for bill in bills})))
    print(f"measured on this machine's CPU ({table['hardware']['cpu']}, {table['hardware']['torch_threads']} "
          f"threads) by comparison {table['comparison_id']} at {table['measured_at']}; latency in ms (forward "
          "pass alone), size in MB on disk, train s = the job's wall time"
          + (f"; $/1k = USD per 1,000 predictions at batch 32 on {bills[0].machine.label}, kept busy" if bills else ""))
    for skipped in table["skipped"]:
        print(f"not compared: {skipped['model']}: {skipped['reason']}")
