"""Prices for a job on every cloud offer, and the founder's own price overrides.

`sweep_quotes` prices a workload (FLOPs + memory at a precision) on every offer × GPU count,
keeping the combinations that fit in memory, and marks the cheapest and the fastest within a
deadline. Serving helpers turn FLOPs per request into dollars per request, per 1,000 and per
month, for the financial model. Money is Decimal; callers round at the edges with `round_usd`.
Overrides are plain dicts so they can be stored as a versioned JSON document (kind
"price_overrides") and applied here without the store.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, NamedTuple

import numpy as np

from business.costs.catalog import GpuOffer, InvalidOffer, UnknownGpu, is_stale, offer_from_row, spec_for
from business.costs.compute import (MAX_REQUESTS_PER_MONTH, SECONDS_PER_HOUR, TERA, EstimateError, gpu_hours,
                              require_positive, require_utilization)
from business.costs.price_schema import PriceOverridesDocument
from business.untrusted_json import SchemaError, validate

OVERRIDE_KIND = "price_overrides"
USER_SOURCE = "user"
HOURS_PER_MONTH = 730  # 365 × 24 / 12
DEFAULT_GPU_COUNTS = tuple(range(1, 65))
BILLING_NOTE = "billed by whole instance: 3 GPUs on an 8-GPU instance pay for 8"


class InvalidPriceOverride(EstimateError):
    pass


@dataclass(frozen=True)
class Workload:
    """A job to price: its compute, the memory it needs in total, at one precision."""
    precision: str
    flops: float
    memory_bytes: float
    utilization: float


class Quote(NamedTuple):
    # A NamedTuple rather than a frozen dataclass, and the cost kept as a float until it is read
    # through `cost_usd`: a page may build all ~13,000 quotes of a sweep and Decimal arithmetic per
    # quote was half that time. The float is price × instances × float hours, so no precision is lost.
    provider: str
    instance: str
    gpu: str
    precision: str
    gpus: int
    instances: int
    gpu_hours: float
    wall_clock_hours: float
    cost_float_usd: float
    energy_kwh: float
    usd_per_gpu_hour: Decimal
    price_date: str
    price_source: str
    stale: bool
    within_deadline: bool
    cheapest: bool = False
    fastest: bool = False

    @property
    def cost_usd(self) -> Decimal:
        """The job's cost in dollars, as Decimal for everything downstream."""
        return Decimal(repr(self.cost_float_usd))


@dataclass(frozen=True, eq=False)
class _Grid:
    """Every (workload, offer) pair × GPU count, evaluated as arrays; quotes are built from it on demand."""
    pairs: tuple[tuple[Workload, GpuOffer, float, bool], ...]  # (workload, offer, energy kWh, stale)
    counts: np.ndarray  # GPU counts, one column each
    valid: np.ndarray  # pairs × counts: the count holds the job
    gpu_hours: np.ndarray  # per pair
    wall: np.ndarray  # pairs × counts
    instances: np.ndarray
    cost: np.ndarray
    in_time: np.ndarray
    marks: tuple[int | None, int | None]  # flat index of the cheapest and of the fastest

    def quote(self, flat: int, cheapest: bool = False, fastest: bool = False) -> Quote:
        row, column = divmod(flat, len(self.counts))
        workload, offer, energy, stale = self.pairs[row]
        return Quote(offer.provider, offer.instance, offer.gpu, workload.precision, int(self.counts[column]),
                     int(self.instances[row, column]), float(self.gpu_hours[row]), float(self.wall[row, column]),
                     float(self.cost[row, column]), energy, offer.usd_per_gpu_hour, offer.date_label, offer.source,
                     stale, bool(self.in_time[row, column]), cheapest, fastest)

    def flagged(self, flat: int) -> Quote:
        return self.quote(flat, flat == self.marks[0], flat == self.marks[1])

    def row_best(self) -> list[Quote]:
        """Each pair's best quote: its cheapest in time (whole cents, then fewer GPUs), else its
        fastest (the largest count that holds it: wall-clock falls as GPUs are added)."""
        cents = np.where(self.in_time, np.round(self.cost, 2), np.inf)
        cheapest = np.argmin(cents, axis=1)  # the first minimum: counts ascend, so the fewest GPUs
        fastest = self.valid.shape[1] - 1 - np.argmax(self.valid[:, ::-1], axis=1)
        columns = np.where(self.in_time.any(axis=1), cheapest, fastest)
        width = len(self.counts)
        return [self.flagged(row * width + int(column)) for row, column in enumerate(columns.tolist())
                if self.valid[row].any()]

    def frontier(self) -> tuple[Quote, ...]:
        """`cost_frontier` of every quote, computed on the arrays (the same order and ties)."""
        flat = np.flatnonzero(self.valid)
        walls, costs = self.wall.ravel()[flat], self.cost.ravel()[flat]
        gpus = np.broadcast_to(self.counts[None, :], self.cost.shape).ravel()[flat]
        order = np.lexsort((gpus, costs, walls))  # stable: ties keep sweep order
        cents = np.round(costs[order], 2)
        lowest_before = np.minimum.accumulate(np.concatenate(([np.inf], cents[:-1])))
        return tuple(self.flagged(int(flat[i])) for i in order[cents < lowest_before])

    def quotes(self) -> tuple[Quote, ...]:
        # Plain lists first: indexing numpy arrays one element at a time is ~20× slower.
        cheapest, fastest = self.marks
        counts, hours = self.counts.tolist(), self.gpu_hours.tolist()
        valid, wall, instances = self.valid.tolist(), self.wall.tolist(), self.instances.tolist()
        cost, in_time, width = self.cost.tolist(), self.in_time.tolist(), len(counts)
        quotes = []
        for row, (workload, offer, energy, stale) in enumerate(self.pairs):
            fixed = (offer.provider, offer.instance, offer.gpu, workload.precision)
            per_gpu, label, source = offer.usd_per_gpu_hour, offer.date_label, offer.source
            for column, k in enumerate(counts):
                if valid[row][column]:
                    flat = row * width + column
                    quotes.append(Quote(*fixed, k, instances[row][column], hours[row], wall[row][column],
                                        cost[row][column], energy, per_gpu, label, source, stale,
                                        in_time[row][column], flat == cheapest, flat == fastest))
        return tuple(quotes)


