"""Untrusted JSON, case by case: every bad file or stored document gives one clear message and saves nothing.

Each case goes in through a real entry point: a project file through `import_project` (what the Import
button calls, followed by the save it would make), a stored document through `read_project` (what every
page and the JSON export read). The schemas are business/canvas/schema.py, business/financials/schema.py,
business/costs/price_schema.py and business.project_file.ProjectDocument; limits: business/untrusted_json.py.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date
from typing import Callable

import pytest

from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.costs.pricing import OVERRIDE_KIND
from business.example_project import EXAMPLE_CANVAS, example_assumptions
from business.financials.storage import KIND as FINANCIALS_KIND, assumptions_to_dict
from business.project_file import ProjectFile, export_project, import_project, read_project, save_as_new_project
from business.store import Store
from business.untrusted_json import MAX_DEPTH, nesting_depth

TODAY = date(2026, 11, 30)
EXAMPLE = canvas_from_dict(EXAMPLE_CANVAS)
PRICE_ROW = dict(provider="Acme Cloud", instance="8x H100", gpu="H100 SXM 80GB", gpus_per_instance=8,
                 usd_per_hour="16.00", date_seen="2026-11-20", source="user")


def exported() -> dict:
    """A whole, valid project file as a dict, to break one field at a time."""
    document = json.loads(export_project(ProjectFile("Acme", EXAMPLE, example_assumptions(EXAMPLE))))
    document["negotiated_prices"] = [dict(PRICE_ROW)]
    return document


def broken(change: Callable[[dict], object]) -> bytes:
    document = exported()
    change(document)
    return json.dumps(document).encode()


def nested(depth: int) -> bytes:
    return b'{"schema_version": 2, "project": "Deep", "canvas": ' + b"[" * depth + b"]" * depth + b"}"


@dataclass(frozen=True)
class Case:
    name: str
    says: str  # a part of the one message the user reads
    file: bytes | None = None  # a project file to import ...
    stored: tuple[str, Callable[[dict], object]] | None = None  # ... or (kind, how to break the stored payload)


CASES = [
    # Files: the Import button.
    Case("nested 50,000 deep", f"nests objects and lists 50,001 levels deep; the limit is {MAX_DEPTH}",
         file=nested(50_000)),
    Case("nested 50,000 deep inside a text field", "the limit is 20",
         file=b'{"schema_version": 2, "project": "x", "canvas": {"blocks": {"channels": [{"text": '
              + b'{"a": ' * 50_000 + b'1' + b'}' * 50_000 + b'}]}}}'),
    Case("a value proposition with a key named canvas",
         "canvas.value_propositions[0].canvas: is not a field of this format",
         file=broken(lambda d: d["canvas"]["value_propositions"][0].update(canvas="x"))),
    Case("a revenue stream with a key named canvas", "canvas.revenue_streams[1].canvas: is not a field",
         file=broken(lambda d: d["canvas"]["revenue_streams"][1].update(canvas={"blocks": {}}))),
    Case("an object in an item's text", "canvas.blocks.channels[0].text: must be a text, not an object",
         file=broken(lambda d: d["canvas"]["blocks"]["channels"][0].update(text={"evil": 1}))),
    Case("a list in an item's note", "canvas.blocks.key_partners[2].note: must be a text, not a list",
         file=broken(lambda d: d["canvas"]["blocks"]["key_partners"][2].update(note=["a", "b"]))),
    Case("a number in a proposition's name", "canvas.value_propositions[1].name: must be a text, not a number (42)",
         file=broken(lambda d: d["canvas"]["value_propositions"][1].update(name=42))),
    Case("true as a price",
         'canvas.revenue_streams[0].price_usd: must be an amount as text ("490.00") or a number, not true/false',
         file=broken(lambda d: d["canvas"]["revenue_streams"][0].update(price_usd=True))),
    Case("an unknown block", "canvas.blocks.mission: is not a field of this format (unknown fields are refused",
         file=broken(lambda d: d["canvas"]["blocks"].update(mission=[]))),
    Case("an unknown top-level field", "extra_data: is not a field of this format",
         file=broken(lambda d: d.update(extra_data=1))),
    Case("an unknown field in a price row", "negotiated_prices[0].discount: is not a field",
         file=broken(lambda d: d["negotiated_prices"][0].update(discount="10%"))),
    Case("an unknown cohort in a stream's usage", "financial_assumptions.streams[0].usage.heavy",
         file=broken(lambda d: d["financial_assumptions"]["streams"][0]["usage"].update(heavy=["0", "1"]))),
    Case("an object as churn", "financial_assumptions.segments[0].monthly_churn: must be an amount",
         file=broken(lambda d: d["financial_assumptions"]["segments"][0].update(monthly_churn={"x": 1}))),
    Case("a huge text", "canvas.blocks.channels[0].text: is 1,500,000 characters long; the limit is 2,000",
         file=broken(lambda d: d["canvas"]["blocks"]["channels"][0].update(text="x" * 1_500_000))),
    Case("too many items in a block", "canvas.blocks.channels: has 51 items; the limit is 50",
         file=broken(lambda d: d["canvas"]["blocks"].update(channels=[{"text": f"c{n}"} for n in range(51)]))),
    Case("too many price rows", "negotiated_prices: has 201 items; the limit is 200",
         file=broken(lambda d: d.update(negotiated_prices=[PRICE_ROW] * 201))),
    Case("an amount of 5,000 digits",
         "canvas.revenue_streams[0].price_usd: is 5,000 characters long; an amount has at most 40",
         file=broken(lambda d: d["canvas"]["revenue_streams"][0].update(price_usd="9" * 5000))),
    Case("a GPU count as text", "negotiated_prices[0].gpus_per_instance: must be a whole number, not a text ('8')",
         file=broken(lambda d: d["negotiated_prices"][0].update(gpus_per_instance="8"))),
    Case("a bigger file than the limit", "bytes; the limit is 2,000,000", file=b" " * 2_000_001),
    Case("NaN as a number", "NaN, which is not a number JSON allows",
         file=b'{"schema_version": 2, "project": "x", "canvas": {}, "negotiated_prices": [{"usd_per_hour": NaN}]}'),
    Case("a missing required field", "canvas.value_propositions[0].problems: is missing",
         file=broken(lambda d: d["canvas"]["value_propositions"][0].pop("problems"))),
    Case("an evidence level that does not exist", "canvas.blocks.channels[0].evidence: 'proven' is not allowed: "
                                                   "use 'hypothesis', 'partly validated' or 'validated'",
         file=broken(lambda d: d["canvas"]["blocks"]["channels"][0].update(evidence="proven"))),
    Case("a segment that is not on the canvas", "revenue_streams[0]: Customer segment 'Mars' is not on the canvas",
         file=broken(lambda d: d["canvas"]["revenue_streams"][0].update(segment="Mars"))),
    Case("many problems at once: the first three and a count", "(and 3 more problems)",
         file=broken(lambda d: [item.update(text=[]) for item in d["canvas"]["blocks"]["channels"]
                                + d["canvas"]["blocks"]["key_resources"]])),
    # Stored documents read back: every page and the JSON export.
    Case("a stored canvas with an object in a text", "blocks.channels[0].text: must be a text, not an object",
         stored=("canvas", lambda p: p["blocks"]["channels"][0].update(text={"a": 1}))),
    Case("a stored canvas proposition with a key named canvas", "value_propositions[0].canvas: is not a field",
         stored=("canvas", lambda p: p["value_propositions"][0].update(canvas=1))),
    Case("stored financials with a list as a name", "segments[0].segment: must be a text, not a list",
         stored=(FINANCIALS_KIND, lambda p: p["segments"][0].update(segment=["a"]))),
    Case("stored financials with an unknown field", "cost_per_request.provenance.trust_me: is not a field",
         stored=(FINANCIALS_KIND, lambda p: p["cost_per_request"]["provenance"].update(trust_me=True))),
    Case("stored prices with an object as the GPU", "rows[0].gpu: must be a text, not an object",
         stored=(OVERRIDE_KIND, lambda p: p["rows"][0].update(gpu={"name": "H100"}))),
]


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "data" / "founder.db")
    project = store.create_project("Acme")
    store.save(project.id, "canvas", canvas_to_dict(EXAMPLE), None)
    store.save(project.id, FINANCIALS_KIND, assumptions_to_dict(example_assumptions(EXAMPLE)), None)
    store.save(project.id, OVERRIDE_KIND, {"rows": [PRICE_ROW]}, None)
    return store


def saved(store: Store) -> list:
    """Every project and every version number of every part: what an import could have added."""
    return [(p.id, p.name, [getattr(store.load_latest(p.id, kind), "number", None)
                            for kind in ("canvas", FINANCIALS_KIND, OVERRIDE_KIND)])
            for p in store.list_projects(include_deleted=True)]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_document_gives_one_clear_message_with_the_field_path_and_saves_nothing(case, store, tmp_path):
    if case.stored:
        kind, breaking = case.stored
        payload = copy.deepcopy(store.load_latest(1, kind).payload)
        breaking(payload)
        store.save(1, kind, payload, store.load_latest(1, kind).number)
    before = saved(store)

    with pytest.raises(ValueError) as refused:  # every business error is one; a TypeError etc. fails here
        if case.file is not None:
            save_as_new_project(store, import_project(case.file, TODAY), "Imported")
        else:
            read_project(store, 1)

    message = str(refused.value)
    assert case.says in message
    assert "Traceback" not in message and "\n" not in message and len(message) < 700
    assert str(tmp_path) not in message and "founder.db" not in message  # never a server path
    assert saved(store) == before


def test_the_exported_example_passes_every_schema_and_reads_back_equal(store):
    project = import_project(json.dumps(exported()).encode(), TODAY)
    assert project.canvas == EXAMPLE and project.assumptions == example_assumptions(EXAMPLE)
    assert read_project(store, 1).price_rows == (PRICE_ROW,)


def test_nesting_depth_ignores_brackets_inside_strings_and_counts_without_recursion():
    assert nesting_depth('{"a": "[[[[{{{{", "b": ["\\"]]"]}') == 2
    assert nesting_depth("[" * 100_000 + "]" * 100_000) == 100_000


def test_a_pasted_run_card_nested_50000_deep_is_a_message_not_a_recursion_error():
    from business.costs.form import RUN_CARD, inputs_from_form
    from business.costs.run_cards import InvalidRunCard

    deep = "[" * 50_000 + "]" * 50_000
    with pytest.raises(InvalidRunCard, match="The pasted run card nests objects and lists 50,000 levels deep"):
        inputs_from_form({"model": RUN_CARD, "run_card_json": deep}, TODAY)
