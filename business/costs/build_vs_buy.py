"""Build vs buy: what a month of requests costs through a hosted LLM API, on an open model served on rented
GPUs, or on the founder's own measured fine-tuned model, and the volumes where the answer changes.

Every option is a set of cost lines. A line is a monthly floor (machines kept up all month, whatever the
volume) and a cost per request above it: the month's bill at volume v is max(floor, v × per request), the
rule of business.costs.serving. An API has one line with no floor; an open model has one line per GPU offer
that holds it (the cheapest line at each volume wins: a small GPU at low volume, a fast one at high); the
founder's model has one line, its measured throughput on a machine at a price per hour.

Break-even against an API at a·v: self-hosting on a line (F, m) is cheaper from v = F / a on, when m < a
(below that volume the floor costs more than the API; above, the API's per-request price does). The option
breaks even at the smallest such volume over its lines; with m ≥ a on every line it never does.

The open model is priced by `open_model_lines`, the one adapter to the LLM serving estimate
(business.costs.llm_serving: prefill bound by compute, decode by memory bandwidth).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from business.costs import compute
from business.costs.api_catalog import ApiPrice
from business.costs.catalog import GpuOffer
from business.costs.compute import MAX_REQUESTS_PER_MONTH, EstimateError
from business.costs.models import ModelSpec
from business.costs.pricing import HOURS_PER_MONTH, cost_per_request_from_throughput
from business.costs.run_cards import model_from_run_card
from business.costs import llm_serving
from business.costs.serving import NoOfferFits
from business.provenance import Provenance, estimated, measured, published

API, OPEN_MODEL, OWN_MODEL = "API", "open model on rented GPUs", "your measured model"
MAX_TOKENS_PER_REQUEST = 10_000_000


class InvalidWorkload(EstimateError):
    pass


@dataclass(frozen=True)
class Workload:
    requests_per_month: float
    input_tokens: float  # per request: prompt, instructions and context
    output_tokens: float  # per request: what the model writes back

    def __post_init__(self) -> None:
        compute.require_positive("requests_per_month", self.requests_per_month, MAX_REQUESTS_PER_MONTH)
        for name in ("input_tokens", "output_tokens"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not 0 <= value <= MAX_TOKENS_PER_REQUEST:
                raise InvalidWorkload(f"{name}={value!r} must be a number of tokens from 0 to "
                                      f"{MAX_TOKENS_PER_REQUEST:,}")
        if self.input_tokens + self.output_tokens <= 0:
            raise InvalidWorkload("a request needs at least one input or output token")

    @property
    def tokens_per_request(self) -> float:
        return float(self.input_tokens) + float(self.output_tokens)

    @property
    def per_request(self) -> str:
        return f"{self.input_tokens:,.0f} tokens in, {self.output_tokens:,.0f} out"


def _volume(requests: float) -> Decimal:
    return Decimal(repr(float(requests)))


@dataclass(frozen=True)
class CostLine:
    """One way to pay for requests: a floor kept up all month, and a cost per request above it."""
    label: str
    floor_monthly_usd: Decimal
    usd_per_request: Decimal
    provenance: Provenance

    def monthly_usd(self, requests: float) -> Decimal:
        return max(self.floor_monthly_usd, self.usd_per_request * _volume(requests))


@dataclass(frozen=True)
class Option:
    kind: str  # API, OPEN_MODEL or OWN_MODEL
    name: str
    lines: tuple[CostLine, ...]

    def best_line(self, requests: float) -> CostLine:
        return min(self.lines, key=lambda line: (line.monthly_usd(requests), line.usd_per_request))

    def monthly_usd(self, requests: float) -> Decimal:
        return self.best_line(requests).monthly_usd(requests)

    def cost_per_request_usd(self, requests: float) -> Decimal:
        """The month's bill shared over its requests: what the financial model multiplies by its volumes."""
        return self.monthly_usd(requests) / _volume(requests)

    def provenance(self, requests: float) -> Provenance:
        return self.best_line(requests).provenance


