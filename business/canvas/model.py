"""The business model canvas, value propositions and revenue streams as validated values.

Everything here is plain data: frozen dataclasses built through `make_*` functions that check
user input and raise a `CanvasError` naming the offending value. Pages and the store only ever
hold values that passed these checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import Enum

from business.canvas.amounts import without_exponent

MAX_NAME_CHARS = 120
MAX_TEXT_CHARS = 2_000
MAX_ITEMS_PER_BLOCK = 50
# A price above a billion dollars per unit is a typo, not a business model.
MAX_PRICE = Decimal("1000000000")


class CanvasError(ValueError):
    """User input that cannot go into a canvas; the message says which value and why."""


class Evidence(str, Enum):
    HYPOTHESIS = "hypothesis"
    PARTLY_VALIDATED = "partly validated"
    VALIDATED = "validated"


class StreamType(str, Enum):
    SUBSCRIPTION = "subscription"
    USAGE_BASED = "usage-based"
    LICENCE = "licence"
    TRANSACTION = "transaction"
    ADVERTISING = "advertising"
    HYBRID = "hybrid"


class BillingPeriod(str, Enum):
    MONTH = "month"
    YEAR = "year"
    ONE_OFF = "one-off"


@dataclass(frozen=True)
class BlockSpec:
    key: str
    title: str
    questions: tuple[str, ...]


# Blocks and guiding questions: Business Model Canvas (Strategyzer, CC BY-SA 3.0),
# as gathered in shared/research/REFERENCE.md.
BLOCKS: tuple[BlockSpec, ...] = (
    BlockSpec("key_partners", "Key Partners", (
        "Who are our key partners and suppliers?",
        "Which resources do we acquire from them, which activities do they perform?")),
    BlockSpec("key_activities", "Key Activities", (
        "What key activities do our value propositions, channels, relationships and revenue streams require?",)),
    BlockSpec("key_resources", "Key Resources", (
        "What key resources do our value propositions, channels, relationships and revenue streams require?",)),
    BlockSpec("value_propositions", "Value Propositions", (
        "What value do we deliver?", "Which customer problem do we help solve?",
        "Which bundles of products and services do we offer each segment?", "Which needs do we satisfy?")),
    BlockSpec("customer_relationships", "Customer Relationships", (
        "What relationship does each segment expect?", "Which have we established?", "How costly are they?")),
    BlockSpec("channels", "Channels", (
        "Through which channels do our segments want to be reached?", "How do we reach them now?",
        "Which work best, which are most cost-efficient?")),
    BlockSpec("customer_segments", "Customer Segments", (
        "For whom are we creating value?", "Who are our most important customers?")),
    BlockSpec("cost_structure", "Cost Structure", (
        "What are the most important costs?", "Which key resources and activities are most expensive?")),
    BlockSpec("revenue_streams", "Revenue Streams", (
        "For what value are customers really willing to pay?", "What and how do they pay now?",
        "How would they prefer to pay?", "How much does each stream contribute?")),
)
BLOCK_KEYS = tuple(block.key for block in BLOCKS)
BLOCK_TITLES = {block.key: block.title for block in BLOCKS}


@dataclass(frozen=True)
class Item:
    text: str
    evidence: Evidence = Evidence.HYPOTHESIS
    note: str = ""


@dataclass(frozen=True)
class ValueProposition:
    name: str
    segment: str
    job_to_be_done: str
    problems: str
    alternatives: str = ""
    benefits: str = ""
    offer: str = ""
    differentiator: str = ""


@dataclass(frozen=True)
class RevenueStream:
    name: str
    segment: str
    stream_type: StreamType
    price_usd: Decimal
    unit: str
    billing_period: BillingPeriod
    included_usage: Decimal | None = None
    overage_price_usd: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class Canvas:
    blocks: dict[str, tuple[Item, ...]] = field(default_factory=lambda: {k: () for k in BLOCK_KEYS})
    value_propositions: tuple[ValueProposition, ...] = ()
    revenue_streams: tuple[RevenueStream, ...] = ()

    def items(self, block_key: str) -> tuple[Item, ...]:
        return self.blocks.get(block_key, ())

    def segment_names(self) -> tuple[str, ...]:
        return tuple(item.text for item in self.items("customer_segments"))


def clean_text(value: object, label: str, *, required: bool = True, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Strip a user text and check it is present (when required) and of a sane length."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise CanvasError(f"{label} is empty: please fill it in.")
    if len(text) > max_chars:
        raise CanvasError(f"{label} is {len(text):,} characters long; the limit is {max_chars:,}.")
    return text


def parse_money(value: object, label: str, *, required: bool = True) -> Decimal | None:
    """Read a non-negative dollar amount from user input, rounded to cents at most 6 decimals."""
    if value is None or str(value).strip() == "":
        if required:
            raise CanvasError(f"{label} is empty: enter an amount in USD.")
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise CanvasError(f"{label} {value!r} is not a number.") from None
    if not amount.is_finite():
        raise CanvasError(f"{label} {value!r} is not a finite number.")
    if amount < 0:
        raise CanvasError(f"{label} {amount} is negative; prices must be 0 or more.")
    if amount > MAX_PRICE:
        raise CanvasError(f"{label} {amount} is over the limit of {MAX_PRICE:,} USD.")
    return without_exponent(amount.quantize(Decimal("0.000001")))


def make_item(text: object, evidence: object = Evidence.HYPOTHESIS, note: object = "") -> Item:
    return Item(
        text=clean_text(text, "Item text", max_chars=MAX_TEXT_CHARS),
        evidence=_enum(Evidence, evidence, "Evidence level"),
        note=clean_text(note, "Note", required=False),
    )


def with_block(canvas: Canvas, block_key: str, items: list[Item] | tuple[Item, ...]) -> Canvas:
    """A copy of the canvas with one block's items replaced."""
    if block_key not in BLOCK_KEYS:
        raise CanvasError(f"Unknown canvas block {block_key!r}.")
    if len(items) > MAX_ITEMS_PER_BLOCK:
        raise CanvasError(f"{BLOCK_TITLES[block_key]} has {len(items)} items; the limit is {MAX_ITEMS_PER_BLOCK}.")
    return replace(canvas, blocks={**canvas.blocks, block_key: tuple(items)})


