"""The colours every chart is drawn in, on the pages and in every export (HTML, PDF, PPTX).

Charts name their colours explicitly instead of leaning on a plotting library's default colour cycle:
Streamlit installs a plotly template whose colour cycle is a set of placeholders (#000001, #000002, ...)
that only its own front end swaps for real colours, so a figure exported to HTML drew every revenue
stream near-black. One palette also keeps a stream the same colour on the page, in the PDF and in the
slides. Colours are "#RRGGBB" strings; `rgb()` converts them for the PDF and the slide deck.
"""
from __future__ import annotations

# Okabe & Ito's colour-blind-safe set (yellow left out: too pale on white), then darker extras.
STREAM_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                  "#6A3D9A", "#8C564B", "#17BECF", "#7F7F7F")
CASH = "#2CA02C"
BURN = "#D62728"
FUNDING = "#FF7F0E"
MARGIN = "#222222"
ZERO_LINE = "#808080"
BAND_COLOURS = {"AI companies": "#FF9F40", "SaaS": "#36A2EB"}  # drawn translucent
OTHER_BAND = "#808080"


class PaletteError(ValueError):
    """A colour that is not "#RRGGBB"."""


def stream_colour(index: int) -> str:
    """The colour of the index-th revenue stream; the palette repeats past its last colour."""
    return STREAM_COLOURS[index % len(STREAM_COLOURS)]


def rgb(colour: str) -> tuple[int, int, int]:
    """"#RRGGBB" as three 0-255 integers."""
    digits = colour.removeprefix("#")
    if len(digits) != 6:
        raise PaletteError(f"not a #RRGGBB colour: {colour!r}")
    try:
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    except ValueError:
        raise PaletteError(f"not a #RRGGBB colour: {colour!r}") from None


def rgba(colour: str, alpha: float) -> str:
    """A CSS rgba() string of the colour, for translucent fills in plotly."""
    red, green, blue = rgb(colour)
    return f"rgba({red}, {green}, {blue}, {alpha})"
