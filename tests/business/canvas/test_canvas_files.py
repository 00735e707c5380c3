from io import BytesIO

from hypothesis import given, settings, strategies as st
from pypdf import PdfReader

from business.canvas.model import make_item, with_block
from business.canvas.export import markdown_entry, to_markdown, to_pdf
from business.canvas.json_io import canvas_from_dict
from business.example_project import EXAMPLE_CANVAS

EXAMPLE = canvas_from_dict(EXAMPLE_CANVAS)


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


def test_the_pdf_shows_the_value_propositions_and_revenue_streams_saved_on_their_forms(tmp_path):
    text = pdf_text(to_pdf("Acme", EXAMPLE, 2))
    for name in ("Instant ticket routing", "Private routing model", "Team plan", "Enterprise licence"):
        assert name in text
    assert "$60,000.00 per deployment a year" in text
    assert "more lines" not in text  # every block holds all its entries


def test_a_crowded_block_is_set_smaller_in_the_pdf_before_anything_is_cut():
    items = [make_item(f"Channel number {n}  via partners") for n in range(20)]
    text = pdf_text(to_pdf("Acme", with_block(EXAMPLE, "channels", items), 2))
    assert "Channel number 19" in text and "more lines" not in text


def test_markdown_lists_form_entries_under_their_block_with_plain_money():
    markdown = to_markdown("Acme", EXAMPLE, 1)
    streams = markdown[markdown.index("## Revenue Streams"):]
    assert "Revenue stream 'Enterprise licence' (licence) paid by Enterprise support organisations: " \
           "\\$60,000.00 per deployment a year" in streams
    assert "Value proposition 'Instant ticket routing'" in markdown[markdown.index("## Value Propositions"):]


def pdf_text(raw: bytes) -> str:
    return PdfReader(BytesIO(raw)).pages[0].extract_text()


INJECTIONS = ["first line\n# heading", "intro\n- item", "a row\n|table|\n|---|", "code\n```\nprint(1)\n```",
              "- starts like a list", "1. numbered", "title\n===", "quote\n> said", "~~~\nfence"]


def test_line_breaks_and_markup_in_canvas_texts_add_no_structure_to_the_markdown_export():
    from markdown_it import MarkdownIt

    canvas = with_block(EXAMPLE, "channels", [make_item(text, note="") for text in INJECTIONS])
    html = MarkdownIt("commonmark").enable("table").render(to_markdown("Acme\n# Evil", canvas, 1))

    channels = html[html.index("<h2>Channels</h2>"):html.index("<h2>Customer Segments</h2>")]
    assert channels.count("<li>") == len(INJECTIONS)
    assert "<ul>" in channels and channels.count("<ul>") == 1  # no list nested in an item
    for tag in ("<h1>", "<h3>", "<table>", "<pre>", "<code>", "<blockquote>", "<ol>", "<hr"):
        assert tag not in channels, tag
    assert html.count("<h1>") == 1  # the project name's line break starts no heading either
    assert "first line<br>" in channels and "# heading" in channels and "|table|" in channels


def test_an_entry_with_line_breaks_stays_one_markdown_list_item_on_one_line():
    canvas = with_block(EXAMPLE, "channels", [make_item("one\ntwo\r\nthree")])
    markdown = to_markdown("Acme", canvas, 1)
    assert "- one<br>two<br>three \\[hypothesis\\]\n" in markdown


def test_a_line_break_in_a_pdf_entry_is_indented_under_its_bullet():
    canvas = with_block(EXAMPLE, "channels", [make_item("first\n- not a new entry")])
    text = pdf_text(to_pdf("Acme", canvas, 1))
    assert "- first\n   - not a new entry" in text  # indented: the second line is not a second bullet


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="#-+*=>|`~_[]()<>!&\\1. \t\n\rabc", max_size=40))
def test_any_text_renders_as_exactly_one_markdown_list_item_holding_no_block(text):
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(f"- {markdown_entry(text)}\n- next\n")

    assert html.count("<li>") == 2 and html.count("<ul>") == 1
    for tag in ("<h", "<table", "<pre", "<blockquote", "<ol", "<hr", "<p>", "<code", "<em", "<strong", "<a "):
        assert tag not in html, (text, html)
