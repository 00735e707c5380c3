"""Canvas <-> plain dicts, validated on the way in (the format: business/canvas/schema.py).

The store keeps canvases as these dicts, and the project file (business/project_file.py) carries one;
money is written as plain decimal strings ("490.00"), never floats or "4.9E+2".
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from business.canvas.amounts import plain_amount, plain_count
from business.canvas.model import (
    BLOCK_KEYS,
    Canvas,
    CanvasError,
    RevenueStream,
    ValueProposition,
    make_item,
    make_revenue_stream,
    make_value_proposition,
    upsert_named,
    with_block,
)
from business.canvas.schema import CanvasDocument
from business.untrusted_json import SchemaError, validate


def canvas_to_dict(canvas: Canvas) -> dict:
    return {
        "blocks": {
            key: [{"text": i.text, "evidence": i.evidence.value, "note": i.note} for i in canvas.items(key)]
            for key in BLOCK_KEYS
        },
        "value_propositions": [_proposition_to_dict(p) for p in canvas.value_propositions],
        "revenue_streams": [_stream_to_dict(s) for s in canvas.revenue_streams],
    }


def canvas_from_dict(data: object) -> Canvas:
    """Rebuild a canvas, so stored or imported data is never trusted: first its shape against the schema
    (business/canvas/schema.py: strict types, unknown fields refused, with the field's path), then
    through the same checks the forms use."""
    try:
        document = validate(CanvasDocument, data)
    except SchemaError as error:
        raise CanvasError(str(error)) from None
    canvas = Canvas()
    for key in BLOCK_KEYS:
        items = [_item(raw.model_dump(), f"blocks.{key}[{n}]") for n, raw in enumerate(getattr(document.blocks, key))]
        canvas = with_block(canvas, key, items)
    for n, raw in enumerate(document.value_propositions):
        proposition = _checked(make_value_proposition, canvas, raw.model_dump(), f"value_propositions[{n}]")
        canvas = replace(canvas, value_propositions=upsert_named(canvas.value_propositions, proposition))
    for n, raw in enumerate(document.revenue_streams):
        stream = _checked(make_revenue_stream, canvas, raw.model_dump(), f"revenue_streams[{n}]")
        canvas = replace(canvas, revenue_streams=upsert_named(canvas.revenue_streams, stream))
    return canvas


def _item(fields: dict, path: str):
    try:
        return make_item(**fields)
    except CanvasError as error:
        raise CanvasError(f"{path}: {error}") from None


def _checked(make, canvas: Canvas, fields: dict, path: str):
    # The schema admits only known fields, so none can collide with `canvas` (once a TypeError).
    try:
        return make(canvas, **fields)
    except CanvasError as error:
        raise CanvasError(f"{path}: {error}") from None


def _proposition_to_dict(p: ValueProposition) -> dict:
    return {
        "name": p.name, "segment": p.segment, "job_to_be_done": p.job_to_be_done, "problems": p.problems,
        "alternatives": p.alternatives, "benefits": p.benefits, "offer": p.offer,
        "differentiator": p.differentiator,
    }


def _stream_to_dict(s: RevenueStream) -> dict:
    return {
        "name": s.name, "segment": s.segment, "stream_type": s.stream_type.value,
        "price_usd": plain_amount(s.price_usd), "unit": s.unit, "billing_period": s.billing_period.value,
        "included_usage": _optional(plain_count, s.included_usage),
        "overage_price_usd": _optional(plain_amount, s.overage_price_usd),
        "note": s.note,
    }


def _optional(as_text, amount: Decimal | None) -> str | None:
    # Strings, not floats: JSON floats would lose cents. Plain digits, never "6E+4".
    return None if amount is None else as_text(amount)
