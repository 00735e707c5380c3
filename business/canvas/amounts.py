"""Decimal amounts as text people and files read: never scientific notation.

`Decimal.normalize()` turns 490.00 into `4.9E+2` and 60000 into `6E+4`; files and tables must say
"490.00" and "$60,000.00". These are the edges where canvas money becomes text.
"""
from __future__ import annotations

from decimal import Decimal

_CENT = Decimal("0.01")


def plain_amount(amount: Decimal) -> str:
    """Money for a file: fixed-point, at least two decimals, no thousands separator ("490.00", "0.000125")."""
    return format(_at_least_cents(amount), "f")


def plain_count(amount: Decimal) -> str:
    """A quantity for a file: fixed-point with only the decimals it needs ("10000", "2.5")."""
    return format(without_exponent(amount), "f")


def usd(amount: Decimal) -> str:
    """Money for a person: "$490.00", "$60,000.00", "$0.000125" (sub-cent prices keep their digits)."""
    return f"${_at_least_cents(amount):,f}"


def count(amount: Decimal) -> str:
    """A quantity for a person: "10,000", "2.5"."""
    return f"{without_exponent(amount):,f}"


def without_exponent(amount: Decimal) -> Decimal:
    """The same value with trailing zeros dropped but never an exponent: 6E+4 -> 60000, 2.500 -> 2.5."""
    normal = amount.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal


def _at_least_cents(amount: Decimal) -> Decimal:
    normal = without_exponent(amount)
    return normal.quantize(_CENT) if normal.as_tuple().exponent > -2 else normal
