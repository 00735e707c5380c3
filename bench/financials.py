"""Time the financial model, the one call the Financials page makes on every rerun.

Run with `python bench/financials.py` from the project root (pure Python, no GPU). It projects the
example project's canvas with its default assumptions: a 12-month base case as the baseline, then the
longest horizon (120 months) with three and with ten scenarios, and prints each time and its ratio
to the baseline. The page's budget is "business pages open in well under a second" (DESIGN.md).
"""
from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from business.canvas.json_io import canvas_from_dict  # noqa: E402
from business.example_project import EXAMPLE_CANVAS  # noqa: E402
from business.financials.assumptions import MAX_HORIZON_MONTHS, make_scenario  # noqa: E402
from business.financials.storage import default_assumptions  # noqa: E402
from business.financials.report import run_model  # noqa: E402

REPEATS = 5


def best_seconds(streams, assumptions) -> float:
    """Best of REPEATS: the least disturbed run on a shared machine."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run_model(streams, assumptions)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    canvas = canvas_from_dict(EXAMPLE_CANVAS)
    defaults = default_assumptions(canvas)
    extra = tuple(make_scenario(f"what-if {i}", price_factor=1 + i / 10) for i in range(7))
    cases = {
        "12 months, base only (baseline)": replace(defaults, horizon_months=12,
                                                   scenarios=(defaults.scenario("base"),)),
        f"{MAX_HORIZON_MONTHS} months, 3 scenarios": replace(defaults, horizon_months=MAX_HORIZON_MONTHS),
        f"{MAX_HORIZON_MONTHS} months, 10 scenarios": replace(defaults, horizon_months=MAX_HORIZON_MONTHS,
                                                              scenarios=defaults.scenarios + extra),
    }
    print(f"run_model on the example project ({len(canvas.revenue_streams)} streams), best of {REPEATS}")
    baseline = None
    for label, assumptions in cases.items():
        seconds = best_seconds(canvas.revenue_streams, assumptions)
        baseline = baseline or seconds
        print(f"  {label:<36} {seconds * 1000:8.1f} ms   ×{seconds / baseline:6.1f}")


if __name__ == "__main__":
    main()
