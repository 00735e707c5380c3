"""The shipped catalog of hosted LLM API prices (per 1M input and 1M output tokens), each row with its source.

`data/api_prices.csv` follows the GPU catalog's rules (business/costs/catalog.py): a source and a date in
every row, stale (older than 90 days, or undated) flagged wherever it is shown. A founder's own prices (a
negotiated rate, a provider the catalog lacks) are saved with the project as versioned documents of kind
"api_price_overrides", like negotiated GPU prices: a row with the same provider and model replaces the
shipped one, any other row is added. Nothing here knows about Streamlit.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from business.costs.api_price_schema import ApiPriceOverridesDocument
from business.costs.catalog import (DATA_DIR, UNKNOWN, UNSOURCED, InvalidOffer, is_stale,  # noqa: F401 (dated prices)
                                    parse_date, price_age_days, price_age_label)
from business.costs.compute import EstimateError
from business.untrusted_json import SchemaError, validate

API_CATALOG_PATH = DATA_DIR / "api_prices.csv"
API_OVERRIDE_KIND = "api_price_overrides"
USER_SOURCE = "entered by you"
MAX_USD_PER_1M = Decimal(1000)  # above any published text-model price; catches a price typed per 1K tokens
TOKENS_PER_PRICE_UNIT = Decimal(1_000_000)


class InvalidApiPrice(EstimateError):
    pass


@dataclass(frozen=True)
class ApiPrice:
    provider: str
    model: str
    usd_per_1m_input: Decimal
    usd_per_1m_output: Decimal
    date_seen: date | None
    source: str
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.provider, self.model)

    @property
    def label(self) -> str:
        return f"{self.provider} {self.model}"

    @property
    def date_label(self) -> str:
        return self.date_seen.isoformat() if self.date_seen else UNKNOWN

    def cost_per_request_usd(self, input_tokens: float, output_tokens: float) -> Decimal:
        """in_tokens/1e6 × input price + out_tokens/1e6 × output price (REFERENCE.md, provider price lists)."""
        return (Decimal(repr(float(input_tokens))) * self.usd_per_1m_input
                + Decimal(repr(float(output_tokens))) * self.usd_per_1m_output) / TOKENS_PER_PRICE_UNIT


def _text(row: dict, name: str, required: bool = True) -> str:
    value = row.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if (required and not text) or len(text) > 300 or (value is not None and not isinstance(value, str)):
        raise InvalidApiPrice(f"{name}={value!r} must be a non-empty text of at most 300 characters")
    return text


def parse_usd_per_1m(value: object, name: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidApiPrice(f"{name}={value!r} is not an amount in dollars per 1M tokens") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidApiPrice(f"{name}={value!r} must be zero or a positive amount in dollars per 1M tokens")
    if amount > MAX_USD_PER_1M:
        raise InvalidApiPrice(f"{name}={value!r} is above ${MAX_USD_PER_1M:,} per 1M tokens; check the units")
    return amount


def api_price_from_row(row: dict) -> ApiPrice:
    """A catalog or founder row -> a checked price. Raises InvalidApiPrice naming the bad value."""
    if not isinstance(row, dict):
        raise InvalidApiPrice(f"an API price must be a mapping of fields, got {row!r:.80}")
    try:
        seen = parse_date(row.get("date_seen"))
    except InvalidOffer as error:
        raise InvalidApiPrice(str(error)) from None
    return ApiPrice(
        provider=_text(row, "provider"), model=_text(row, "model"),
        usd_per_1m_input=parse_usd_per_1m(row.get("usd_per_1m_input"), "usd_per_1m_input"),
        usd_per_1m_output=parse_usd_per_1m(row.get("usd_per_1m_output"), "usd_per_1m_output"),
        date_seen=seen, source=_text(row, "source", required=False) or UNSOURCED,
        note=_text(row, "note", required=False))


@lru_cache(maxsize=4)
def load_api_catalog(path: Path = API_CATALOG_PATH) -> tuple[ApiPrice, ...]:
    with open(path, newline="", encoding="utf-8") as handle:
        return tuple(api_price_from_row(row) for row in csv.DictReader(handle))


def api_catalog_table(prices: Iterable[ApiPrice], today: date, max_age_days: int = 90) -> list[dict[str, object]]:
    """The prices as rows to show: each with its date (or "unknown"), age, stale flag and source."""
    return [{"provider": p.provider, "model": p.model, "usd_per_1m_input": p.usd_per_1m_input,
             "usd_per_1m_output": p.usd_per_1m_output, "date_seen": p.date_label,
             "price_age": price_age_label(p, today, max_age_days), "stale": is_stale(p, today, max_age_days),
             "source": p.source, "note": p.note} for p in prices]


# -- the founder's own prices, saved with the project ----------------------------------------------
def validate_api_override(row: dict, today: date) -> ApiPrice:
    """A founder's price -> a checked price whose source says it is theirs. An empty date means "seen
    today": they are typing it in now."""
    if not isinstance(row, dict):
        raise InvalidApiPrice(f"an API price override must be a mapping of fields, got {row!r:.80}")
    fields = dict(row, source=USER_SOURCE)
    if not str(fields.get("date_seen") or "").strip():
        fields["date_seen"] = today.isoformat()
    try:
        return api_price_from_row(fields)
    except InvalidApiPrice as error:
        raise InvalidApiPrice(f"API price for {row.get('provider')!r} {row.get('model')!r}: {error}") from None


def apply_api_overrides(catalog: Iterable[ApiPrice], overrides: Iterable[dict], today: date) -> tuple[ApiPrice, ...]:
    """The catalog with the founder's rows applied: same provider and model replaces, others are added."""
    prices = {price.key: price for price in catalog}
    for row in overrides:
        price = validate_api_override(row, today)
        prices[price.key] = price
    return tuple(prices.values())


def api_overrides_payload(overrides: Iterable[dict], today: date) -> dict:
    """Founder rows -> the JSON document the store keeps (validated; money as text, never a float)."""
    rows = []
    for row in overrides:
        price = validate_api_override(row, today)
        rows.append({"provider": price.provider, "model": price.model,
                     "usd_per_1m_input": str(price.usd_per_1m_input),
                     "usd_per_1m_output": str(price.usd_per_1m_output),
                     "date_seen": price.date_label, "note": price.note})
    return {"rows": rows}


def api_overrides_from_payload(payload: dict | None) -> list[dict]:
    """A stored document's rows, its shape checked against business/costs/api_price_schema.py (values are
    checked where they are applied, by `validate_api_override`)."""
    if not payload:
        return []
    try:
        document = validate(ApiPriceOverridesDocument, payload)
    except SchemaError as error:
        raise InvalidApiPrice(f"The saved API prices cannot be read: {error}") from None
    return [row.model_dump(exclude_none=True) for row in document.rows]
