"""The shipped cloud GPU catalog and GPU specs, read from business/data/, each row with its source.

`gpu_catalog.csv` and `gpu_specs.csv` are copied from shared/research/ (the specs gained three
rows marked "unsourced" so that every offer maps to a spec). `GPU_SPEC_FOR` says which spec row
each catalog GPU name uses, and why where the match is not exact; a test holds every catalog
GPU to it. Undated rows keep date None and are shown as "unknown", never as a fact.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from business.costs.compute import EstimateError

DATA_DIR = Path(__file__).parent / "data"
CATALOG_PATH = DATA_DIR / "gpu_catalog.csv"
SPECS_PATH = DATA_DIR / "gpu_specs.csv"
UNKNOWN = "unknown"
UNSOURCED = "unsourced"

# catalog GPU name -> (spec row name, why this row where the names differ)
GPU_SPEC_FOR: dict[str, tuple[str, str]] = {
    "H100 SXM 80GB": ("H100 SXM5", ""),
    "H100 80GB": ("H100 SXM5", "form factor not stated by the provider; SXM assumed"),
    "H100 PCIe 80GB": ("H100 PCIe", ""),
    "H100 NVL 94GB": ("H100 NVL", ""),
    "H200 141GB": ("H200 SXM", ""),
    "A100 SXM 40GB": ("A100 SXM 40GB", ""),
    "A100 SXM 80GB": ("A100 SXM 80GB", ""),
    "A100 80GB": ("A100 SXM 80GB", "form factor not stated by the provider; SXM assumed"),
    "A100 PCIe 80GB": ("A100 PCIe 80GB", ""),
    "A10G 24GB": ("A10G", "no dense BF16 figure found: 16-bit jobs cannot be timed on it"),
    "A10 24GB": ("A10", ""),
    "L40S 48GB": ("L40S", ""),
    "L4 24GB": ("L4", ""),
    "T4 16GB": ("T4", "no BF16 on T4: the 16-bit figure is FP16 tensor"),
    "V100 16GB": ("V100 SXM2 16GB", "no BF16 on V100: the 16-bit figure is FP16 tensor"),
    "B200 180GB": ("B200 (HGX)", ""),
    "GB200 (Blackwell; 186GB)": ("B200 (HGX)", "B200 spec used as a lower bound: GB200 has 186 GB and is faster"),
    "GH200 96GB": ("GH200 96GB", ""),
    "MI300X 192GB": ("MI300X", ""),
}


class UnknownGpu(EstimateError):
    pass


class InvalidOffer(EstimateError):
    pass


@dataclass(frozen=True)
class GpuSpec:
    name: str
    memory_gb: float
    bf16_tflops: float | None
    fp32_tflops: float | None
    tdp_w: float
    source: str
    mem_bandwidth_tbs: float | None = None  # peak memory bandwidth, TB/s: what bounds LLM decoding

    def peak_tflops(self, precision: str) -> float | None:
        """Dense peak for a precision. fp32 is the non-tensor FP32 figure (PyTorch's default for
        fp32 matmuls; TF32 would be faster). int8/int4 here mean weight-only quantization for
        serving, which saves memory and bandwidth but computes in 16-bit: no extra FLOP/s."""
        return self.fp32_tflops if precision == "fp32" else self.bf16_tflops


@dataclass(frozen=True)
class GpuOffer:
    provider: str
    instance: str
    gpu: str
    gpus_per_instance: int
    usd_per_hour: Decimal
    date_seen: date | None
    source: str

    @property
    def usd_per_gpu_hour(self) -> Decimal:
        return self.usd_per_hour / self.gpus_per_instance

    @property
    def date_label(self) -> str:
        return self.date_seen.isoformat() if self.date_seen else UNKNOWN

    @property
    def key(self) -> tuple[str, str]:
        return (self.provider, self.instance)


def _optional_float(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=4)
def load_specs(path: Path = SPECS_PATH) -> dict[str, GpuSpec]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["gpu"]: GpuSpec(
            name=row["gpu"], memory_gb=float(row["memory_gb"]),
            bf16_tflops=_optional_float(row["bf16_dense_tflops"]),
            fp32_tflops=_optional_float(row["fp32_tflops"]),
            tdp_w=float(row["tdp_w"]), source=row["source"].strip() or UNSOURCED,
            mem_bandwidth_tbs=_optional_float(row["mem_bandwidth_tbs"]),
        ) for row in csv.DictReader(handle)}


def spec_for(gpu: str, specs: dict[str, GpuSpec] | None = None) -> GpuSpec:
    """The spec row of a catalog GPU name (or of a spec name typed directly)."""
    table = load_specs() if specs is None else specs
    name = GPU_SPEC_FOR.get(gpu, (gpu, ""))[0]
    if name not in table:
        known = sorted(set(GPU_SPEC_FOR) | set(table))
        raise UnknownGpu(f"GPU {gpu!r} is unknown; use one of: {', '.join(known)}")
    return table[name]


def parse_date(text: object) -> date | None:
    if text is None or (isinstance(text, str) and text.strip().lower() in ("", UNKNOWN)):
        return None
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise InvalidOffer(f"date_seen={text!r} is not a date like 2026-11-09 or 'unknown'") from None


def parse_usd(text: object, name: str = "usd_per_hour") -> Decimal:
    try:
        amount = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise InvalidOffer(f"{name}={text!r} is not an amount in dollars") from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidOffer(f"{name}={text!r} must be a positive amount in dollars")
    if amount > 10_000:
        raise InvalidOffer(f"{name}={text!r} is above $10,000 an hour; check the units")
    return amount


def offer_from_row(row: dict) -> GpuOffer:
    """A catalog or user row -> a checked offer. Raises InvalidOffer/UnknownGpu naming the value."""
    texts = {}
    for name in ("provider", "instance", "gpu"):
        value = row.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise InvalidOffer(f"{name}={value!r} must be a non-empty text of at most 200 characters")
        texts[name] = value.strip()
    spec_for(texts["gpu"])
    count = row.get("gpus_per_instance")
    text = str(count).strip()
    if isinstance(count, bool) or not text.isdigit() or not 1 <= int(text) <= 72:
        raise InvalidOffer(f"gpus_per_instance={count!r} must be a whole number from 1 to 72")
    gpus = int(text)
    source = str(row.get("source") or "").strip() or UNSOURCED
    return GpuOffer(texts["provider"], texts["instance"], texts["gpu"], gpus,
                    parse_usd(row.get("usd_per_hour")), parse_date(row.get("date_seen")), source)


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> tuple[GpuOffer, ...]:
    with open(path, newline="", encoding="utf-8") as handle:
        return tuple(offer_from_row(row) for row in csv.DictReader(handle))


def load_catalog_rows(path: Path = CATALOG_PATH) -> list[dict[str, str]]:
    """The raw CSV rows, for integrity checks against the shipped per-GPU price column."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def price_age_days(offer, today: date) -> int | None:
    """Days since the price was seen; `offer` is anything dated (a GPU offer or an API price)."""
    return None if offer.date_seen is None else (today - offer.date_seen).days