def make_value_proposition(canvas: Canvas, **fields: object) -> ValueProposition:
    proposition = ValueProposition(
        name=clean_text(fields.get("name"), "Name", max_chars=MAX_NAME_CHARS),
        segment=_existing_segment(canvas, fields.get("segment")),
        job_to_be_done=clean_text(fields.get("job_to_be_done"), "Job to be done"),
        problems=clean_text(fields.get("problems"), "Problems"),
        alternatives=clean_text(fields.get("alternatives"), "Current alternatives", required=False),
        benefits=clean_text(fields.get("benefits"), "Benefits", required=False),
        offer=clean_text(fields.get("offer"), "Offer", required=False),
        differentiator=clean_text(fields.get("differentiator"), "What makes it different", required=False),
    )
    return proposition


def make_revenue_stream(canvas: Canvas, **fields: object) -> RevenueStream:
    stream_type = _enum(StreamType, fields.get("stream_type"), "Revenue type")
    included = parse_money(fields.get("included_usage"), "Included usage", required=False)
    overage = parse_money(fields.get("overage_price_usd"), "Overage price", required=False)
    if stream_type in (StreamType.USAGE_BASED, StreamType.HYBRID) and overage is None and included is not None:
        raise CanvasError("Included usage is set but the overage price is empty: what does usage beyond it cost?")
    return RevenueStream(
        name=clean_text(fields.get("name"), "Name", max_chars=MAX_NAME_CHARS),
        segment=_existing_segment(canvas, fields.get("segment")),
        stream_type=stream_type,
        price_usd=parse_money(fields.get("price_usd"), "Price"),
        unit=clean_text(fields.get("unit"), "Unit", max_chars=MAX_NAME_CHARS),
        billing_period=_enum(BillingPeriod, fields.get("billing_period"), "Billing period"),
        included_usage=included,
        overage_price_usd=overage,
        note=clean_text(fields.get("note"), "Note", required=False),
    )


def upsert_named(entries: tuple, new_entry, replacing: str | None = None) -> tuple:
    """Add an entry, or replace the one named `replacing`; names stay unique."""
    kept = tuple(e for e in entries if e.name != replacing)
    if any(e.name.casefold() == new_entry.name.casefold() for e in kept):
        raise CanvasError(f"The name {new_entry.name!r} is already used; pick another.")
    if replacing is None:
        return kept + (new_entry,)
    position = next(i for i, e in enumerate(entries) if e.name == replacing)
    return kept[:position] + (new_entry,) + kept[position:]


def remove_named(entries: tuple, name: str) -> tuple:
    return tuple(e for e in entries if e.name != name)


def _existing_segment(canvas: Canvas, value: object) -> str:
    segment = clean_text(value, "Customer segment", max_chars=MAX_TEXT_CHARS)
    if segment not in canvas.segment_names():
        raise CanvasError(
            f"Customer segment {segment!r} is not on the canvas; add it to Customer Segments first.")
    return segment


def _enum(enum_type: type[Enum], value: object, label: str):
    if isinstance(value, enum_type):
        return value
    try:
        return enum_type(str(value).strip())
    except ValueError:
        choices = ", ".join(member.value for member in enum_type)
        raise CanvasError(f"{label} {value!r} is not one of: {choices}.") from None
