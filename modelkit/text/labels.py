"""Label values as a person means them: "1" and "1.0" are one class, and "NaN", "None", "NULL" are no label.

Spreadsheets and pandas write numbers and missing values in several ways; taken literally they become
extra classes that silently split or pollute the data. `clean_labels` returns the canonical label of
each row (None for a missing one, which the loader drops) and what it did, said as warnings.
"""
from __future__ import annotations

MISSING = {"", "nan", "none", "null", "na", "n/a", "<na>"}


def clean_labels(labels: list[str]) -> tuple[list[str | None], list[str]]:
    stripped = [label.strip() for label in labels]
    missing = sum(1 for label in stripped if label.lower() in MISSING)
    cleaned: list[str | None] = [None if label.lower() in MISSING else label for label in stripped]
    warnings = [f"{missing:,} row(s) with a missing label (empty, NaN, None or NULL) were left out"] if missing else []
    numbers = {label: _canonical_number(label) for label in set(cleaned) - {None}}
    if numbers and all(value is not None for value in numbers.values()):
        merged = sorted(label for label, value in numbers.items() if label != value)
        cleaned = [None if label is None else numbers[label] for label in cleaned]
        if merged:
            warnings.append(f"numeric labels written differently were merged: {', '.join(merged[:5])} "
                            f"-> {', '.join(numbers[label] for label in merged[:5])}")
    return cleaned, warnings


def _canonical_number(label: str) -> str | None:
    try:
        value = float(label)
    except ValueError:
        return None
    return str(int(value)) if value.is_integer() else repr(value)
