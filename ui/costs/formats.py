"""How the Costs page writes numbers: money in full with "$" and thousands separators, never in
scientific notation (FLOP counts excepted, always with their unit), and table columns that show it.

Tables keep numbers numeric (so they sort) and say how to show them through `st.column_config`;
a column's width is set from its longest formatted value, so no width can cut digits off.
"""
from __future__ import annotations

import math
from decimal import Decimal

import streamlit as st

from business.financials.assumptions import unit_usd_text

CHAR_PX = 8  # a digit of the dataframe's font, with margin
PADDING_PX = 36  # cell padding plus room for the sort arrow


def usd(amount: Decimal | float | None) -> str:
    """Dollars to the cent with thousands separators: $577,800.72."""
    return "—" if amount is None else f"${Decimal(str(amount)):,.2f}"


def unit_usd(amount: Decimal | float | None) -> str:
    """A price that may be a fraction of a cent: cents from $1 up, else three significant digits
    written out ($0.0000348), never 3.48e-05; the same rule as every other page (business.financials)."""
    return "—" if amount is None else unit_usd_text(Decimal(str(amount)))


def significant(number: float, digits: int = 3) -> str:
    """A count, hours or kWh to `digits` significant digits, written out with separators: 295,000 not 2.95e+05."""
    if number == 0 or not math.isfinite(number):
        return f"{number:,.0f}" if number == 0 else str(number)
    exponent = math.floor(math.log10(abs(number)))
    places = max(0, digits - 1 - exponent)
    return f"{round(number, digits - 1 - exponent):,.{places}f}"


def duration(hours: float) -> str:
    if hours >= 1:
        return f"{significant(hours)} h"
    return f"{significant(hours * 60)} min" if hours * 60 >= 1 else f"{significant(hours * 3600)} s"


def width_px(header: str, texts: list[str]) -> int:
    """A column wide enough for its header and its longest value as shown."""
    return CHAR_PX * max([len(header), *map(len, texts)]) + PADDING_PX


def money_column(header: str, values: list, places: int = 2, **options):
    """A numeric column shown as dollars ($1,234.57), as wide as its longest value needs."""
    shown = [unit_usd(v) if places > 2 else usd(v) for v in values if v is not None]
    return st.column_config.NumberColumn(header, format="dollar", step=10 ** -places,
                                         width=width_px(header, shown), **options)


def number_column(header: str, values: list, places: int = 2, **options):
    """A numeric column with thousands separators and `places` decimals, never in scientific notation."""
    shown = [f"{v:,.{places}f}" for v in values if v is not None]
    return st.column_config.NumberColumn(header, format="localized", step=10 ** -places,
                                         width=width_px(header, shown), **options)
