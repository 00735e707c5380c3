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
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, NamedTuple

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
    # through `cost_usd`: a sweep builds ~13,000 quotes and Decimal arithmetic per quote was half
    # its time. The float is price × instances × float hours, so no precision is lost by waiting.
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


@dataclass(frozen=True)
class Sweep:
    quotes: tuple[Quote, ...]
    skipped: tuple[str, ...]  # offers that could not be priced, and why
    cheapest: Quote | None
    fastest: Quote | None


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
    the deadline."""
    counts = sorted(set(int(k) for k in gpu_counts if int(k) >= 1))
    if deadline_hours is not None:
        require_positive("deadline_hours", deadline_hours, 1e7)
    offers = tuple(offers)
    quotes: list[Quote] = []
    skipped: list[str] = []
    # Best so far as (sort key, index), tracked in the loop so the sweep stays one pass. Cheapest
    # compares whole cents, then prefers fewer GPUs: on 1-GPU instances every GPU count costs the
    # same under linear scaling, and linear scaling flatters large counts, so the smaller setup is
    # the honest pick. Fastest is marked separately.
    cheapest: tuple[tuple[float, int, float], int] | None = None
    fastest: tuple[tuple[float, float], int] | None = None
    for workload in workloads:
        _check_workload(workload)
        for offer in offers:
            terms = _offer_terms(workload, offer)
            if isinstance(terms, str):
                skipped.append(terms)
                continue
            total_gpu_hours, min_gpus, energy = terms
            stale = is_stale(offer, today, max_age_days)
            price_float, per_gpu, label = float(offer.usd_per_hour), offer.usd_per_gpu_hour, offer.date_label
            for k in counts:
                if k < min_gpus:
                    continue
                wall = total_gpu_hours / k
                instances = -(-k // offer.gpus_per_instance)
                in_time = deadline_hours is None or wall <= deadline_hours
                cost_float = price_float * instances * wall
                if in_time:
                    cheap_key, fast_key = (round(cost_float, 2), k, wall), (wall, cost_float)
                    if cheapest is None or cheap_key < cheapest[0]:
                        cheapest = (cheap_key, len(quotes))
                    if fastest is None or fast_key < fastest[0]:
                        fastest = (fast_key, len(quotes))
                quotes.append(Quote(
                    offer.provider, offer.instance, offer.gpu, workload.precision, k, instances, total_gpu_hours,
                    wall, cost_float, energy, per_gpu, label, offer.source, stale, in_time))
    if cheapest is None or fastest is None:
        return Sweep(tuple(quotes), tuple(skipped), None, None)
    quotes[cheapest[1]] = quotes[cheapest[1]]._replace(cheapest=True)
    quotes[fastest[1]] = quotes[fastest[1]]._replace(fastest=True)
    return Sweep(tuple(quotes), tuple(skipped), quotes[cheapest[1]], quotes[fastest[1]])


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
