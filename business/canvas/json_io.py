"""Canvas <-> plain dicts and JSON files (schema-versioned), validated on the way in.

The store keeps canvases as these dicts; import/export writes them with a schema version so a file
from a newer app is refused with a message instead of being half-read.
"""
from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from business.canvas.billing import check_billing_terms
from business.canvas.model import (
    BLOCK_KEYS,
    BLOCK_TITLES,
    Canvas,
    CanvasError,
    RevenueStream,
    ValueProposition,
    clean_text,
    make_item,
    make_revenue_stream,
    make_value_proposition,
    upsert_named,
    with_block,
)

SCHEMA_VERSION = 1
MAX_IMPORT_BYTES = 2_000_000


class CanvasImportError(CanvasError):
    """An import file that cannot be read as a canvas; nothing was changed."""


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


def export_json(project_name: str, canvas: Canvas) -> str:
    document = {"schema_version": SCHEMA_VERSION, "project": project_name, "canvas": canvas_to_dict(canvas)}
    return json.dumps(document, indent=2, ensure_ascii=False)


def import_json(raw: bytes) -> tuple[str, Canvas]:
    """Read an exported file: (project name, canvas). Raises CanvasImportError with the reason."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise CanvasImportError(f"The file is {len(raw):,} bytes; a canvas export is at most {MAX_IMPORT_BYTES:,}.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CanvasImportError(f"The file is not UTF-8 text (bad byte at position {error.start}).") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CanvasImportError(f"The file is not valid JSON: {error.msg} at line {error.lineno}.") from None
    if not isinstance(document, dict) or "schema_version" not in document:
        raise CanvasImportError("The file has no schema_version: it is not a canvas export of this app.")
    version = document["schema_version"]
    if version != SCHEMA_VERSION:
        raise CanvasImportError(f"Schema version {version!r} is not supported; this app reads version {SCHEMA_VERSION}.")
    name = clean_text(document.get("project"), "Project name", max_chars=120)
    try:
        canvas = canvas_from_dict(document.get("canvas"))
        # Stored canvases load without this check (an older one must still open); a new file must bill as it reads.
        for stream in canvas.revenue_streams:
            check_billing_terms(stream)
        return name, canvas
    except CanvasError as error:
        raise CanvasImportError(f"The canvas in the file is invalid: {error}") from None


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
        "price_usd": _money(s.price_usd), "unit": s.unit, "billing_period": s.billing_period.value,
        "included_usage": _money(s.included_usage), "overage_price_usd": _money(s.overage_price_usd),
        "note": s.note,
    }


def _money(amount: Decimal | None) -> str | None:
    # Strings, not floats: JSON floats would lose cents.
    return None if amount is None else str(amount)
