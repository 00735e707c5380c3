"""Financial assumptions <-> plain dicts, defaults drawn from a canvas, and saving them in the store.

The store keeps one versioned document of kind "financials" per project. Loading rebuilds the
assumptions through the same `make_*` checks the form uses, so a stored or hand-edited document is
never trusted. `fit_to_canvas` keeps assumptions in step when streams or segments are added,
renamed or removed on the canvas.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from business.canvas.model import Canvas, RevenueStream
from business.financials.assumptions import (
    BASE_SCENARIO,
    CostPerRequest,
    FinancialAssumptions,
    MAX_REQUESTS_PER_MONTH,
    FinancialsError,
    Scenario,
    SegmentPlan,
    StreamPlan,
    make_assumptions,
    make_cost_per_request,
    make_funding_event,
    make_scenario,
    make_segment_plan,
    make_stream_plan,
)
from business.financials.cost_sources import default_cost
from business.financials.schema import FinancialsDocument
from business.provenance import ProvenanceError, provenance_from_dict, provenance_from_legacy_text
from business.store import UnchangedSaveError
from business.timestamps import local_date
from business.untrusted_json import SchemaError, json_kind, validate

KIND = "financials"
_LEADING_NUMBER = re.compile(r"^\s*(\d[\d,]*(?:\.\d+)?)\s*(k\b)?", re.IGNORECASE)
SCHEMA_VERSION = 1
# Our starting points, shown as assumptions on the page; a founder replaces them with their own.
# Used only if the shipped catalog cannot price the default serving bill: about 1 cent per request.
DEFAULT_COST_PER_1K_USD = Decimal("10.00")
DEFAULT_USAGE = {"light": (Decimal("0.5"), Decimal(200)), "average": (Decimal("0.4"), Decimal(1000)),
                 "power": (Decimal("0.1"), Decimal(5000))}
DEFAULT_SEGMENT = {"starting_customers": 10, "new_customers_per_month": 5, "new_customer_growth_rate": "0.05",
                   "monthly_churn": "0.03", "cac_usd": 300}


# Our defaults for the preset scenarios; the page labels them as assumptions. Batch ~50 % off and
# falling token prices follow REFERENCE.md ("batch APIs ~50% off", provider price lists).
PRESET_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("pessimistic", new_customers_factor=Decimal("0.5"), churn_factor=Decimal("1.5"),
             price_factor=Decimal("0.9"), inference_cost_factor=Decimal("1.25")),
    Scenario(BASE_SCENARIO),
    Scenario("optimistic", new_customers_factor=Decimal("1.5"), churn_factor=Decimal("0.7"),
             inference_cost_factor=Decimal("0.9"), monthly_inference_price_decline=Decimal("0.02"),
             routed_share=Decimal("0.3"), cache_hit_rate=Decimal("0.1")),
)


class AssumptionsDocumentError(FinancialsError):
    """A stored or imported financials document that cannot be read; the message says where."""


def default_segment_plan(segment: str) -> SegmentPlan:
    return make_segment_plan(segment, **DEFAULT_SEGMENT)


def default_stream_plan(stream: RevenueStream, streams_in_segment: int = 1) -> StreamPlan:
    """Usage defaults; the segment's customers split evenly over its streams, so none is counted twice."""
    return make_stream_plan(stream.name, share_of_segment=Decimal(1) / max(streams_in_segment, 1),
                            requests_per_billed_unit=requests_per_unit_from_text(stream.unit), usage=DEFAULT_USAGE)


def requests_per_unit_from_text(unit: str) -> Decimal:
    """A guess the page shows for editing: "1,000 tickets" bills per 1,000 requests, "seat" per 1.

    Token units are not requests (a request spends many tokens), so they are left at 1 for the user to set.
    """
    match = _LEADING_NUMBER.match(unit)
    if not match or "token" in unit.casefold():
        return Decimal(1)
    number = Decimal(match.group(1).replace(",", ""))
    number *= 1000 if match.group(2) else 1
    return number if 0 < number <= MAX_REQUESTS_PER_MONTH else Decimal(1)


