"""The negotiated-prices document's JSON format, declared once (written by `price_overrides_payload`).

The store keeps {"rows": [...]}; a project file carries the rows as "negotiated_prices". A row is
{provider, instance, gpu, gpus_per_instance, usd_per_hour, date_seen, source}: provider, instance and gpu
are texts of at most 200 characters (gpu one of the catalog's GPUs), gpus_per_instance a whole number
from 1 to 72, usd_per_hour decimal text ("16.00") or a number,
date_seen an ISO date, "unknown" or empty (today), source "user". At most 200 rows. The schema refuses
any other shape with the field's path; `business.costs.catalog.offer_from_row` then checks the values.
"""
from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field, StrictInt, StringConstraints

from business.untrusted_json import Amount, Document

MAX_PRICE_ROWS = 200
RowText = Annotated[str, StringConstraints(max_length=200)]


class PriceRowDocument(Document):
    """One negotiated price: it replaces the catalog row with the same provider and instance, or adds one."""
    provider: RowText
    instance: RowText
    gpu: RowText = Field(description="A GPU of the shipped catalog, e.g. 'H100 SXM 80GB'.")
    gpus_per_instance: StrictInt = Field(description="A whole number from 1 to 72.")
    usd_per_hour: Amount = Field(description="USD per instance-hour, above 0 and at most 10,000.")
    date_seen: Optional[Annotated[str, StringConstraints(max_length=20)]] = Field(
        None, description="When the price was seen: an ISO date, 'unknown', or empty for today.")
    source: Optional[RowText] = Field(None, description="Always 'user' once saved; the app sets it.")


PriceRows = Annotated[list[PriceRowDocument], Field(max_length=MAX_PRICE_ROWS)]


class PriceOverridesDocument(Document):
    """The stored document: the founder's negotiated prices."""
    rows: PriceRows = []