@dataclass(frozen=True)
class BreakEven:
    api: str
    other: str
    requests_per_month: Decimal | None  # None: the API is cheaper at every volume

    def sentence(self) -> str:
        if self.requests_per_month is None:
            return f"{self.other} never costs less than {self.api}: its cost per request is higher."
        if self.requests_per_month == 0:
            return f"{self.other} costs less than {self.api} at every volume (nothing kept up all month)."
        return (f"{self.other} costs less than {self.api} from {self.requests_per_month:,.0f} requests a month "
                "(its monthly floor divided by the API's price per request).")


def api_option(price: ApiPrice, workload: Workload) -> Option:
    per_request = price.cost_per_request_usd(workload.input_tokens, workload.output_tokens)
    source = (f"API price, {price.label}: ${price.usd_per_1m_input} in / ${price.usd_per_1m_output} out per 1M "
              f"tokens × {workload.per_request}; {price.source}")
    line = CostLine(price.label, Decimal(0), per_request, published(source, price.date_seen))
    return Option(API, price.label, (line,))


def open_model_lines(model: ModelSpec, precision: str, workload: Workload, offers: tuple[GpuOffer, ...],
                     always_on_gpus: int = 1, on: date | None = None, batch: int = 16) -> tuple[CostLine, ...]:
    """The adapter to the serving estimate, the one place that asks it: one line per offer that holds the
    model. Its floor: the GPUs kept up all month, rented by whole instance (never fewer than one replica
    needs); its cost per request: the estimate's, with the GPUs kept busy.

    It asks the LLM serving estimate (business.costs.llm_serving: prefill compute-bound, decode bound by
    memory bandwidth, at `batch` requests per replica)."""
    lines = _llm_serving_lines(model, precision, workload, offers, always_on_gpus, on, batch)
    if not lines:
        raise NoOfferFits(f"no offer holds {model.name} at {precision} for serving; try a lower precision")
    return lines


def serving_note() -> str:
    """What the open model's figures assume, for the page to say beside them."""
    return ("The open model is priced by the LLM serving estimate: prefill bound by compute, decode by memory "
            "bandwidth, at the batch you set (a larger batch shares each read of the weights).")


