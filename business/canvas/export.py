"""Canvas exports people read: Markdown and a one-page PDF in the usual canvas arrangement."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from fpdf import FPDF

from business.canvas.blocks import block_entries, block_lines
from business.canvas.model import BLOCK_TITLES, Canvas

# The classic arrangement: (block, column, row, column span, row span) on a 10 x 3 grid:
# five tall columns over two rows, then costs and revenues side by side in the bottom row.
CANVAS_GRID = (
    ("key_partners", 0, 0, 2, 2),
    ("key_activities", 2, 0, 2, 1),
    ("key_resources", 2, 1, 2, 1),
    ("value_propositions", 4, 0, 2, 2),
    ("customer_relationships", 6, 0, 2, 1),
    ("channels", 6, 1, 2, 1),
    ("customer_segments", 8, 0, 2, 2),
    ("cost_structure", 0, 2, 5, 1),
    ("revenue_streams", 5, 2, 5, 1),
)
_LIST_MARKER = re.compile(r"^(\d*)([-+.)=])")
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)


def to_markdown(project_name: str, canvas: Canvas, version: int | None) -> str:
    """The canvas as Markdown: a heading per block, one list item per entry. User text can add no structure:
    each entry stays one list item on one line (its own line breaks become `<br>`), markup is escaped."""
    title = " ".join(_escape_md(line.strip()) for line in project_name.splitlines())
    lines = [f"# {title}: business model canvas", "",
             f"Version {version if version is not None else 'unsaved'}, exported {date.today().isoformat()}.", ""]
    for section, entries in block_lines(canvas).items():
        lines += [f"## {section}", ""]
        lines += [f"- {markdown_entry(e)}" for e in entries] or ["_(empty)_"]
        lines.append("")
    return "\n".join(lines)


def to_pdf(project_name: str, canvas: Canvas, version: int | None) -> bytes:
    """A landscape A4 page: the nine blocks in their usual places, items as bullet lines."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    unicode_font = _register_font(pdf)
    clean = (lambda s: s) if unicode_font else _latin1
    pdf.add_page()
    pdf.set_font(unicode_font or "Helvetica", size=14)
    title = f"{project_name}: business model canvas (version {version or 'unsaved'}, {date.today().isoformat()})"
    pdf.cell(0, 8, clean(title))
    draw_canvas_grid(pdf, canvas, unicode_font, clean)
    return bytes(pdf.output())


def draw_canvas_grid(pdf: FPDF, canvas: Canvas, unicode_font: str | None, clean, top: float = 18.0) -> None:
    """The nine blocks on the current landscape A4 page, below `top` (also used by the investor report)."""
    left, width, height = 8.0, 281.0, 202.0 - top
    unit_w, unit_h = width / 10, height / 3
    for key, col, row, col_span, row_span in CANVAS_GRID:
        x, y = left + col * unit_w, top + row * unit_h
        w, h = col_span * unit_w, row_span * unit_h
        pdf.rect(x, y, w, h)
        pdf.set_xy(x + 1.5, y + 1.5)
        pdf.set_font(unicode_font or "Helvetica", size=9)
        pdf.cell(w - 3, 5, clean(BLOCK_TITLES[key]))
        # An entry's own line breaks are indented under its bullet, so a line of it never reads as a new entry.
        body = "\n".join(f"- {_indented(entry.label())}" for entry in block_entries(canvas, key)) or "(empty)"
        pdf.set_xy(x + 1.5, y + 7)
        _fit_text(pdf, clean(body), w - 3, h - 8.5, unicode_font or "Helvetica")


# Font sizes (pt) tried in turn: a full block is set smaller before anything is cut.
_BODY_SIZES = (7.0, 6.5, 6.0, 5.5, 5.0)


def _fit_text(pdf: FPDF, text: str, width: float, height: float, family: str | None = None) -> None:
    """Write wrapped text into a box. Given a font family, in the largest of _BODY_SIZES that holds it
    all; without one, in the current font. Only what still cannot fit is cut, with a count of the lines
    left out, rather than spill over the next block."""
    for size in _BODY_SIZES if family else (None,):
        if size:
            pdf.set_font(family, size=size)
        line_h = size * 0.46 if size else 3.2  # about 1.3 x the font size, in mm
        lines = pdf.multi_cell(width, line_h, text, dry_run=True, output="LINES")
        max_lines = max(1, int(height // line_h))
        if len(lines) <= max_lines:
            break
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [f"... ({len(lines) - max_lines + 1} more lines)"]
    pdf.multi_cell(width, line_h, "\n".join(lines))


def _register_font(pdf: FPDF) -> str | None:
    # A Unicode TrueType font keeps accents, CJK-free scripts and symbols; without one, fall back to
    # the PDF core font and replace what Latin-1 cannot show.
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            pdf.add_font("CanvasSans", fname=candidate)
            return "CanvasSans"
    return None


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def markdown_entry(text: str) -> str:
    """One line of Markdown holding `text` as typed: each of its lines escaped, joined by `<br>`.

    On one line, a "# heading", "- item", "|table|" or "```" in the text can start no block; the
    escapes keep inline markup (emphasis, links, HTML, code) as text too."""
    return "<br>".join(_escape_md(line.strip()) for line in text.splitlines())


def _escape_md(text: str) -> str:
    # Exported Markdown is read and rendered by other tools: user text must stay text.
    for char in "\\`*_{}[]<>#|$&~":
        text = text.replace(char, "\\" + char)
    # A leading "-", "+" or "1." would open a list nested in the entry's own list item.
    return _LIST_MARKER.sub(r"\1\\\2", text)


def _indented(text: str) -> str:
    return "\n   ".join(line.strip() for line in text.splitlines())
