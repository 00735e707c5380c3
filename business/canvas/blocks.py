"""What each canvas block shows: the one reading of a canvas that every view and export renders.

A value proposition or revenue stream saved on its form is the source of truth for it, and it is part
of its block: the Value Propositions and Revenue Streams blocks list the form's entries first, then the
block's own short items (statements with an evidence level). The page grid, History, the investor
view, the PDF, HTML and slides all draw `block_entries`, so no view can leave a form's entry out;
the diff and Markdown read the same entries in full detail through `block_lines`.
"""
from __future__ import annotations

from dataclasses import dataclass

from business.canvas.amounts import count, usd
from business.canvas.model import BLOCKS, BillingPeriod, Canvas, Evidence, Item, RevenueStream, ValueProposition

_PER_PERIOD = {BillingPeriod.MONTH: " a month", BillingPeriod.YEAR: " a year", BillingPeriod.ONE_OFF: ", once"}


@dataclass(frozen=True)
class BlockEntry:
    """One line of a block. A form's entry has a detail and no evidence level (its form records none)."""
    text: str
    evidence: Evidence | None = None
    detail: str = ""

    def label(self) -> str:
        """Plain one-line text for exports: "Team plan ($490.00 per team a month, ...)" or "text [hypothesis]"."""
        if self.evidence is None:
            return f"{self.text} ({self.detail})" if self.detail else self.text
        return f"{self.text} [{self.evidence.value}]"


def block_entries(canvas: Canvas, block_key: str) -> tuple[BlockEntry, ...]:
    """The entries a reader sees in one block, form entries first."""
    named: tuple[BlockEntry, ...] = ()
    if block_key == "value_propositions":
        named = tuple(BlockEntry(p.name, detail=f"for {p.segment}") for p in canvas.value_propositions)
    elif block_key == "revenue_streams":
        named = tuple(BlockEntry(s.name, detail=f"{stream_terms(s)}; paid by {s.segment}")
                      for s in canvas.revenue_streams)
    return named + tuple(BlockEntry(i.text, i.evidence) for i in canvas.items(block_key))


def block_lines(canvas: Canvas) -> dict[str, list[str]]:
    """Every block as full one-line entries, by block title (what the diff compares, what Markdown lists)."""
    lines = {block.title: [_item_line(i) for i in canvas.items(block.key)] for block in BLOCKS}
    lines["Value Propositions"][:0] = [_proposition_line(p) for p in canvas.value_propositions]
    lines["Revenue Streams"][:0] = [_stream_line(s) for s in canvas.revenue_streams]
    return lines


def stream_terms(s: RevenueStream) -> str:
    """What a stream charges, in words: "$490.00 per team a month, 10,000 included then $0.02 each"."""
    terms = f"{usd(s.price_usd)} per {s.unit}{_PER_PERIOD[s.billing_period]}"
    if s.included_usage is not None:
        terms += f", {count(s.included_usage)} included"
    if s.overage_price_usd is not None:
        terms += f" then {usd(s.overage_price_usd)} each" if s.included_usage is not None \
            else f", {usd(s.overage_price_usd)} per extra unit"
    return terms


def _item_line(item: Item) -> str:
    note = f" (note: {item.note})" if item.note else ""
    return f"{item.text} [{item.evidence.value}]{note}"


def _proposition_line(p: ValueProposition) -> str:
    return (f"Value proposition {p.name!r} for {p.segment}: job {p.job_to_be_done!r}; problems {p.problems!r}; "
            f"alternatives {p.alternatives!r}; benefits {p.benefits!r}; offer {p.offer!r}; "
            f"different because {p.differentiator!r}")


def _stream_line(s: RevenueStream) -> str:
    note = f"; note {s.note!r}" if s.note else ""
    return f"Revenue stream {s.name!r} ({s.stream_type.value}) paid by {s.segment}: {stream_terms(s)}{note}"
