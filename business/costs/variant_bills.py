"""What each measured compression row of a run costs to serve, and the published rule of thumb beside it.

A row (a plain dict from a run card's "compression" list, written by modelkit.text.variant_rows) has a
measured throughput (predictions per second at batch 32) on a device. Priced on a machine at an hourly
price, kept busy: cost per 1,000 predictions = price per hour / (throughput × 3,600) × 1,000, and the
monthly bill at the financial model's volume, never less than the machines kept up all month. A GPU row
is priced on the cheapest catalog offer of any GPU (its throughput was measured on this machine's GPU,
so the bill is a floor); a CPU row is priced on the CPU catalog's machine with as many cores as it was
measured on (business/costs/cpu_catalog.py), or at the hourly price the founder gives instead (said so in
the row's basis). `serve_variant` turns a row into the financial
model's cost per request with its provenance ("measured by run X ... variant Y"). No streamlit, no torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from business import figures
from business.costs.catalog import GpuOffer
from business.costs.compression import distillation_estimate, precision_estimates, pruning_estimate
from business.costs.compute import EstimateError
from business.costs.cpu_catalog import cpu_offer_for
from business.costs.pricing import (cost_per_1000_requests, cost_per_request_from_throughput, monthly_serving_cost,
                                    round_usd)

HOURS_PER_MONTH = 730


class UnpricedRow(EstimateError):
    """A measured row that cannot be priced: no throughput, or no machine price for its device."""


@dataclass(frozen=True)
class Machine:
    usd_per_hour: Decimal
    label: str  # "AWS g5.xlarge (A10G 24GB), catalog 2026-11-09" or "your CPU machine at $0.17/hour"


@dataclass(frozen=True)
class VariantBill:
    method: str
    device: str
    throughput_per_s: float
    usd_per_1k_predictions: Decimal
    monthly_usd: Decimal
    machine: Machine
    floor_usd: Decimal = Decimal(0)  # the machines kept up all month, whatever the volume
    capacity_per_month: float = 0.0  # predictions those machines make in a month, kept busy

    @property
    def at_floor(self) -> bool:
        return self.floor_usd > 0 and self.monthly_usd <= round_usd(self.floor_usd)


def cheapest_gpu_machine(offers: tuple[GpuOffer, ...]) -> Machine:
    """The catalog's cheapest single GPU per hour (an instance's price over its GPUs)."""
    if not offers:
        raise UnpricedRow("the GPU catalog is empty: no offer to price a GPU row on")
    offer = min(offers, key=lambda o: (o.usd_per_gpu_hour, o.provider, o.instance))
    return Machine(offer.usd_per_gpu_hour, f"{offer.provider} {offer.instance} ({offer.gpu}), "
                                           f"cheapest catalog GPU, price seen {offer.date_label}")


def cpu_machine(usd_per_hour: object) -> Machine:
    try:
        price = Decimal(str(usd_per_hour))
    except ArithmeticError:
        raise UnpricedRow(f"CPU machine price {usd_per_hour!r} is not an amount in dollars per hour") from None
    if not price.is_finite() or price <= 0:
        raise UnpricedRow(f"CPU machine price {usd_per_hour!r} must be a positive amount in dollars per hour")
    return Machine(price, f"your CPU machine at ${price:,.2f}/hour")


def catalog_cpu_machine(cores: int | None) -> Machine:
    offer = cpu_offer_for(cores)
    if offer is None:
        raise UnpricedRow(f"the CPU catalog has no machine with {cores} cores: give the hourly price of the CPU "
                          "machine you would serve on")
    return Machine(offer.usd_per_hour, offer.label(cores))


def machine_for(row: dict, offers: tuple[GpuOffer, ...], cpu_usd_per_hour: object | None,
                cpu_cores: int | None = None) -> Machine:
    """GPU rows on the cheapest catalog GPU; CPU rows at the founder's price, else on the catalog CPU machine
    with the cores the row was measured on (the row's own "cpu_threads", else `cpu_cores`)."""
    if str(row.get("device", "cpu")).startswith("cuda"):
        return cheapest_gpu_machine(offers)
    if cpu_usd_per_hour is None:
        measured = row.get("cpu_threads")
        return catalog_cpu_machine(measured if isinstance(measured, int) and measured > 0 else cpu_cores)
    return cpu_machine(cpu_usd_per_hour)


def variant_bill(row: dict, offers: tuple[GpuOffer, ...], requests_per_month: float,
                 cpu_usd_per_hour: object | None = None, always_on_machines: int = 1,
                 cpu_cores: int | None = None) -> VariantBill:
    throughput = row.get("throughput_per_s")
    if isinstance(throughput, bool) or not isinstance(throughput, (int, float)) or not throughput > 0:
        raise UnpricedRow(f"row {row.get('method')!r} has no measured throughput ({throughput!r})")
    machine = machine_for(row, offers, cpu_usd_per_hour, cpu_cores)
    per_request = cost_per_request_from_throughput(float(throughput), machine.usd_per_hour)
    monthly = monthly_serving_cost(requests_per_month, per_request, machine.usd_per_hour, always_on_machines)
    return VariantBill(str(row.get("method")), str(row.get("device", "cpu")), float(throughput),
                       round_usd(cost_per_1000_requests(per_request), 6), round_usd(monthly), machine,
                       machine.usd_per_hour * always_on_machines * HOURS_PER_MONTH,
                       float(throughput) * 3600 * HOURS_PER_MONTH * always_on_machines)


def variant_bills(rows: list[dict], offers: tuple[GpuOffer, ...], requests_per_month: float,
                  cpu_usd_per_hour: object | None = None, always_on_machines: int = 1,
                  cpu_cores: int | None = None) -> list[VariantBill]:
    return [variant_bill(row, offers, requests_per_month, cpu_usd_per_hour, always_on_machines, cpu_cores)
            for row in rows]


def floor_note(bills: list[VariantBill], requests_per_month: float) -> str | None:
    """Why rows with different speeds can cost the same a month: the volume fits on the machines kept up
    anyway, so the machine sets the bill, not the model; said with the volume from which speed pays."""
    floored = [b for b in bills if b.at_floor]
    if not floored:
        return None
    slowest = min(floored, key=lambda b: b.capacity_per_month)
    return (f"{len(floored)} of {len(bills)} rows cost the same ${slowest.floor_usd:,.2f} a month: "
            f"{requests_per_month:,.0f} predictions fit on the machine kept up all month anyway "
            f"({HOURS_PER_MONTH} h × ${slowest.machine.usd_per_hour}/hour), so the machine, not the model, sets "
            f"the bill. A faster row saves money above {slowest.capacity_per_month:,.0f} predictions a month, what "
            f"{slowest.method} makes on one machine kept busy; the cost per 1,000 shows the difference at scale.")


def serve_variant(run_id: str, bill: VariantBill, on: date | None):
    """The financial model's cost per request from one measured row, its provenance naming run and variant."""
    from business.financials.assumptions import make_cost_per_request
    from business.provenance import measured

    return make_cost_per_request(bill.usd_per_1k_predictions, measured(
        run_id, on, f"variant {bill.method}: {bill.throughput_per_s:,.1f} predictions/s on {bill.device} "
                    f"at ${bill.machine.usd_per_hour:,.2f}/hour ({bill.machine.label}), machine kept busy"))


@dataclass(frozen=True)
class PublishedPrediction:
    method: str  # the measured row it predicts
    speedup: float  # batch-1 latency of the teacher / of the variant, as the rule of thumb says
    accuracy: float | None  # the teacher's accuracy times the rule's retained share, when it names one
    source: str


def published_predictions(rows: list[dict]) -> dict[str, PublishedPrediction]:
    """What the estimator's published multipliers predict for each measured row, against the teacher
    ("fp32" row): distillation DistilBERT's 1.6× at ~97% of the score, structured pruning 1 / (share
    kept), unstructured (magnitude) pruning 1.0× on dense hardware, int8 dynamic the PyTorch BERT tutorial's
    CPU speed-up at no loss, multiplied onto its base; a static int8 row (an image CNN) gets none, since no
    published figure here is about it."""
    by_method = {row.get("method"): row for row in rows}
    teacher = by_method.get("fp32")
    if teacher is None or not teacher.get("parameters"):
        return {}
    from business.costs.models import ModelSpec

    spec = ModelSpec("measured", "teacher", "encoder", int(teacher["parameters"]), "measured: run card")
    accuracy = teacher.get("accuracy")
    predictions: dict[str, PublishedPrediction] = {}
    for row in sorted(rows, key=lambda r: r.get("kind") == "int8"):  # a base's prediction before int8 on top
        kind = row.get("kind")
        if kind == "distill":
            estimate = distillation_estimate(spec)
            retained = float(figures.DISTILBERT_RETAINED_SHARE.value)
            predictions[row["method"]] = PublishedPrediction(
                row["method"], estimate.throughput_multiplier, accuracy * retained if accuracy is not None else None,
                estimate.source)
        elif kind == "prune" and isinstance(row.get("sparsity"), (int, float)):
            estimate = pruning_estimate(spec, float(row["sparsity"]), structured=True)
            predictions[row["method"]] = PublishedPrediction(row["method"], estimate.throughput_multiplier, None,
                                                             estimate.source)
        elif kind == "sparse" and isinstance(row.get("sparsity"), (int, float)):
            # zeroed weights in dense tensors: the published rule is no speed-up on dense hardware
            estimate = pruning_estimate(spec, min(float(row["sparsity"]), 0.99), structured=False)
            predictions[row["method"]] = PublishedPrediction(row["method"], estimate.throughput_multiplier, None,
                                                             estimate.source)
        elif kind == "int8" and row.get("quantization") != "static int8":
            # the published int8 figure is BERT's dynamic int8 on a CPU: it says nothing about a CNN's static int8
            int8 = next(e for e in precision_estimates(spec) if e.precision == "int8")
            base = predictions.get(str(row.get("base")) or "")
            speedup = int8.throughput_multiplier * (base.speedup if base else 1.0)
            predictions[row["method"]] = PublishedPrediction(
                row["method"], speedup, base.accuracy if base else accuracy,
                int8.source + (f", on top of the {base.method} prediction" if base else ""))
    return predictions
