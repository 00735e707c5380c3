"""The whole-project JSON file: export, import (schema 1 and 2), copies' names, saving into the store."""
import json
from datetime import date

import pytest

from business.canvas.diff import diff_canvases
from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.example_project import EXAMPLE_CANVAS, example_assumptions
from business.financials.storage import KIND as FINANCIALS_KIND, save_assumptions
from business.costs.pricing import OVERRIDE_KIND, price_overrides_payload
from business.project_file import (
    ProjectFile, ProjectFileError, copy_name, export_project, import_project, read_project, save_as_new_project,
    save_into,
)
from business.store import Store

TODAY = date(2026, 11, 30)
EXAMPLE = canvas_from_dict(EXAMPLE_CANVAS)
PRICE_ROW = dict(provider="Acme Cloud", instance="8x H100 negotiated", gpu="H100 SXM 80GB", gpus_per_instance=8,
                 usd_per_hour="16.00", date_seen="2026-11-20")


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "founder.db")


@pytest.fixture
def full_project(store):
    """A project with every part saved: canvas, financial assumptions, one negotiated price."""
    project = store.create_project("Acme AI")
    store.save(project.id, "canvas", canvas_to_dict(EXAMPLE), None)
    save_assumptions(store, project.id, example_assumptions(EXAMPLE), None)
    store.save(project.id, OVERRIDE_KIND, price_overrides_payload([PRICE_ROW], TODAY), None)
    return project


def exported(**changes) -> bytes:
    document = json.loads(export_project(ProjectFile("Acme", EXAMPLE)))
    document.update(changes)
    return json.dumps(document).encode()


def test_a_whole_project_exported_and_imported_as_a_new_project_holds_every_part(store, full_project):
    raw = export_project(read_project(store, full_project.id)).encode()

    copy = save_as_new_project(store, import_project(raw, TODAY), "Imported")

    assert copy.name == "Acme AI (2)"
    for kind in ("canvas", FINANCIALS_KIND, OVERRIDE_KIND):
        assert store.load_latest(copy.id, kind).payload == store.load_latest(full_project.id, kind).payload, kind
    assert diff_canvases(EXAMPLE, read_project(store, copy.id).canvas) == []


def test_money_in_the_file_is_plain_decimal_text_never_scientific_notation(store, full_project):
    text = export_project(read_project(store, full_project.id))
    streams = json.loads(text)["canvas"]["revenue_streams"]

    assert [s["price_usd"] for s in streams] == ["490.00", "30.00", "60000.00"]
    assert streams[0]["included_usage"] == "10000" and streams[0]["overage_price_usd"] == "0.02"
    assert "E+" not in text and "e+" not in text


def test_a_canvas_only_file_from_before_still_imports_and_leaves_the_other_parts_alone(store, full_project):
    old_file = {"schema_version": 1, "project": "Old Co", "canvas": canvas_to_dict(EXAMPLE)}
    project = import_project(json.dumps(old_file).encode(), TODAY)
    assert project.assumptions is None and project.price_rows is None

    done = save_into(store, full_project.id, project, {"canvas": 1, FINANCIALS_KIND: 1, OVERRIDE_KIND: 1}, "Import")

    assert done == ["canvas: unchanged"]
    assert store.load_latest(full_project.id, FINANCIALS_KIND).number == 1


def test_importing_into_a_project_saves_only_the_parts_that_changed(store, full_project):
    project = import_project(export_project(read_project(store, full_project.id)).encode(), TODAY)
    emptier = ProjectFile(project.name, EXAMPLE, project.assumptions, ())

    done = save_into(store, full_project.id, emptier, {"canvas": 1, FINANCIALS_KIND: 1, OVERRIDE_KIND: 1}, "Import")

    assert done == ["canvas: unchanged", "financial assumptions: unchanged", "negotiated prices: version 2"]