def is_stale(offer, today: date, max_age_days: int = 90) -> bool:
    """Older than `max_age_days`, or undated: both need checking before anyone relies on them."""
    age = price_age_days(offer, today)
    return age is None or age > max_age_days


def price_age_label(offer, today: date, max_age_days: int = 90) -> str:
    age = price_age_days(offer, today)
    if age is None:
        return "date unknown"
    return f"stale ({age} days old)" if age > max_age_days else f"{age} days old"


def catalog_table(offers: tuple[GpuOffer, ...], today: date, max_age_days: int = 90) -> list[dict[str, object]]:
    """The offers as rows to show: every price with its date (or "unknown"), age, source (or
    "unsourced") and the spec row it is timed with."""
    rows = []
    for offer in offers:
        spec_name, why = GPU_SPEC_FOR.get(offer.gpu, (offer.gpu, ""))
        rows.append({
            "provider": offer.provider, "instance": offer.instance, "gpu": offer.gpu,
            "gpus_per_instance": offer.gpus_per_instance, "usd_per_hour": offer.usd_per_hour,
            "usd_per_gpu_hour": offer.usd_per_gpu_hour, "date_seen": offer.date_label,
            "price_age": price_age_label(offer, today, max_age_days), "stale": is_stale(offer, today, max_age_days),
            "source": offer.source, "spec": spec_name + (f" ({why})" if why else ""),
        })
    return rows
