"""Investor report files: a self-contained HTML page and a PDF (the slide deck is in slides.py).

Each file states the date and the saved versions it came from (`InvestorSummary.stamp()`). The HTML
embeds plotly.js once, inline, so it opens offline with no external script; every piece of user text
is HTML-escaped. HTML charts are plotly figures the caller builds (ui/costs/financials_charts.py draws
them); the PDF draws the same charts from the projection with fpdf2 (business/reports/drawing.py), so
this module needs neither streamlit nor a browser nor an image renderer.
"""
from __future__ import annotations

import html
from typing import Sequence

from fpdf import FPDF

from business.canvas.blocks import block_entries
from business.canvas.model import BLOCK_TITLES
from business.canvas.export import _fit_text, _latin1, _register_font, draw_canvas_grid
from business.reports.charts import investor_charts
from business.reports.drawing import draw_chart_page
from business.reports.summary import TASK_TITLES, InvestorSummary, RunHighlight

EXPORT_TEMPLATE = "plotly_white"
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { border: 1px solid #ccc; padding: .4rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.value { font-size: 1.3rem; font-weight: 600; white-space: nowrap; }
.source, .stamp { color: #666; font-size: .85rem; }
.grid { display: grid; grid-template-columns: repeat(5, 1fr); gap: .4rem; }
.block { border: 1px solid #ccc; padding: .4rem; font-size: .85rem; }
"""


def run_lines(summary: InvestorSummary) -> list[tuple[str, str]]:
    """(title, one line) per task: the best run with its metrics, or that there is none yet."""
    return [(TASK_TITLES[task], _run_line(task, run)) for task, run in summary.best_runs.items()]


def _run_line(task: str, run: RunHighlight | None) -> str:
    if run is None:
        return f"no {task} run yet"
    return f"run {run.run_id}, {run.model}: {run.metrics_line()}"


# -- HTML ----------------------------------------------------------------------------------------
def to_html(summary: InvestorSummary, charts: Sequence = ()) -> str:
    """One HTML file, charts included, that opens offline in any browser."""
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{e(summary.project_name)}: investor summary</title><style>{_STYLE}</style></head><body>",
             f"<h1>{e(summary.project_name)}: investor summary</h1>",
             f"<p class='stamp'>Generated {e(summary.generated_text())} from {e(summary.data_version())}."
             f" Every number says how it was computed.</p>",
             "<h2>Headline numbers</h2><table><tr><th>Figure</th><th>Value</th><th>Where it comes from</th></tr>"]
    parts += [f"<tr><td>{e(h.label)}</td><td class='value'>{e(h.value)}</td><td class='source'>{e(h.source)}</td></tr>"
              for h in summary.headlines]
    parts.append("</table>")
    parts += _html_canvas(summary)
    parts += _html_value_propositions(summary)
    parts.append("<h2>Models</h2><ul>")
    parts += [f"<li><b>{e(title)}</b>: {e(line)}</li>" for title, line in run_lines(summary)]
    parts.append("</ul>")
    if summary.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in summary.notes) + "</ul>")
    if charts:
        parts.append("<h2>Charts</h2>")
        # plotly.js goes in once, inline: the file must open with no network.
        parts += [_standalone(figure).to_html(full_html=False, include_plotlyjs=(index == 0), include_mathjax=False)
                  for index, figure in enumerate(charts)]
    parts.append("</body></html>")
    return "\n".join(parts)


def _standalone(figure):
    """A copy of a plotly figure on plotly's own template, which carries real colours.

    A figure built while Streamlit is imported carries Streamlit's template, whose colour cycle is
    placeholders (#000001, ...) that only Streamlit's front end replaces: in a file, near-black.
    """
    return type(figure)(figure).update_layout(template=EXPORT_TEMPLATE)


def _html_canvas(summary: InvestorSummary) -> list[str]:
    e = html.escape
    parts = ["<h2>Business model canvas</h2><div class='grid'>"]
    for key, title in BLOCK_TITLES.items():
        entries = block_entries(summary.canvas, key)  # a form's propositions and streams are part of their block
        body = "".join(f"<li>{_lines(entry.text)} <span class='source'>{e(_entry_aside(entry))}</span></li>"
                       for entry in entries)
        parts.append(f"<div class='block'><b>{e(title)}</b><ul>{body or '<li>(empty)</li>'}</ul></div>")
    parts.append("</div>")
    return parts


def _lines(text: str) -> str:
    """Escaped text whose own line breaks stay line breaks inside the one list item (HTML folds them)."""
    return "<br>".join(html.escape(line) for line in text.splitlines())


def _entry_aside(entry) -> str:
    return entry.detail if entry.evidence is None else f"[{entry.evidence.value}]"


def _html_value_propositions(summary: InvestorSummary) -> list[str]:
    e = html.escape
    parts = ["<h2>Value propositions</h2>"]
    if not summary.value_propositions:
        return parts + ["<p>No value proposition written yet.</p>"]
    for p in summary.value_propositions:
        rows = [(label, text) for label, text in _proposition_fields(p) if text]
        parts.append(f"<h3>{e(p.name)} <span class='source'>for {e(p.segment)}</span></h3><table>")
        parts += [f"<tr><th>{e(label)}</th><td>{e(text)}</td></tr>" for label, text in rows]
        parts.append("</table>")
    return parts


def _proposition_fields(p) -> list[tuple[str, str]]:
    return [("Job to be done", p.job_to_be_done), ("Problems", p.problems), ("Alternatives", p.alternatives),
            ("Benefits", p.benefits), ("Offer", p.offer), ("Different because", p.differentiator)]


# -- PDF -----------------------------------------------------------------------------------------
def to_pdf(summary: InvestorSummary) -> bytes:
    """Landscape A4: headline numbers and models, the charts, the canvas, then the value propositions."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=10)
    font = _register_font(pdf)
    clean = (lambda s: s) if font else _latin1
    family = font or "Helvetica"
    pdf.add_page()
    _pdf_heading(pdf, family, clean, f"{summary.project_name}: investor summary", summary.stamp())
    pdf.set_font(family, size=11)
    pdf.cell(0, 7, "Headline numbers", new_x="LMARGIN", new_y="NEXT")
    for h in summary.headlines:
        pdf.set_font(family, size=10)
        pdf.multi_cell(0, 5, clean(f"{h.label}: {h.value}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=7)
        pdf.multi_cell(0, 3.5, clean(f"    {h.source}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(family, size=11)
    pdf.cell(0, 7, "Models", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    for title, line in run_lines(summary):
        pdf.multi_cell(0, 4.5, clean(f"{title}: {line}"), new_x="LMARGIN", new_y="NEXT")
    for note in summary.notes:
        pdf.multi_cell(0, 4.5, clean(f"Note: {note}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_auto_page_break(False)  # the chart and canvas pages fit their text into each box themselves
    if summary.model is not None:
        pdf.add_page()
        _pdf_heading(pdf, family, clean, "Charts", summary.stamp())
        draw_chart_page(pdf, investor_charts(summary.model), pdf.get_y(), family, clean)
    pdf.add_page()
    _pdf_heading(pdf, family, clean, "Business model canvas", summary.stamp())
    draw_canvas_grid(pdf, summary.canvas, font, clean, top=24.0)
    pdf.set_auto_page_break(True, margin=10)
    pdf.add_page()
    _pdf_heading(pdf, family, clean, "Value propositions", summary.stamp())
    if not summary.value_propositions:
        pdf.multi_cell(0, 5, "No value proposition written yet.")
    for p in summary.value_propositions:
        pdf.set_font(family, size=11)
        pdf.multi_cell(0, 6, clean(f"{p.name} (for {p.segment})"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=8)
        text = "\n".join(f"{label}: {value}" for label, value in _proposition_fields(p) if value)
        _fit_text(pdf, clean(text), 277, 60)
        pdf.set_x(pdf.l_margin)  # the helper leaves the cursor right of the text
        pdf.ln(2)
    return bytes(pdf.output())


def _pdf_heading(pdf: FPDF, family: str, clean, title: str, stamp: str) -> None:
    pdf.set_font(family, size=14)
    pdf.cell(0, 8, clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=8)
    pdf.cell(0, 5, clean(stamp), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