def test_a_part_changed_meanwhile_is_refused_and_kept_as_a_draft_while_the_others_save(store, full_project):
    project = ProjectFile("Acme", canvas_from_dict({**EXAMPLE_CANVAS, "value_propositions": []}), price_rows=())

    done = save_into(store, full_project.id, project, {"canvas": 1, OVERRIDE_KIND: None}, "Import")

    assert done[0] == "canvas: version 2"
    assert done[1].startswith("negotiated prices: not saved. This price_overrides changed since you opened it")
    assert len(store.drafts(full_project.id, OVERRIDE_KIND)) == 1


@pytest.mark.parametrize("name, taken, expected", [
    ("Acme", set(), "Acme"),
    ("Acme", {"acme"}, "Acme (2)"),
    ("Acme", {"Acme", "Acme (2)"}, "Acme (3)"),
    ("Acme (2)", {"Acme", "Acme (2)"}, "Acme (3)"),
    ("x" * 80, {"x" * 80}, "x" * 76 + " (2)"),
])
def test_copies_are_named_with_the_next_free_number(name, taken, expected):
    assert copy_name(name, taken) == expected


def test_a_copy_never_takes_the_name_of_a_deleted_project(store, full_project):
    store.create_project("Other")
    store.delete_project(full_project.id)
    copy = save_as_new_project(store, ProjectFile("Acme AI", EXAMPLE), "Imported")
    assert copy.name == "Acme AI (2)"


@pytest.mark.parametrize("raw, message", [
    (b"\xff\xfe\x00not utf8", "not UTF-8"),
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "no schema_version"),
    (b'{"project": "x"}', "no schema_version"),
    (b"x" * 2_000_001, "2,000,001 bytes; the limit is 2,000,000"),
])
def test_an_unreadable_import_file_is_refused_with_the_reason(raw, message):
    with pytest.raises(ProjectFileError, match=message):
        import_project(raw, TODAY)


def test_an_unknown_schema_version_is_refused():
    with pytest.raises(ProjectFileError, match="Schema version 99 is not supported"):
        import_project(exported(schema_version=99), TODAY)


def test_an_import_whose_stream_names_a_missing_segment_is_refused():
    document = json.loads(exported())
    document["canvas"]["revenue_streams"][0]["segment"] = "Martians"
    with pytest.raises(ProjectFileError, match="'Martians' is not on the canvas"):
        import_project(json.dumps(document).encode(), TODAY)


def test_an_import_with_an_unknown_block_is_refused():
    document = json.loads(exported())
    document["canvas"]["blocks"]["mission"] = []
    with pytest.raises(ProjectFileError, match=r"canvas\.blocks\.mission: is not a field of this format"):
        import_project(json.dumps(document).encode(), TODAY)


def test_an_import_with_broken_financial_assumptions_is_refused_naming_the_missing_fields():
    with pytest.raises(ProjectFileError, match=r"financial_assumptions\.cost_per_request: is missing"):
        import_project(exported(financial_assumptions={"schema_version": 1, "horizon_months": "soon"}), TODAY)


def test_an_import_whose_financial_values_are_wrong_says_which_value():
    document = json.loads(export_project(ProjectFile("Acme", EXAMPLE, example_assumptions(EXAMPLE))))
    document["financial_assumptions"]["horizon_months"] = "soon"
    with pytest.raises(ProjectFileError, match="financial assumptions in the file are invalid.*soon"):
        import_project(json.dumps(document).encode(), TODAY)


def test_an_import_with_a_price_for_an_unknown_gpu_is_refused():
    with pytest.raises(ProjectFileError, match="negotiated prices in the file are invalid.*Quantum 9000"):
        import_project(exported(negotiated_prices=[{**PRICE_ROW, "gpu": "Quantum 9000"}]), TODAY)


def test_an_import_with_a_utf8_bom_and_accents_reads():
    raw = b"\xef\xbb\xbf" + export_project(ProjectFile("Café IA", EXAMPLE)).encode("utf-8")
    assert import_project(raw, TODAY).name == "Café IA"
