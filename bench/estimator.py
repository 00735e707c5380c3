"""Benchmark: the full price sweep (every catalog offer × 1–64 GPUs × 3 precisions).

Run with `python bench/estimator.py` from the project root. Prints the median time of
`business.costs.pricing.sweep_quotes` and of a straightforward baseline that calls the public,
validated functions once per (precision, offer, GPU count) and builds a frozen dataclass per
quote, side by side, and checks that both pick the same cheapest and fastest offer.
The sweep (every combination evaluated as arrays, cheapest and fastest picked) should stay under 10 ms
median; building every quote object is measured apart. No assertion on timing; this is not a test.
"""
from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from business.costs.catalog import load_catalog, spec_for  # noqa: E402
from business.costs.compute import gpu_hours, inference_flops_per_request_transformer, wall_clock_hours  # noqa: E402
from business.costs.memory import fit_on_gpus, inference_memory  # noqa: E402
from business.costs.models import preset  # noqa: E402
from business.costs.pricing import Workload, round_usd, sweep_quotes  # noqa: E402

TODAY = date(2026, 11, 29)
PRECISIONS = ("fp32", "bf16", "int8")
GPU_COUNTS = range(1, 65)
REQUESTS_PER_MONTH = 100e6
UTILIZATION = 0.30
REPEATS = 31


@dataclass(frozen=True)
class NaiveQuote:
    provider: str
    instance: str
    precision: str
    gpus: int
    wall_clock_hours: float
    cost_usd: Decimal


def monthly_serving_workloads() -> list[Workload]:
    """A month of serving a 7B LLM (100M requests of 512 tokens) at three precisions."""
    model = preset("llm-7b")
    flops = REQUESTS_PER_MONTH * inference_flops_per_request_transformer(model.parameters, 512)
    return [Workload(p, flops, inference_memory(model, p, batch_size=8, sequence_length=512).total_bytes,
                     UTILIZATION) for p in PRECISIONS]


def naive_sweep(offers) -> tuple[NaiveQuote, NaiveQuote]:
    model = preset("llm-7b")
    flops = REQUESTS_PER_MONTH * inference_flops_per_request_transformer(model.parameters, 512)
    quotes = []
    for precision in PRECISIONS:
        for offer in offers:
            for k in GPU_COUNTS:
                spec = spec_for(offer.gpu)
                peak = spec.peak_tflops(precision)
                memory = inference_memory(model, precision, batch_size=8, sequence_length=512).total_bytes
                fit = fit_on_gpus(memory / k, spec.memory_gb, max_gpus=1)
                if not peak or fit.gpus_needed is None:
                    continue
                wall = wall_clock_hours(gpu_hours(flops, peak, UTILIZATION), k)
                instances = -(-k // offer.gpus_per_instance)
                cost = offer.usd_per_hour * instances * Decimal(wall)
                quotes.append(NaiveQuote(offer.provider, offer.instance, precision, k, wall, cost))
    cheapest = min(quotes, key=lambda q: (round_usd(q.cost_usd), q.gpus, q.wall_clock_hours))
    fastest = min(quotes, key=lambda q: (q.wall_clock_hours, q.cost_usd))
    return cheapest, fastest


def timings_ms(action) -> tuple[float, float]:
    """(median, best) of REPEATS runs: the best shows the cost on a quiet machine, the median
    what a busy one (CI, a laptop training a model) gives."""
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), min(timings)


def _page_reads(sweep) -> None:
    sweep.best_per_offer()
    sweep.frontier()


def main() -> None:
    offers = load_catalog()
    workloads = monthly_serving_workloads()
    sweep = sweep_quotes(workloads, offers, TODAY, GPU_COUNTS)  # warm caches (CSV reads) before timing
    naive_cheapest, naive_fastest = naive_sweep(offers)
    same = ((sweep.cheapest.provider, sweep.cheapest.instance, sweep.cheapest.gpus)
            == (naive_cheapest.provider, naive_cheapest.instance, naive_cheapest.gpus)
            and sweep.fastest.wall_clock_hours == naive_fastest.wall_clock_hours)

    sweep_ms, sweep_best = timings_ms(lambda: sweep_quotes(workloads, offers, TODAY, GPU_COUNTS))
    # What the Costs page pays by default: the sweep, its table (best quote per offer) and frontier.
    page_ms, page_best = timings_ms(lambda: _page_reads(sweep_quotes(workloads, offers, TODAY, GPU_COUNTS)))
    # What a page pays when it lists every quote (the CSV, "every offer" on the chart): the sweep,
    # every quote built, every cost read as Decimal.
    edge_ms, edge_best = timings_ms(
        lambda: [q.cost_usd for q in sweep_quotes(workloads, offers, TODAY, GPU_COUNTS).quotes])
    naive_ms, naive_best = timings_ms(lambda: naive_sweep(offers))

    combos = len(offers) * len(GPU_COUNTS) * len(PRECISIONS)
    print(f"sweep: {len(offers)} offers × {len(GPU_COUNTS)} GPU counts × {len(PRECISIONS)} precisions "
          f"= {combos} combinations, {len(sweep.quotes)} fit in memory; {REPEATS} runs each")
    print(f"  {'':18s} {'median':>9s} {'best':>9s}")
    print(f"  {'sweep_quotes':18s} {sweep_ms:6.1f} ms {sweep_best:6.1f} ms")
    print(f"  {'+ table, frontier':18s} {page_ms:6.1f} ms {page_best:6.1f} ms  (what the Costs page reads by default)")
    print(f"  {'+ every quote':18s} {edge_ms:6.1f} ms {edge_best:6.1f} ms  (every quote built, cost read as Decimal)")
    print(f"  {'naive per-offer':18s} {naive_ms:6.1f} ms {naive_best:6.1f} ms")
    print(f"  ratio naive/sweep  {naive_ms / sweep_ms:6.1f}×    {naive_best / sweep_best:6.1f}×")
    print(f"  same cheapest and fastest as the baseline: {same}")
    print(f"  cheapest: {sweep.cheapest.provider} {sweep.cheapest.instance} × {sweep.cheapest.gpus} "
          f"({sweep.cheapest.precision}) ${round_usd(sweep.cheapest.cost_usd)}")


if __name__ == "__main__":
    main()