def default_assumptions(canvas: Canvas) -> FinancialAssumptions:
    """A first set of assumptions for a canvas: our defaults, labelled as such on the page."""
    segments = _stream_segments(canvas.revenue_streams)
    return make_assumptions(
        horizon_months=24, segments=[default_segment_plan(s) for s in segments],
        streams=[default_stream_plan(s, _count_in_segment(canvas.revenue_streams, s.segment))
                 for s in canvas.revenue_streams],
        cost_per_request=default_cost(DEFAULT_COST_PER_1K_USD),
        hosting_usd_per_month=500, team_usd_per_month=20_000, other_opex_usd_per_month=2_000,
        starting_cash_usd=500_000, scenarios=PRESET_SCENARIOS,
    )


def fit_to_canvas(assumptions: FinancialAssumptions, canvas: Canvas) -> tuple[FinancialAssumptions, list[str]]:
    """Add defaults for new streams/segments, drop ones gone from the canvas; say what changed."""
    streams = canvas.revenue_streams
    notes: list[str] = []
    kept_streams = [p for p in assumptions.streams if p.stream in {s.name for s in streams}]
    notes += [f"Dropped assumptions for stream {p.stream!r}: it is no longer on the canvas."
              for p in assumptions.streams if p not in kept_streams]
    have = {p.stream for p in kept_streams}
    for stream in streams:
        if stream.name not in have:
            plan = default_stream_plan(stream, _count_in_segment(streams, stream.segment))
            kept_streams.append(plan)
            notes.append(f"Stream {stream.name!r} is new: it starts with default usage assumptions and "
                         f"{plan.share_of_segment:.0%} of segment {stream.segment!r}'s customers.")
    needed = _stream_segments(streams)
    kept_segments = [p for p in assumptions.segments if p.segment in needed]
    notes += [f"Dropped customer assumptions for segment {p.segment!r}: no revenue stream uses it."
              for p in assumptions.segments if p not in kept_segments]
    have = {p.segment for p in kept_segments}
    for segment in needed:
        if segment not in have:
            kept_segments.append(default_segment_plan(segment))
            notes.append(f"Segment {segment!r} is new: it starts with default customer assumptions.")
    order = {s.name: i for i, s in enumerate(streams)}
    kept_streams.sort(key=lambda p: order[p.stream])
    kept_segments.sort(key=lambda p: needed.index(p.segment))
    return replace(assumptions, streams=tuple(kept_streams), segments=tuple(kept_segments)), notes


def assumptions_to_dict(a: FinancialAssumptions) -> dict:
    # Decimals as strings: JSON floats would lose cents.
    return {
        "schema_version": SCHEMA_VERSION,
        "horizon_months": a.horizon_months,
        "segments": [{"segment": s.segment, "starting_customers": str(s.starting_customers),
                      "new_customers_per_month": str(s.new_customers_per_month),
                      "new_customer_growth_rate": str(s.new_customer_growth_rate),
                      "monthly_churn": str(s.monthly_churn), "cac_usd": str(s.cac_usd)} for s in a.segments],
        "streams": [{"stream": p.stream, "share_of_segment": str(p.share_of_segment),
                     "requests_per_billed_unit": str(p.requests_per_billed_unit),
                     "usage": {u.cohort.value: [str(u.share_of_customers), str(u.requests_per_month)]
                               for u in p.usage}} for p in a.streams],
        "cost_per_request": {"usd_per_1k_requests": str(a.cost_per_request.usd_per_1k_requests),
                             "provenance": a.cost_per_request.provenance.to_dict()},
        "hosting_usd_per_month": str(a.hosting_usd_per_month),
        "team_usd_per_month": str(a.team_usd_per_month),
        "other_opex_usd_per_month": str(a.other_opex_usd_per_month),
        "starting_cash_usd": str(a.starting_cash_usd),
        "funding": [{"month": e.month, "amount_usd": str(e.amount_usd), "label": e.label} for e in a.funding],
        "scenarios": [_scenario_to_dict(s) for s in a.scenarios],
    }


