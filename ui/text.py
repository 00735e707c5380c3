"""Render user text as text: Streamlit markdown would otherwise interpret it."""
from __future__ import annotations

import re
from datetime import datetime

# Every ASCII punctuation mark that Markdown, Streamlit's directives (:red[...], :icon:) or LaTeX ($)
# could read as syntax; CommonMark allows a backslash before any of them.
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&])")


def plain(text: str) -> str:
    """User text made safe to pass to st.markdown / st.write: shown exactly as typed, never as HTML."""
    escaped = _MARKUP.sub(r"\\\1", text)
    # Line breaks: keep them visible without starting Markdown blocks.
    return escaped.replace("\n", "  \n")


def local_time(iso: str) -> str:
    """A stored ISO timestamp (UTC) as this machine's local date and time, e.g. "02 Jan 2026, 14:03"."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y, %H:%M")
    except (TypeError, ValueError):
        return str(iso)


def sourced(value: str, provenance, note: str = "") -> str:
    """A figure and where it came from (business.provenance.with_source), made safe for st.markdown:
    the one way a page writes a figure with its source."""
    from business.provenance import with_source  # ui.text stays importable without business

    return plain(with_source(value, provenance, note))


def chart_title(text: str, width: int = 40) -> str:
    """A plotly title escaped (it renders HTML; names in it may be user text) and broken into lines of at most
    `width` characters: plotly never wraps a title, and on a 390 px phone ~45 characters fill the chart.
    A break goes after a colon or before a parenthesis when one fits, so "(base scenario)" stays whole."""
    import html

    return "<br>".join(html.escape(line, quote=False) for line in title_lines(text, width))


def title_lines(text: str, width: int) -> list[str]:
    import textwrap

    if len(text) <= width:
        return [text]
    breaks = [(i + 1, i + 2) for i in range(len(text)) if text.startswith(": ", i)] + \
             [(i, i + 1) for i in range(len(text)) if text.startswith(" (", i)]
    fitting = [(end, start) for end, start in breaks if end <= width and len(text) - start <= width]
    if fitting:
        end, start = min(fitting, key=lambda pair: abs(pair[0] - len(text) / 2))
        return [text[:end], text[start:]]
    return textwrap.wrap(text, width) or [""]
