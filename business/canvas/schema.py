"""The canvas's JSON format, declared once: what `canvas_to_dict` writes and `canvas_from_dict` accepts.

A canvas document is an object with three fields, all optional:
  blocks: the nine blocks by key (key_partners ... revenue_streams), each a list of at most 50 items
    {text, evidence, note};
  value_propositions: at most 50 {name, segment, job_to_be_done, problems, alternatives, benefits, offer,
    differentiator};
  revenue_streams: at most 50 {name, segment, stream_type, price_usd, unit, billing_period, included_usage,
    overage_price_usd, note}.
Texts are JSON strings (names at most 120 characters, other texts 2,000); money is decimal text ("490.00")
or a number. Anything else (an object where a text belongs, an unknown field, a 51st item) is refused
with the field's path. The schema checks shape; `business.canvas.model` then checks meaning (a segment
must be on the canvas, a price not negative) with the same messages the forms show.
"""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import Field, StringConstraints, create_model

from business.canvas.model import (BLOCKS, MAX_ITEMS_PER_BLOCK, MAX_NAME_CHARS, MAX_TEXT_CHARS, BillingPeriod,
                                   Evidence, StreamType)
from business.untrusted_json import Amount, Document

MAX_NAMED_ENTRIES = 50  # value propositions, and revenue streams, per canvas

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]
Name = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)]
EvidenceLevel = Literal[tuple(e.value for e in Evidence)]
StreamKind = Literal[tuple(t.value for t in StreamType)]
Period = Literal[tuple(p.value for p in BillingPeriod)]


class ItemDocument(Document):
    """One item of a block."""
    text: Text = Field(description="What the item says; required and not empty.")
    evidence: EvidenceLevel = Field("hypothesis", description="How well it is known: " + ", ".join(
        e.value for e in Evidence) + ".")
    note: Text = Field("", description="Optional: the evidence behind it.")


class ValuePropositionDocument(Document):
    """A value proposition, as its form saves it."""
    name: Name = Field(description="Unique on the canvas.")
    segment: Text = Field(description="A customer segment on the canvas (an item of customer_segments).")
    job_to_be_done: Text
    problems: Text
    alternatives: Text = ""
    benefits: Text = ""
    offer: Text = ""
    differentiator: Text = ""


class RevenueStreamDocument(Document):
    """A revenue stream, as its form saves it; the terms must bill as they read (business.canvas.billing)."""
    name: Name = Field(description="Unique on the canvas.")
    segment: Text = Field(description="A customer segment on the canvas (an item of customer_segments).")
    stream_type: StreamKind
    price_usd: Amount = Field(description='USD per unit, 0 to 1,000,000,000, as text ("490.00") or a number.')
    unit: Name = Field(description='What one price buys: "seat", "1,000 tickets".')
    billing_period: Period
    included_usage: Optional[Amount] = Field(None, description="Units the price covers per billing period.")
    overage_price_usd: Optional[Amount] = Field(None, description="USD per unit beyond the included usage.")
    note: Text = ""


Items = Annotated[list[ItemDocument], Field(max_length=MAX_ITEMS_PER_BLOCK)]
# One optional list field per block, described with the block's guiding questions.
BlocksDocument = create_model(
    "BlocksDocument", __base__=Document, __doc__="The nine blocks by key; a block left out is empty.",
    **{b.key: (Items, Field(default_factory=list, description=f"{b.title}: {' '.join(b.questions)}"))
       for b in BLOCKS})


class CanvasDocument(Document):
    """A whole canvas: its nine blocks, value propositions and revenue streams."""
    blocks: BlocksDocument = Field(default_factory=BlocksDocument)
    value_propositions: Annotated[list[ValuePropositionDocument], Field(max_length=MAX_NAMED_ENTRIES)] = []
    revenue_streams: Annotated[list[RevenueStreamDocument], Field(max_length=MAX_NAMED_ENTRIES)] = []
