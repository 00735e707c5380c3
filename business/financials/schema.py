"""The financial-assumptions document's JSON format, declared once (written by `assumptions_to_dict`).

An object with schema_version 1, horizon_months, segments (at most 50 {segment, starting_customers,
new_customers_per_month, new_customer_growth_rate, monthly_churn, cac_usd}), streams (at most 50 {stream,
share_of_segment, requests_per_billed_unit, usage: {light|average|power: [share, requests per month]}}),
cost_per_request ({usd_per_1k_requests, provenance} or, in documents from before provenance, {.., source}),
hosting_usd_per_month, team_usd_per_month, other_opex_usd_per_month, starting_cash_usd, funding (at most
50 {month, amount_usd, label}) and scenarios (at most 20 {name, and any of the Scenario settings}).
Amounts and rates are decimal text ("0.05") or numbers; names are texts of at most 60 characters. The
schema refuses any other shape with the field's path; `business.financials.assumptions` then checks the
values (a churn above 100 %, a funding month after the horizon) as the form does.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Literal, Optional

from pydantic import Field, StringConstraints, create_model

from business.financials.assumptions import MAX_NAME_CHARS, Cohort, Scenario
from business.provenance import KINDS, MAX_TEXT
from business.untrusted_json import Amount, Document

MAX_ROWS = 50
MAX_SCENARIOS = 20
MAX_PROVENANCE_INPUTS = 50

Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_CHARS)]
ProvenanceText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Pair = Annotated[list[ProvenanceText], Field(min_length=2, max_length=2)]


class SegmentDocument(Document):
    """Customers of one segment: how many, how fast they come and go, what one costs to win."""
    segment: Name
    starting_customers: Amount
    new_customers_per_month: Amount
    new_customer_growth_rate: Amount = Field("0", description="Monthly growth of new customers, 0 to 1.")
    monthly_churn: Amount = Field(description="Share of customers lost each month, 0 to 1.")
    cac_usd: Amount = Field(description="Customer acquisition cost in USD.")


class StreamDocument(Document):
    """Usage of one revenue stream of the canvas."""
    stream: Name = Field(description="The name of a revenue stream on the canvas.")
    share_of_segment: Amount = "1"
    requests_per_billed_unit: Amount = "1"
    usage: dict[Literal[tuple(c.value for c in Cohort)], Annotated[list[Amount], Field(min_length=2, max_length=2)]] \
        = Field(description="Per cohort (light, average, power): [share of customers, requests per month].")


class ProvenanceDocument(Document):
    """Where the cost per request comes from (business.provenance.Provenance.to_dict)."""
    kind: Literal[KINDS]
    method: ProvenanceText = ""
    inputs: Annotated[list[Pair], Field(max_length=MAX_PROVENANCE_INPUTS)] = []
    run_id: ProvenanceText = ""
    on: Optional[Annotated[str, StringConstraints(max_length=10)]] = Field(None, description="ISO date.")


class CostDocument(Document):
    """The inference cost per 1,000 requests and its origin."""
    usd_per_1k_requests: Amount
    provenance: Optional[ProvenanceDocument] = None
    source: Optional[ProvenanceText] = Field(None, description="Documents from before provenance: a free text.")


class FundingDocument(Document):
    month: Amount = Field(description="Month number, 1 to the horizon.")
    amount_usd: Amount
    label: Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)] = ""


_SCENARIO_SETTINGS = [f.name for f in fields(Scenario) if f.name != "name"]
ScenarioDocument = create_model(
    "ScenarioDocument", __base__=Document, __doc__="A scenario: its name and the settings it changes.",
    name=(Name, ...), **{key: (Optional[Amount], None) for key in _SCENARIO_SETTINGS})


class FinancialsDocument(Document):
    """A saved set of financial assumptions."""
    schema_version: Literal[1]
    horizon_months: Amount = Field(description="Months projected, a whole number from 1 to 120.")
    segments: Annotated[list[SegmentDocument], Field(max_length=MAX_ROWS)] = []
    streams: Annotated[list[StreamDocument], Field(max_length=MAX_ROWS)] = []
    cost_per_request: CostDocument
    hosting_usd_per_month: Amount
    team_usd_per_month: Amount
    other_opex_usd_per_month: Amount
    starting_cash_usd: Amount
    funding: Annotated[list[FundingDocument], Field(max_length=MAX_ROWS)] = []
    scenarios: Annotated[list[ScenarioDocument], Field(max_length=MAX_SCENARIOS)] = []
