"""A whole project as one JSON file, and back: the canvas (with its value propositions and revenue
streams), the financial assumptions, the negotiated GPU prices and the founder's API prices.

`read_project` gathers the latest saved versions; `export_project` writes them (schema version 2);
`import_project` reads a file through the same checks the forms use (version 1 files, which hold a
canvas only, still import); `save_into` and `save_as_new_project` put it in the store as new versions.
Nothing here trusts the file: every part is rebuilt by its own module's `*_from_dict` before it is kept.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal, Optional

from pydantic import StringConstraints

from business.canvas.billing import check_billing_terms
from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.canvas.model import Canvas, CanvasError, clean_text
from business.canvas.schema import CanvasDocument
from business.costs.compute import EstimateError
from business.costs.api_catalog import API_OVERRIDE_KIND, api_overrides_from_payload, api_overrides_payload
from business.costs.api_price_schema import ApiPriceRows
from business.costs.price_schema import PriceRows
from business.costs.pricing import OVERRIDE_KIND, price_overrides_from_payload, price_overrides_payload
from business.financials.assumptions import FinancialAssumptions, FinancialsError
from business.financials.schema import FinancialsDocument
from business.financials.storage import KIND as FINANCIALS_KIND, assumptions_from_dict, assumptions_to_dict
from business.store import MAX_PROJECT_NAME_CHARS, Project, StaleSaveError, Store, UnchangedSaveError
from business.untrusted_json import Document, SchemaError, parse_json, validate

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: canvas only (files exported before the whole project was)
MAX_IMPORT_BYTES = 2_000_000
CANVAS_KIND = "canvas"
_COPY_SUFFIX = re.compile(r"^(.*\S) \((\d+)\)$")


class ProjectFileError(ValueError):
    """A file that cannot be read as a project export; nothing was changed. The message says why."""


class ProjectDocument(Document):
    """The file's format: one JSON object, at most MAX_IMPORT_BYTES, nested at most MAX_DEPTH levels.

    Each part's own schema documents it: business/canvas/schema.py, business/financials/schema.py,
    business/costs/price_schema.py, business/costs/api_price_schema.py. Unknown fields are refused everywhere,
    with their path."""
    schema_version: Literal[READABLE_VERSIONS]
    project: Annotated[str, StringConstraints(max_length=MAX_PROJECT_NAME_CHARS)]
    canvas: CanvasDocument
    financial_assumptions: Optional[FinancialsDocument] = None  # schema 2; null: never saved
    negotiated_prices: PriceRows = []  # schema 2
    api_prices: ApiPriceRows = []  # schema 2; files from before it have none


@dataclass(frozen=True)
class ProjectFile:
    name: str
    canvas: Canvas
    assumptions: FinancialAssumptions | None = None  # None: never saved, or a canvas-only file
    price_rows: tuple[dict, ...] | None = None  # None: a canvas-only file says nothing about prices
    api_price_rows: tuple[dict, ...] | None = None  # the founder's hosted-LLM API prices, same rule


def read_project(store: Store, project_id: int) -> ProjectFile:
    """The latest saved version of every part of a project."""
    canvas = store.load_latest(project_id, CANVAS_KIND)
    financials = store.load_latest(project_id, FINANCIALS_KIND)
    prices = store.load_latest(project_id, OVERRIDE_KIND)
    api_prices = store.load_latest(project_id, API_OVERRIDE_KIND)
    return ProjectFile(
        name=store.get_project(project_id).name,
        canvas=canvas_from_dict(canvas.payload) if canvas else Canvas(),
        assumptions=assumptions_from_dict(financials.payload) if financials else None,
        price_rows=tuple(price_overrides_from_payload(prices.payload if prices else None)),
        api_price_rows=tuple(api_overrides_from_payload(api_prices.payload if api_prices else None)))


def export_project(project: ProjectFile) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "project": project.name,
        "canvas": canvas_to_dict(project.canvas),
        "financial_assumptions": assumptions_to_dict(project.assumptions) if project.assumptions else None,
        "negotiated_prices": list(project.price_rows or ()),
        "api_prices": list(project.api_price_rows or ()),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def import_project(raw: bytes, today: date) -> ProjectFile:
    """Read an exported file (schema 1 or 2); ProjectFileError says what is wrong with it, and where."""
    document = _read_document(raw)
    try:
        validate(ProjectDocument, document)  # the shape; each part's values are checked below
    except SchemaError as error:
        raise ProjectFileError(f"The file is not a valid project export: {error}") from None
    try:
        name = clean_text(document.get("project"), "Project name", max_chars=MAX_PROJECT_NAME_CHARS)
        canvas = canvas_from_dict(document.get("canvas"))
        # Stored canvases load without this check (an older one must still open); a new file must bill as it reads.
        for stream in canvas.revenue_streams:
            check_billing_terms(stream)
    except CanvasError as error:
        raise ProjectFileError(f"The canvas in the file is invalid: {error}") from None
    if document["schema_version"] == 1:
        return ProjectFile(name, canvas)
    financials = document.get("financial_assumptions")
    try:
        assumptions = None if financials is None else assumptions_from_dict(
            financials, label="The financial assumptions in the file")
    except FinancialsError as error:
        raise ProjectFileError(str(error)) from None
    try:
        # Validated (a bad GPU name or price is refused) and kept as the store keeps them.
        checked = price_overrides_payload(document.get("negotiated_prices", []), today)["rows"]
    except EstimateError as error:
        raise ProjectFileError(f"The negotiated prices in the file are invalid: {error}") from None
    try:
        api_rows = api_overrides_payload(document.get("api_prices", []), today)["rows"]
    except EstimateError as error:
        raise ProjectFileError(f"The API prices in the file are invalid: {error}") from None
    return ProjectFile(name, canvas, assumptions, tuple(checked), tuple(api_rows))


def copy_name(name: str, taken: set[str]) -> str:
    """`name` when free, else "Name (2)", "Name (3)", ... (an imported "Name (2)" counts on from "Name")."""
    folded = {t.casefold() for t in taken}
    if name.casefold() not in folded:
        return name
    match = _COPY_SUFFIX.match(name)
    base = match.group(1) if match else name
    n = 2
    while True:
        suffix = f" ({n})"
        candidate = base[: MAX_PROJECT_NAME_CHARS - len(suffix)].rstrip() + suffix
        if candidate.casefold() not in folded:
            return candidate
        n += 1


def save_as_new_project(store: Store, project: ProjectFile, message: str) -> Project:
    """A new project under a free name (deleted projects keep theirs), holding every part of the file.

    One transaction: a full disk halfway leaves no empty project behind."""
    with store.transaction():
        taken = {p.name for p in store.list_projects(include_deleted=True)}
        created = store.create_project(copy_name(project.name, taken))
        save_into(store, created.id, project, {}, message)
    return created


def save_into(store: Store, project_id: int, project: ProjectFile, bases: dict[str, int | None],
              message: str) -> list[str]:
    """Save each part the file holds as a new version on top of `bases` (kind -> the version the user saw).

    Returns one line per part: saved, unchanged, or refused because it changed meanwhile (then the
    refused part is kept as a draft by the store, and the other parts are still saved). One transaction:
    a data folder that refuses a write (full, read-only) leaves every part as it was.
    """
    parts = [(CANVAS_KIND, "canvas", canvas_to_dict(project.canvas))]
    if project.assumptions is not None:
        parts.append((FINANCIALS_KIND, "financial assumptions", assumptions_to_dict(project.assumptions)))
    if project.price_rows or (project.price_rows is not None and store.load_latest(project_id, OVERRIDE_KIND)):
        parts.append((OVERRIDE_KIND, "negotiated prices", {"rows": list(project.price_rows)}))
    if project.api_price_rows or (project.api_price_rows is not None
                                  and store.load_latest(project_id, API_OVERRIDE_KIND)):
        parts.append((API_OVERRIDE_KIND, "API prices", {"rows": list(project.api_price_rows)}))
    done = []
    with store.transaction():
        for kind, label, payload in parts:
            try:
                number = store.save(project_id, kind, payload, bases.get(kind), message, refuse_unchanged=True)
                done.append(f"{label}: version {number}")
            except UnchangedSaveError:
                done.append(f"{label}: unchanged")
            except StaleSaveError as error:
                done.append(f"{label}: not saved. {error}")
    return done


def _read_document(raw: bytes) -> dict:
    try:
        document = parse_json(raw, max_bytes=MAX_IMPORT_BYTES)
    except SchemaError as error:
        raise ProjectFileError(str(error)) from None
    if not isinstance(document, dict) or "schema_version" not in document:
        raise ProjectFileError("The file has no schema_version: it is not a project export of this app.")
    if document["schema_version"] not in READABLE_VERSIONS or isinstance(document["schema_version"], bool):
        raise ProjectFileError(f"Schema version {document['schema_version']!r:.40} is not supported; this app "
                               f"reads versions {', '.join(map(str, READABLE_VERSIONS))}.")
    return document
