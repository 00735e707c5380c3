"""Canvas <-> plain dicts, validated on the way in.

The store keeps canvases as these dicts, and the project file (business/project_file.py) carries one;
money is written as plain decimal strings ("490.00"), never floats or "4.9E+2".
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from business.canvas.amounts import plain_amount, plain_count
from business.canvas.model import (
    BLOCK_KEYS,
    BLOCK_TITLES,
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
    """Rebuild a canvas through the same checks the forms use, so stored or imported data is never trusted."""
    if not isinstance(data, dict):
        raise CanvasError("The canvas must be a JSON object.")
    blocks = data.get("blocks", {})
    if not isinstance(blocks, dict):
        raise CanvasError("'blocks' must be an object of block name -> list of items.")
    unknown = sorted(set(blocks) - set(BLOCK_KEYS))
    if unknown:
        raise CanvasError(f"Unknown canvas blocks: {', '.join(map(repr, unknown))}.")
    canvas = Canvas()
    for key in BLOCK_KEYS:
        raw_items = _list_of_objects(blocks.get(key, []), BLOCK_TITLES[key])
        items = [_item_from_dict(raw, BLOCK_TITLES[key]) for raw in raw_items]
        canvas = with_block(canvas, key, items)
    for raw in _list_of_objects(data.get("value_propositions", []), "value_propositions"):
        proposition = make_value_proposition(canvas, **raw)
        canvas = replace(canvas, value_propositions=upsert_named(canvas.value_propositions, proposition))
    for raw in _list_of_objects(data.get("revenue_streams", []), "revenue_streams"):
        stream = make_revenue_stream(canvas, **raw)
        canvas = replace(canvas, revenue_streams=upsert_named(canvas.revenue_streams, stream))
    return canvas


def _item_from_dict(raw: dict, block_title: str):
    try:
        return make_item(raw.get("text"), raw.get("evidence", "hypothesis"), raw.get("note", ""))
    except CanvasError as error:
        raise CanvasError(f"{block_title}: {error}") from None


def _list_of_objects(value: object, label: str) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CanvasError(f"{label} must be a list of objects.")
    return value


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