def _floor_usd(offer: GpuOffer, always_on_gpus: int, replica_gpus: int) -> Decimal:
    """GPUs kept up all month are rented by whole instance: one GPU kept up on an 8-GPU instance pays for 8."""
    kept = max(always_on_gpus, replica_gpus) if always_on_gpus else 0
    return offer.usd_per_hour * -(-kept // offer.gpus_per_instance) * HOURS_PER_MONTH


def _llm_serving_lines(model: ModelSpec, precision: str, workload: Workload,
                       offers: tuple[GpuOffer, ...], always_on_gpus: int, on: date | None,
                       batch: int) -> tuple[CostLine, ...]:
    lines = []
    for offer in offers:
        try:
            estimate = llm_serving.estimate_llm_serving(model, offer, precision, batch, workload.input_tokens,
                                                        workload.output_tokens)
        except (llm_serving.ModelDoesNotFit, llm_serving.MissingGpuFigure):
            continue  # this instance cannot hold or time it; the others may
        provenance = estimated("LLM serving estimate: prefill bound by compute, decode by memory bandwidth", {
            "model": model.name, "precision": precision, "batch": str(batch), "per request": workload.per_request,
            "GPUs kept up all month": str(max(always_on_gpus, estimate.tensor_parallel) if always_on_gpus else 0),
            "how": estimate.method}, on)
        lines.append(CostLine(f"{offer.provider} {offer.instance}",
                              _floor_usd(offer, always_on_gpus, estimate.tensor_parallel),
                              estimate.usd_per_request, provenance))
    return tuple(lines)


def open_model_option(model: ModelSpec, precision: str, workload: Workload, offers: tuple[GpuOffer, ...],
                      always_on_gpus: int = 1, on: date | None = None, batch: int = 16) -> Option:
    lines = open_model_lines(model, precision, workload, offers, always_on_gpus, on, batch)
    return Option(OPEN_MODEL, f"{model.name} ({precision}), cheapest GPU offer", undominated(lines))


def undominated(lines: tuple[CostLine, ...]) -> tuple[CostLine, ...]:
    """The lines that can be cheapest at some volume: a line whose floor and cost per request are both
    matched or beaten by another's never is (of two equal lines, the first is kept)."""
    def terms(line: CostLine) -> tuple[Decimal, Decimal]:
        return (line.floor_monthly_usd, line.usd_per_request)

    def beaten(index: int, line: CostLine) -> bool:
        for other_index, other in enumerate(lines):
            if other_index == index:
                continue
            no_worse = all(mine <= theirs for mine, theirs in zip(terms(other), terms(line)))
            if no_worse and (terms(other) != terms(line) or other_index < index):
                return True
        return False

    return tuple(line for index, line in enumerate(lines) if not beaten(index, line))


def own_model_option(run_id: str, card: dict, usd_per_hour: Decimal, on: date | None = None) -> Option:
    """The founder's model at its measured throughput on one machine at `usd_per_hour`, kept up all month."""
    model = model_from_run_card(card)
    if not model.samples_per_s:
        raise EstimateError(f"run card {run_id} has no measured throughput (throughput.samples_per_s)")
    per_request = cost_per_request_from_throughput(model.samples_per_s, usd_per_hour)
    where = model.device or "its device"
    provenance = measured(run_id, on, f"{model.samples_per_s:,.1f} requests/s on {where}, priced at "
                                      f"${usd_per_hour:,.2f}/hour, one machine kept up all month")
    line = CostLine(f"run {run_id}", usd_per_hour * HOURS_PER_MONTH, per_request, provenance)
    return Option(OWN_MODEL, f"{model.spec.name} (run {run_id})", (line,))


def break_even(api: Option, other: Option) -> BreakEven:
    """The monthly volume from which `other` costs less than the API (see the module docstring)."""
    (line,) = api.lines
    price = line.usd_per_request
    volumes = [own.floor_monthly_usd / price for own in other.lines if own.usd_per_request < price]
    if price == 0 or not volumes:
        return BreakEven(api.name, other.name, None)
    return BreakEven(api.name, other.name, min(volumes))


@dataclass(frozen=True)
class Comparison:
    workload: Workload
    options: tuple[Option, ...]
    break_evens: tuple[BreakEven, ...]

    def cheapest(self) -> Option:
        volume = self.workload.requests_per_month
        return min(self.options, key=lambda option: option.monthly_usd(volume))

    def option(self, name: str) -> Option:
        for option in self.options:
            if option.name == name:
                return option
        raise EstimateError(f"option {name!r} is not in this comparison")

    def volumes(self, points_per_decade: int = 8) -> list[float]:
        """Log-spaced monthly volumes around the workload's, three decades either side and past every
        break-even, for the cost-against-volume chart."""
        marks = [float(b.requests_per_month) for b in self.break_evens if b.requests_per_month]
        centre = float(self.workload.requests_per_month)
        low = math.floor(math.log10(min([centre, *marks]))) - 3
        high = min(math.ceil(math.log10(max([centre, *marks]))) + 3, math.log10(MAX_REQUESTS_PER_MONTH))
        steps = int((high - max(low, 0)) * points_per_decade)
        return sorted({*(10 ** (max(low, 0) + i / points_per_decade) for i in range(steps + 1)), centre, *marks})


def compare(workload: Workload, apis: list[Option], others: list[Option]) -> Comparison:
    """Every option at the workload, and each self-hosted option's break-even against each API."""
    if not apis and not others:
        raise EstimateError("nothing to compare: pick at least one API or one model to serve")
    pairs = tuple(break_even(api, other) for api in apis for other in others)
    return Comparison(workload, (*apis, *others), pairs)
