"""The founder's API-prices document's JSON format, declared once (written by `api_overrides_payload`).

The store keeps {"rows": [...]} under kind "api_price_overrides". A row is {provider, model,
usd_per_1m_input, usd_per_1m_output, date_seen, note}: provider, model and note are texts of at most 300
characters, the two prices decimal text ("0.75") or a number, date_seen an ISO date, "unknown" or empty
(today). At most 200 rows. The schema refuses any other shape with the field's path;
`business.costs.api_catalog.api_price_from_row` then checks the values.
"""
from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field, StringConstraints

from business.untrusted_json import Amount, Document

MAX_API_PRICE_ROWS = 200
RowText = Annotated[str, StringConstraints(max_length=300)]


class ApiPriceRowDocument(Document):
    """One of the founder's API prices: it replaces the catalog row with the same provider and model, or adds one."""
    provider: RowText
    model: RowText
    usd_per_1m_input: Amount = Field(description="USD per 1M input tokens, from 0 to 1,000.")
    usd_per_1m_output: Amount = Field(description="USD per 1M output tokens, from 0 to 1,000.")
    date_seen: Optional[Annotated[str, StringConstraints(max_length=20)]] = Field(
        None, description="When the price was seen: an ISO date, 'unknown', or empty for today.")
    note: Optional[RowText] = Field(None, description="Where the price comes from, in the founder's words.")


ApiPriceRows = Annotated[list[ApiPriceRowDocument], Field(max_length=MAX_API_PRICE_ROWS)]


class ApiPriceOverridesDocument(Document):
    """The stored document: the founder's API prices (a project file carries the rows as "api_prices")."""
    rows: ApiPriceRows = []