@dataclass(frozen=True)
class Sweep:
    skipped: tuple[str, ...]  # offers that could not be priced, and why
    cheapest: Quote | None
    fastest: Quote | None
    grid: _Grid | None = field(default=None, repr=False, compare=False)

    @cached_property
    def quotes(self) -> tuple[Quote, ...]:
        """Every quote that fits in memory, built on first use (the CSV, "every offer" on the chart)."""
        return self.grid.quotes() if self.grid is not None else ()

    def best_per_offer(self) -> tuple[Quote, ...]:
        """`best_quote_per_offer(self.quotes)` without building every quote."""
        return best_quote_per_offer(self.grid.row_best()) if self.grid is not None else ()

    def frontier(self) -> tuple[Quote, ...]:
        """`cost_frontier(self.quotes)` without building every quote."""
        return self.grid.frontier() if self.grid is not None else ()


def round_usd(amount: Decimal, places: int = 2) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def validate_price_override(row: dict, today: date) -> GpuOffer:
    """A founder's own price (a negotiated rate, a new provider) -> a checked offer, source "user".
    An empty date means "seen today": the founder is typing it in now."""
    if not isinstance(row, dict):
        raise InvalidPriceOverride(f"a price override must be a mapping of fields, got {row!r}")
    fields = dict(row, source=USER_SOURCE)
    if not str(fields.get("date_seen") or "").strip():
        fields["date_seen"] = today.isoformat()
    try:
        return offer_from_row(fields)
    except (InvalidOffer, UnknownGpu) as error:
        raise InvalidPriceOverride(f"price override for {row.get('provider')!r}: {error}") from None


def apply_price_overrides(catalog: Iterable[GpuOffer], overrides: Iterable[dict], today: date) -> tuple[GpuOffer, ...]:
    """The catalog with user rows applied: a row with the same provider and instance replaces
    the shipped one, any other row is added. Raises InvalidPriceOverride on a bad row."""
    offers = {offer.key: offer for offer in catalog}
    for row in overrides:
        offer = validate_price_override(row, today)
        offers[offer.key] = offer
    return tuple(offers.values())


def price_overrides_payload(overrides: Iterable[dict], today: date) -> dict:
    """User rows -> the JSON document the store keeps (validated, money as text)."""
    rows = []
    for row in overrides:
        offer = validate_price_override(row, today)
        rows.append({"provider": offer.provider, "instance": offer.instance, "gpu": offer.gpu,
                     "gpus_per_instance": offer.gpus_per_instance, "usd_per_hour": str(offer.usd_per_hour),
                     "date_seen": offer.date_label, "source": USER_SOURCE})
    return {"rows": rows}


