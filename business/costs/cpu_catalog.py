"""CPU machines to serve on: a small dated, sourced catalog (business/costs/data/cpu_catalog.csv).

Latency and throughput measured on this machine's CPU are priced on a CPU machine, never on a GPU offer.
The offer used is the smallest catalog machine with at least as many physical cores as the rows were
measured on: a row measured on 2 cores is priced on a 2-core machine (AWS c7i.xlarge: 4 vCPUs are 2 cores
with hyper-threading). It is a like-for-like guess, not a measurement on that machine, and the label says so.
No streamlit, no torch.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from business.costs.catalog import DATA_DIR, InvalidOffer, UNSOURCED, parse_date, parse_usd

CPU_CATALOG_PATH = DATA_DIR / "cpu_catalog.csv"


@dataclass(frozen=True)
class CpuOffer:
    provider: str
    instance: str
    vcpus: int
    physical_cores: int
    memory_gib: int
    usd_per_hour: Decimal
    date_seen: date | None
    source: str

    @property
    def date_label(self) -> str:
        return self.date_seen.isoformat() if self.date_seen else "unknown"

    def label(self, measured_cores: int | None = None) -> str:
        like = f", like the {measured_cores} cores measured on" if measured_cores else ""
        return (f"{self.provider} {self.instance}, {self.vcpus} vCPU = {self.physical_cores} cores{like}, "
                f"${self.usd_per_hour}/hour on demand, price seen {self.date_label} ({self.source.split(' (')[0]})")


def _whole(row: dict, name: str) -> int:
    text = str(row.get(name, "")).strip()
    if not text.isdigit() or not 1 <= int(text) <= 1024:
        raise InvalidOffer(f"{name}={row.get(name)!r} must be a whole number from 1 to 1024")
    return int(text)


def cpu_offer_from_row(row: dict) -> CpuOffer:
    texts = {}
    for name in ("provider", "instance"):
        value = row.get(name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidOffer(f"{name}={value!r} must be a non-empty text")
        texts[name] = value.strip()
    return CpuOffer(texts["provider"], texts["instance"], _whole(row, "vcpus"), _whole(row, "physical_cores"),
                    _whole(row, "memory_gib"), parse_usd(row.get("usd_per_hour")), parse_date(row.get("date_seen")),
                    str(row.get("source") or "").strip() or UNSOURCED)


@lru_cache(maxsize=4)
def load_cpu_catalog(path: Path = CPU_CATALOG_PATH) -> tuple[CpuOffer, ...]:
    with open(path, newline="", encoding="utf-8") as handle:
        return tuple(cpu_offer_from_row(row) for row in csv.DictReader(handle))


def cpu_offer_for(cores: int | None, offers: tuple[CpuOffer, ...] | None = None) -> CpuOffer | None:
    """The cheapest machine with at least `cores` physical cores (any machine when unknown); None if none fits."""
    offers = load_cpu_catalog() if offers is None else offers
    fitting = [o for o in offers if cores is None or o.physical_cores >= cores]
    return min(fitting, key=lambda o: (o.usd_per_hour, o.instance)) if fitting else None
