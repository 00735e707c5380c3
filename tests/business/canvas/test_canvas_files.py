import json

import pytest
from pypdf import PdfReader

from business.canvas.model import make_item, with_block
from business.canvas.export import to_markdown, to_pdf
from business.canvas.json_io import CanvasImportError, canvas_from_dict, export_json, import_json
from business.example_project import EXAMPLE_CANVAS

EXAMPLE = canvas_from_dict(EXAMPLE_CANVAS)


def exported(**changes) -> bytes:
    document = json.loads(export_json("Acme", EXAMPLE))
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize("raw, message", [
    (b"\xff\xfe\x00not utf8", "not UTF-8"),
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "no schema_version"),
    (b'{"project": "x"}', "no schema_version"),
    (b"x" * 2_000_001, "at most 2,000,000"),
])
def test_an_unreadable_import_file_is_refused_with_the_reason(raw, message):
    with pytest.raises(CanvasImportError, match=message):
        import_json(raw)


def test_an_unknown_schema_version_is_refused():
    with pytest.raises(CanvasImportError, match="Schema version 99 is not supported"):
        import_json(exported(schema_version=99))


def test_an_import_whose_stream_names_a_missing_segment_is_refused():
    document = json.loads(exported())
    document["canvas"]["revenue_streams"][0]["segment"] = "Martians"
    with pytest.raises(CanvasImportError, match="'Martians' is not on the canvas"):
        import_json(json.dumps(document).encode())


def test_an_import_with_an_unknown_block_is_refused():
    document = json.loads(exported())
    document["canvas"]["blocks"]["mission"] = []
    with pytest.raises(CanvasImportError, match="Unknown canvas blocks: 'mission'"):
        import_json(json.dumps(document).encode())


def test_an_import_with_a_utf8_bom_and_accents_reads():
    canvas = with_block(EXAMPLE, "channels", [make_item("Salons professionnels à Zürich")])
    name, imported = import_json(b"\xef\xbb\xbf" + export_json("Café IA", canvas).encode("utf-8"))
    assert name == "Café IA"
    assert imported.items("channels")[0].text == "Salons professionnels à Zürich"


def test_markdown_export_lists_every_block_and_escapes_markup():
    canvas = with_block(EXAMPLE, "channels", [make_item("<b>bold</b> *stars*")])
    markdown = to_markdown("Acme", canvas, 3)
    assert "## Key Partners" in markdown and "## Revenue Streams" in markdown
    assert "\\<b\\>bold\\</b\\> \\*stars\\*" in markdown
    assert "Version 3" in markdown


def test_pdf_export_is_one_page_holding_every_block_title_and_items(tmp_path):
    path = tmp_path / "canvas.pdf"
    path.write_bytes(to_pdf("Acme", EXAMPLE, 2))
    reader = PdfReader(path)
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    for title in ("Key Partners", "Value Propositions", "Customer Segments", "Cost Structure", "Revenue Streams"):
        assert title in text
    assert "Growing SaaS support teams" in text


def test_pdf_export_keeps_going_with_text_latin1_cannot_hold():
    canvas = with_block(EXAMPLE, "channels", [make_item("Zürich — “quoted” ✓ 数据")])
    assert to_pdf("Acme", canvas, 1).startswith(b"%PDF")
