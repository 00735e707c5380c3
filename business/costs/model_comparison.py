"""What each model of an image comparison costs per 1,000 predictions, on the kind of machine it was measured on.

A comparison row (a plain dict written by modelkit.vision.compare_rows) has a throughput measured at
batch 32 on this machine's CPU. A CPU measurement is priced on a CPU machine, never on a GPU offer:
machine_for (business/costs/variant_bills.py) picks the machine by the row's device, and the shipped
catalog has no CPU offers yet, so a CPU row is priced at the hourly price the founder gives, said so in
the label. Cost per 1,000 = price per hour / (throughput x 3,600) x 1,000, the machine kept busy. Money is
Decimal, rounded at the edge. No streamlit, no torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from business.costs.catalog import GpuOffer
from business.costs.pricing import cost_per_1000_requests, cost_per_request_from_throughput, round_usd
from business.costs.variant_bills import Machine, UnpricedRow, machine_for


@dataclass(frozen=True)
class RowBill:
    run_id: str
    model: str
    throughput_per_s: float
    usd_per_1k_predictions: Decimal
    machine: Machine

    def basis(self) -> str:
        """How the figure was made, in one line a person reads beside it."""
        return (f"{self.throughput_per_s:,.1f} predictions/s measured at batch 32 by run {self.run_id}, on "
                f"{self.machine.label}, kept busy")


def price_row(row: dict, offers: tuple[GpuOffer, ...], cpu_usd_per_hour: object | None) -> RowBill:
    throughput = row.get("throughput_per_s")
    if isinstance(throughput, bool) or not isinstance(throughput, (int, float)) or not throughput > 0:
        raise UnpricedRow(f"model {row.get('model')!r} has no measured throughput ({throughput!r})")
    machine = machine_for({"method": row.get("model"), "device": row.get("device", "cpu")}, offers,
                          cpu_usd_per_hour)
    per_request = cost_per_request_from_throughput(float(throughput), machine.usd_per_hour)
    return RowBill(str(row.get("run_id")), str(row.get("model")), float(throughput),
                   round_usd(cost_per_1000_requests(per_request), 6), machine)


def price_rows(rows: list[dict], offers: tuple[GpuOffer, ...], cpu_usd_per_hour: object | None) -> list[RowBill]:
    return [price_row(row, offers, cpu_usd_per_hour) for row in rows]
