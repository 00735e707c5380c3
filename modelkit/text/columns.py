"""Which column holds the texts and which the labels: given by the user, known by name, or guessed.

`map_columns(frame, text_column, label_column)` returns a `ColumnMapping` that says how each column was
chosen, so the page and the CLI can show it ("label column 'sentiment' guessed: 2 distinct values in
1,000 rows"). A guess takes the column with the longest average text for the texts and, among the rest,
the column with the fewest distinct values that still repeat (an id column, unique per row, is never a
label). A column given by name is used as is, or refused with the list of columns.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from modelkit.errors import DataError

TEXT_COLUMN_NAMES = ("text", "sentence", "content", "body", "message", "review", "utterance", "document")
LABEL_COLUMN_NAMES = ("label", "labels", "class", "category", "target", "intent", "topic", "sentiment")
MAX_LABEL_CLASSES = 1000


class MissingColumnError(DataError):
    pass


@dataclass(frozen=True)
class ColumnChoice:
    column: str
    how: str  # "given", "named" or "guessed: <why>"

    def describe(self, role: str) -> str:
        return f"{role} column {self.column!r} ({self.how})"


@dataclass(frozen=True)
class ColumnMapping:
    text: ColumnChoice
    label: ColumnChoice | None

    def describe(self) -> str:
        parts = [self.text.describe("text")] + ([self.label.describe("label")] if self.label else [])
        return "; ".join(parts)

    def guesses(self) -> list[str]:
        """What was guessed, said so the user can check it (and name another column if it is wrong)."""
        chosen = [("text", self.text), ("label", self.label)]
        return [f"{choice.describe(role)}; name another with the {role}-column setting if this is wrong"
                for role, choice in chosen if choice is not None and choice.how.startswith("guessed")]


def map_columns(frame: pd.DataFrame, text_column: str | None = None, label_column: str | None = None,
                need_label: bool = True) -> ColumnMapping:
    columns = [str(column) for column in frame.columns]
    text = _given(columns, text_column, "text") or _named(columns, TEXT_COLUMN_NAMES, exclude={label_column})
    label = None
    if need_label:
        label = _given(columns, label_column, "label") or _named(columns, LABEL_COLUMN_NAMES,
                                                                 exclude={text.column if text else None})
    if text is None:
        text = guess_text_column(frame, exclude={label.column} if label else set())
    if need_label and label is None:
        label = guess_label_column(frame, exclude={text.column})
    return ColumnMapping(text, label)


def pick_column(columns: list[str], wanted: str | None, known_names: tuple[str, ...], role: str) -> str:
    """A column given or known by name, without guessing (for sources that have no rows to look at yet)."""
    choice = _given(columns, wanted, role) or _named(columns, known_names, exclude=set())
    if choice is None:
        raise MissingColumnError(f"no {role} column found among {columns}; name one (e.g. {known_names[0]!r})")
    return choice.column


def guess_text_column(frame: pd.DataFrame, exclude: set[str]) -> ColumnChoice:
    lengths = {str(column): frame[column].astype(str).str.len().mean() for column in frame.columns
               if str(column) not in exclude and not _mostly_numbers(frame[column])}
    if not lengths:
        raise MissingColumnError(f"no text column found among {list(map(str, frame.columns))}: every candidate "
                                 "holds numbers; name the text column")
    best = max(lengths, key=lengths.get)
    return ColumnChoice(best, f"guessed: longest texts, {lengths[best]:,.0f} characters on average")


def guess_label_column(frame: pd.DataFrame, exclude: set[str]) -> ColumnChoice:
    rows = len(frame)
    distinct = {str(column): frame[column].astype(str).str.strip().nunique() for column in frame.columns
                if str(column) not in exclude}
    # a label repeats: at most half as many classes as rows (and not thousands), at least two of them
    limit = min(MAX_LABEL_CLASSES, max(2, rows // 2))
    candidates = {column: count for column, count in distinct.items() if 2 <= count <= limit}
    if not candidates:
        raise MissingColumnError(
            f"no label column found among {list(map(str, frame.columns))}: none has between 2 and {limit} "
            "distinct values that repeat; name the label column")
    best = min(candidates, key=lambda column: (candidates[column], list(distinct).index(column)))
    return ColumnChoice(best, f"guessed: {candidates[best]:,} distinct values in {rows:,} rows")


def _given(columns: list[str], wanted: str | None, role: str) -> ColumnChoice | None:
    if wanted is None or wanted == "":
        return None
    if wanted not in columns:
        raise MissingColumnError(f"no {role} column named {wanted!r}; the columns are {columns}")
    return ColumnChoice(wanted, "given")


def _named(columns: list[str], known_names: tuple[str, ...], exclude: set) -> ColumnChoice | None:
    by_lower = {column.strip().lower(): column for column in columns if column not in exclude}
    for name in known_names:
        if name in by_lower:
            return ColumnChoice(by_lower[name], "named")
    return None


def _mostly_numbers(values: pd.Series) -> bool:
    numeric = pd.to_numeric(values.astype(str).str.strip(), errors="coerce").notna()
    return len(values) > 0 and numeric.mean() > 0.9
