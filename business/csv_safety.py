"""CSV cells a spreadsheet would run as a formula, neutralised as OWASP recommends ("CSV injection").

A text cell that begins with =, +, -, @, a tab or a carriage return gets a leading apostrophe, so Excel,
LibreOffice and Google Sheets show it as text instead of evaluating it. Numbers stay numbers (a negative
net burn is not a formula). Used by every CSV the app writes with text a person typed or uploaded:
predictions (page and CLI), the offers table with negotiated prices.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def neutral_frame(frame):
    """A copy of a pandas DataFrame whose text cells and column names are neutralised (numbers untouched)."""
    from pandas.api.types import is_numeric_dtype  # business stays importable without pandas

    safe = frame.copy()
    for column in safe.columns:
        if not is_numeric_dtype(safe[column]):  # text columns (object or pandas' string dtype)
            safe[column] = safe[column].map(neutral_cell)
    safe.columns = [neutral_cell(str(column)) for column in safe.columns]
    return safe


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