def price_overrides_from_payload(payload: dict | None) -> list[dict]:
    """A stored document's rows, its shape checked against business/costs/price_schema.py (values are
    checked where they are applied, by `validate_price_override`)."""
    if not payload:
        return []
    try:
        document = validate(PriceOverridesDocument, payload)
    except SchemaError as error:
        raise InvalidPriceOverride(f"The saved negotiated prices cannot be read: {error}") from None
    return [row.model_dump(exclude_none=True) for row in document.rows]


def _check_workload(workload: Workload) -> None:
    require_positive("flops", workload.flops, 1e30)
    require_positive("memory_bytes", workload.memory_bytes, 1e18)
    require_utilization(workload.utilization)


def _offer_terms(workload: Workload, offer: GpuOffer) -> tuple[float, int, float] | str:
    """(GPU-hours, fewest GPUs that hold the job, kWh) of a workload on an offer's GPU, or why
    it cannot be priced there."""
    spec = spec_for(offer.gpu)
    peak = spec.peak_tflops(workload.precision)
    if not peak:
        return f"{offer.provider} {offer.instance}: no {workload.precision} TFLOP/s figure for {spec.name}"
    total_gpu_hours = workload.flops / (peak * TERA * workload.utilization) / SECONDS_PER_HOUR
    min_gpus = math.ceil(workload.memory_bytes / (spec.memory_gb * 1e9))
    return total_gpu_hours, min_gpus, total_gpu_hours * spec.tdp_w / 1000.0


