"""What each model of an image comparison costs per 1,000 predictions, on the kind of machine it was measured on.

A comparison row (a plain dict written by modelkit.vision.compare_rows) has a throughput measured at
batch 32 on this machine's CPU, with the threads it used ("cpu_threads"). A CPU measurement is priced on a
CPU machine, never on a GPU offer: machine_for (business/costs/variant_bills.py) takes the CPU catalog's
machine with as many cores (business/costs/cpu_catalog.py, dated and sourced), or the hourly price the
founder gives instead, and the label says which. Cost per 1,000 = price per hour / (throughput x 3,600) x 1,000, the machine kept busy. Money is
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


def price_row(row: dict, offers: tuple[GpuOffer, ...], cpu_usd_per_hour: object | None = None,
              cpu_cores: int | None = None) -> RowBill:
    throughput = row.get("throughput_per_s")
    if isinstance(throughput, bool) or not isinstance(throughput, (int, float)) or not throughput > 0:
        raise UnpricedRow(f"model {row.get('model')!r} has no measured throughput ({throughput!r})")
    machine = machine_for({"method": row.get("model"), "device": row.get("device", "cpu"),
                           "cpu_threads": row.get("cpu_threads")}, offers, cpu_usd_per_hour, cpu_cores)
    per_request = cost_per_request_from_throughput(float(throughput), machine.usd_per_hour)
    return RowBill(str(row.get("run_id")), str(row.get("model")), float(throughput),
                   round_usd(cost_per_1000_requests(per_request), 6), machine)


def price_rows(rows: list[dict], offers: tuple[GpuOffer, ...], cpu_usd_per_hour: object | None = None,
               cpu_cores: int | None = None) -> list[RowBill]:
    """Every row on the same kind of machine: the founder's price when given, else the catalog's."""
    return [price_row(row, offers, cpu_usd_per_hour, cpu_cores) for row in rows]