def assumptions_from_dict(data: object, saved_on: date | None = None,
                          label: str = "The saved financial assumptions") -> FinancialAssumptions:
    """Rebuild assumptions: the document's shape against the schema (business/financials/schema.py), then
    the form's checks; AssumptionsDocumentError says what is wrong and where, starting with `label`.

    `saved_on` dates an older document's free-text cost source (it has no provenance of its own)."""
    if not isinstance(data, dict):
        raise AssumptionsDocumentError(f"{label} must be a JSON object, not {json_kind(data)}.")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise AssumptionsDocumentError(
            f"{label} have schema version {data.get('schema_version')!r:.40}, which is not supported; this app "
            f"reads version {SCHEMA_VERSION}.")
    try:
        document = validate(FinancialsDocument, data).model_dump(exclude_none=True)
    except SchemaError as error:
        raise AssumptionsDocumentError(f"{label} are invalid: {error}") from None
    try:
        return make_assumptions(
            horizon_months=document["horizon_months"],
            segments=[make_segment_plan(**s) for s in document["segments"]],
            streams=[make_stream_plan(p.pop("stream"), **p) for p in document["streams"]],
            cost_per_request=_cost_from_dict(document["cost_per_request"], saved_on),
            funding=[make_funding_event(**e) for e in document["funding"]],
            scenarios=[make_scenario(**s) for s in document["scenarios"]],
            **{key: document[key] for key in ("hosting_usd_per_month", "team_usd_per_month",
                                              "other_opex_usd_per_month", "starting_cash_usd")})
    except FinancialsError as error:
        raise AssumptionsDocumentError(f"{label} are invalid: {error}") from None


def load_assumptions(store, project_id: int) -> tuple[FinancialAssumptions | None, int | None]:
    """(latest saved assumptions, their version number), or (None, None) when never saved."""
    version = store.load_latest(project_id, KIND)
    if version is None:
        return None, None
    return assumptions_from_dict(version.payload, local_date(version.created_at)), version.number


def save_assumptions(store, project_id: int, assumptions: FinancialAssumptions, base_version: int | None,
                     message: str = "", refuse_unchanged: bool = False) -> int:
    """Save a new version; the store raises StaleSaveError if someone saved since base_version, and with
    `refuse_unchanged` UnchangedSaveError when the assumptions equal the latest version's. Equal means equal
    values (a form reads 14 back as 14.0), so the comparison is of the assumptions, not of their JSON."""
    if refuse_unchanged:
        latest = store.load_latest(project_id, KIND)
        if latest is not None and latest.number == base_version and _equal_to(latest.payload, assumptions):
            raise UnchangedSaveError(KIND, latest.number)
    return store.save(project_id, KIND, assumptions_to_dict(assumptions), base_version, message)


def _equal_to(payload: dict, assumptions: FinancialAssumptions) -> bool:
    try:
        return assumptions_from_dict(payload) == assumptions
    except FinancialsError:
        return False  # an unreadable stored version is never "the same": the new one replaces it


def _count_in_segment(streams: tuple[RevenueStream, ...], segment: str) -> int:
    return sum(1 for s in streams if s.segment == segment)


def _stream_segments(streams: tuple[RevenueStream, ...]) -> list[str]:
    segments: list[str] = []
    for stream in streams:
        if stream.segment not in segments:
            segments.append(stream.segment)
    return segments


def _scenario_to_dict(s: Scenario) -> dict:
    fields = {k: str(v) for k, v in vars(s).items() if k != "name"}
    return {"name": s.name, **fields}


def _cost_from_dict(raw: dict, saved_on: date | None) -> CostPerRequest:
    """The cost and its provenance; documents from before provenance carry a "source" text instead."""
    if "provenance" in raw:  # the schema has checked the shape; this reads the values
        try:
            provenance = provenance_from_dict(raw["provenance"])
        except ProvenanceError as error:
            raise FinancialsError(f"The inference cost's source cannot be read: {error}") from None
    elif raw.get("source", "").strip():
        provenance = provenance_from_legacy_text(raw["source"], saved_on)
    else:
        raise FinancialsError("cost_per_request has neither a provenance nor a source: say where it comes from.")
    return make_cost_per_request(raw.get("usd_per_1k_requests"), provenance)