def sweep_quotes(workloads: Iterable[Workload], offers: Iterable[GpuOffer], today: date,
                 gpu_counts: Iterable[int] = DEFAULT_GPU_COUNTS, deadline_hours: float | None = None,
                 max_age_days: int = 90) -> Sweep:
    """Cost and wall-clock of each workload on every offer × GPU count that fits in memory
    (linear scaling, whole instances billed), cheapest and fastest marked among those that meet
    the deadline. Evaluated as arrays (pairs × GPU counts): a full sweep is ~13,000 combinations."""
    counts = np.array(sorted(set(int(k) for k in gpu_counts if int(k) >= 1)), dtype=np.int64)
    if deadline_hours is not None:
        require_positive("deadline_hours", deadline_hours, 1e7)
    pairs, skipped, terms = [], [], []
    for workload in workloads:
        _check_workload(workload)
        for offer in offers:
            priced = _offer_terms(workload, offer)
            if isinstance(priced, str):
                skipped.append(priced)
                continue
            total_gpu_hours, min_gpus, energy = priced
            pairs.append((workload, offer, energy, is_stale(offer, today, max_age_days)))
            terms.append((total_gpu_hours, min_gpus, offer.gpus_per_instance, float(offer.usd_per_hour)))
    if not pairs or not len(counts):
        return Sweep(tuple(skipped), None, None)
    hours, min_gpus, per_instance, price = (np.array(column) for column in zip(*terms))
    valid = counts[None, :] >= min_gpus[:, None]
    wall = hours[:, None] / counts[None, :]
    instances = -(-counts[None, :] // per_instance[:, None])
    cost = price[:, None] * instances * wall
    in_time = valid & (wall <= deadline_hours) if deadline_hours is not None else valid.copy()
    marks = _marks(counts, wall, cost, in_time)
    grid = _Grid(tuple(pairs), counts, valid, hours, wall, instances, cost, in_time, marks)
    if marks[0] is None:
        return Sweep(tuple(skipped), None, None, grid)
    return Sweep(tuple(skipped), grid.quote(marks[0], True, marks[0] == marks[1]),
                 grid.quote(marks[1], marks[0] == marks[1], True), grid)


def _marks(counts: np.ndarray, wall: np.ndarray, cost: np.ndarray,
           in_time: np.ndarray) -> tuple[int | None, int | None]:
    """Flat indices of the cheapest and the fastest in-time quote. Cheapest compares whole cents, then
    prefers fewer GPUs (on 1-GPU instances every count costs the same under linear scaling, which
    flatters large counts, so the smaller setup is the honest pick), then less wall-clock; fastest
    compares wall-clock, then cost. Ties go to the first in sweep order."""
    flat = np.flatnonzero(in_time)
    if not len(flat):
        return None, None
    gpus = np.broadcast_to(counts[None, :], cost.shape).ravel()[flat]
    costs, walls = cost.ravel()[flat], wall.ravel()[flat]
    return _first_min(flat, np.round(costs, 2), gpus, walls), _first_min(flat, walls, costs)


def _first_min(flat: np.ndarray, *keys: np.ndarray) -> int:
    """The first index (in sweep order) whose keys are smallest, compared key by key: narrowing with
    one vector pass per key is several times faster than sorting ~13,000 quotes."""
    chosen = np.arange(len(flat))
    for values in keys:
        subset = values[chosen]
        chosen = chosen[subset == subset.min()]
    return int(flat[chosen[0]])


def best_quote_per_offer(quotes: Iterable[Quote]) -> tuple[Quote, ...]:
    """One row per offer and precision: its cheapest quote that meets the deadline, else its
    fastest (which then shows as missing the deadline). Order: cheapest first."""
    best: dict[tuple[str, str, str], Quote] = {}
    for quote in quotes:
        key = (quote.provider, quote.instance, quote.precision)
        held = best.get(key)
        if held is None or _better(quote, held):
            best[key] = quote
    return tuple(sorted(best.values(), key=lambda q: (not q.within_deadline, q.cost_float_usd)))


def _better(quote: Quote, held: Quote) -> bool:
    if quote.within_deadline != held.within_deadline:
        return quote.within_deadline
    if quote.within_deadline:
        return (round(quote.cost_float_usd, 2), quote.gpus) < (round(held.cost_float_usd, 2), held.gpus)
    return quote.wall_clock_hours < held.wall_clock_hours


def cheapest_by_provider(quotes: Iterable[Quote]) -> tuple[Quote, ...]:
    """Each provider's cheapest quote that meets the deadline, cheapest provider first."""
    best: dict[str, Quote] = {}
    for quote in best_quote_per_offer(quotes):
        if quote.within_deadline and quote.provider not in best:
            best[quote.provider] = quote
    return tuple(best.values())


def cost_frontier(quotes: Iterable[Quote]) -> tuple[Quote, ...]:
    """The cheapest quote for every deadline: fastest first, each one cheaper than every faster one.
    For a deadline D, the last quote with wall-clock <= D is the cheapest way to finish in time."""
    frontier: list[Quote] = []
    for quote in sorted(quotes, key=lambda q: (q.wall_clock_hours, q.cost_float_usd, q.gpus)):
        # Whole cents, as the sweep's "cheapest": a saving below a cent is not worth a slower job.
        if not frontier or round(quote.cost_float_usd, 2) < round(frontier[-1].cost_float_usd, 2):
            frontier.append(quote)
    return tuple(frontier)


def serving_cost_per_request(flops_per_request: float, usd_per_gpu_hour: Decimal, peak_tflops: float,
                             utilization: float, throughput_multiplier: float = 1.0) -> Decimal:
    """Dollars per request on a GPU kept busy at `utilization` (requests batched well enough);
    `throughput_multiplier` carries a compression speed-up (2.0 = twice the requests per hour)."""
    if not usd_per_gpu_hour > 0:
        raise InvalidOffer(f"usd_per_gpu_hour={usd_per_gpu_hour!r} must be positive")
    multiplier = require_positive("throughput_multiplier", throughput_multiplier, 1000)
    hours = gpu_hours(flops_per_request, peak_tflops, utilization) / multiplier
    return usd_per_gpu_hour * Decimal(hours)


def cost_per_request_from_throughput(samples_per_s: float, usd_per_hour: Decimal) -> Decimal:
    """Dollars per request from a measured throughput (a run card) on a machine at `usd_per_hour`."""
    rate = require_positive("samples_per_s", samples_per_s, 1e9)
    if not usd_per_hour > 0:
        raise InvalidOffer(f"usd_per_hour={usd_per_hour!r} must be positive")
    return usd_per_hour / Decimal(rate * SECONDS_PER_HOUR)


def cost_per_1000_requests(cost_per_request: Decimal) -> Decimal:
    return cost_per_request * 1000


def monthly_serving_cost(requests_per_month: float, cost_per_request: Decimal,
                         usd_per_gpu_hour: Decimal = Decimal(0), always_on_gpus: int = 0) -> Decimal:
    """Monthly bill: requests × cost per request, but never less than what is kept up all month
    (`always_on_gpus` units at `usd_per_gpu_hour` each; serving passes whole instances and their price)."""
    volume = require_positive("requests_per_month", requests_per_month, MAX_REQUESTS_PER_MONTH)
    if cost_per_request < 0 or usd_per_gpu_hour < 0 or always_on_gpus < 0:
        raise EstimateError(f"costs and GPU counts cannot be negative: {cost_per_request}, "
                            f"{usd_per_gpu_hour}, {always_on_gpus}")
    floor = usd_per_gpu_hour * always_on_gpus * HOURS_PER_MONTH
    return max(cost_per_request * Decimal(volume), floor)
