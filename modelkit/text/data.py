"""Load and check labelled text tables before any training time is spent.

`load_text_table(path_or_bytes, filename=...)` reads CSV / TSV / JSONL (UTF-8, else latin-1 with a
warning), maps the text and label columns and returns a `TextTable`. `check_text_data(train, val,
tokenizer)` returns a `DataReport` that a page shows and the CLI prints. Bad files raise a subclass of
`DataError` (a `ValueError`) whose message names what is wrong. No torch import here: a tokenizer is
passed in only when token lengths are wanted.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pandas as pd

from business.limits import MAX_TABLE_BYTES, binary_size
from modelkit.errors import DataError  # noqa: F401  (re-exported: callers catch it from here too)
from modelkit.text.labels import clean_labels
from modelkit.text.columns import (LABEL_COLUMN_NAMES, TEXT_COLUMN_NAMES, MissingColumnError,  # noqa: F401
                                   map_columns, pick_column)

MAX_FILE_BYTES = MAX_TABLE_BYTES  # one limit for the page, its help text and the CLI (business.limits)


class FileTooLargeError(DataError):
    pass


class NotATableError(DataError):
    pass


class RaggedRowsError(NotATableError):
    """Rows with more or fewer fields than the header: reading them would shift columns."""


class EmptyDataError(DataError):
    pass


class SingleClassError(DataError):
    pass


@dataclass(frozen=True)
class TextTable:
    texts: list[str]
    labels: list[str]
    text_column: str
    label_column: str
    encoding: str
    warnings: tuple[str, ...] = ()
    columns_how: str = ""  # how the two columns were chosen (given, named or guessed), said to the user

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def label_names(self) -> list[str]:
        return sorted(set(self.labels))

    def content_hash(self) -> str:
        """sha256 of the (text, label) rows: identifies the data in run cards."""
        digest = hashlib.sha256()
        for text, label in zip(self.texts, self.labels):
            digest.update(text.encode("utf-8") + b"\t" + label.encode("utf-8") + b"\n")
        return digest.hexdigest()


# Fewer training texts than this per class make a run's scores noise: the check warns, and a run trained
# on fewer is labelled "too little data" and never shown to investors by default.
MIN_TEXTS_PER_CLASS = 10


@dataclass
class DataReport:
    rows: int
    train_rows: int
    val_rows: int
    class_counts: dict[str, int]
    imbalance_ratio: float
    empty_texts: int
    duplicate_texts: int
    train_val_overlap: int
    label_variants: list[list[str]]
    token_length_percentiles: dict[str, int] = field(default_factory=dict)
    truncated_texts: int = 0
    max_length: int = 0
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)
    train_tokens: int = 0  # tokens one pass over the training texts feeds the model (after truncation)

    def to_dict(self) -> dict:
        return asdict(self)


def read_bytes(source: str | Path | bytes, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        size = len(source)
    elif Path(source).is_dir():
        raise NotATableError(f"{Path(source).name}/ is a folder, not a table: pass one CSV, TSV or JSONL file")
    else:
        size = Path(source).stat().st_size
    if size > max_bytes:
        raise FileTooLargeError(
            f"the file is {binary_size(size)}; the limit is {binary_size(max_bytes)} - sample it down first")
    return bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()


def decode_text(raw: bytes) -> tuple[str, str, list[str]]:
    """UTF-16 when the file says so (its byte-order mark: Excel's "Unicode text" export), else UTF-8;
    latin-1 decodes any byte string, so it is the fallback, said as a warning."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            raise NotATableError("the file starts like UTF-16 text but does not decode as UTF-16") from None
    if b"\x00" in raw[:8192]:
        raise NotATableError("the file contains NUL bytes: it looks binary, not a CSV/TSV/JSONL table")
    try:
        return raw.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        warning = "the file is not valid UTF-8; read it as latin-1 - check accented characters"
        return raw.decode("latin-1"), "latin-1", [warning]


def parse_frame(text: str, filename: str, even_rows: bool = True) -> pd.DataFrame:
    """The table in `text`; `even_rows=False` skips the ragged-row check, for a sample cut from a longer file."""
    suffix = Path(filename).suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson", ".json"):
            return parse_jsonl(text)
        delimiter, quoting = ("\t", csv.QUOTE_NONE) if suffix == ".tsv" else (sniff_delimiter(text), csv.QUOTE_MINIMAL)
        if even_rows:
            require_even_rows(text, delimiter, quoting, filename)
        # index_col=False: pandas would otherwise take the first column as the index when a row is longer
        return pd.read_csv(io.StringIO(text), sep=delimiter, quoting=quoting, dtype=str, keep_default_na=False,
                           index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, json.JSONDecodeError) as error:
        raise NotATableError(f"{filename} could not be read as a table: {error}") from None


def require_even_rows(text: str, delimiter: str, quoting: int, filename: str) -> None:
    """Every row has as many fields as the header, or RaggedRowsError naming the first rows that do not
    (row 1 is the first under the header; the line is where an editor shows it). Blank lines are skipped,
    as pandas skips them."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting)
    header = next(reader, [])
    ragged, row = [], 0
    for fields in reader:
        if not fields or fields == [""]:
            continue
        row += 1
        if len(fields) != len(header):
            ragged.append((row, reader.line_num, len(fields)))
    if ragged:
        shown = ", ".join(f"row {r:,} (line {line:,}) has {count}" for r, line, count in ragged[:3])
        separator = "a tab" if delimiter == "\t" else repr(delimiter)
        raise RaggedRowsError(
            f"{Path(filename).name}: {len(ragged):,} row(s) do not have the header's {len(header)} fields: {shown}"
            f"{', ...' if len(ragged) > 3 else ''}. Reading them would shift columns: quote texts that contain "
            f"{separator}, or fix those rows")


def sniff_delimiter(text: str) -> str:
    """Comma unless the sample clearly uses ; tab or | (spaces never count: they are inside texts)."""
    try:
        return csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def parse_jsonl(text: str) -> pd.DataFrame:
    stripped = text.strip()
    try:
        if stripped.startswith("["):
            records = json.loads(stripped)
        else:
            records = [json.loads(line) for line in stripped.splitlines() if line.strip()]
    except RecursionError:  # json.loads recurses once per level: a line nested thousands deep ends here
        raise NotATableError("a JSON lines file nests objects or lists too deeply to read; "
                             "one flat object per line is expected, e.g. {\"text\": ..., \"label\": ...}") from None
    if not records or not all(isinstance(record, dict) for record in records):
        raise NotATableError("a JSON lines file needs one object per line, e.g. {\"text\": ..., \"label\": ...}")
    return pd.DataFrame.from_records(records).astype(str)


def load_text_table(source: str | Path | bytes, filename: str | None = None, text_column: str | None = None,
                    label_column: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> TextTable:
    # the file's name only: a message never shows where the server keeps it
    filename = filename or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "upload.csv")
    text, encoding, warnings = decode_text(read_bytes(source, max_bytes))
    if not text.strip():
        raise EmptyDataError(f"{filename} is empty: 0 rows")
    frame = parse_frame(text, filename)
    columns = [str(column) for column in frame.columns]
    if len(columns) < 2:
        raise NotATableError(f"{filename} has {len(columns)} column(s); a text column and a label column are needed")
    mapping = map_columns(frame, text_column, label_column)
    text_name, label_name = mapping.text.column, mapping.label.column
    labels, label_warnings = clean_labels(frame[label_name].astype(str).tolist())
    rows = [(text, label) for text, label in zip(frame[text_name].astype(str).tolist(), labels) if label is not None]
    if not rows:
        raise EmptyDataError(f"{filename} has 0 labelled rows")
    table = TextTable(texts=[text for text, _ in rows], labels=[label for _, label in rows],
                      text_column=text_name, label_column=label_name, encoding=encoding,
                      warnings=tuple(warnings + mapping.guesses() + label_warnings), columns_how=mapping.describe())
    require_two_classes(table, filename)
    return table


def require_two_classes(table: TextTable, filename: str = "the data") -> None:
    classes = table.label_names
    if len(classes) < 2:
        raise SingleClassError(f"{filename} has one class only ({classes[0]!r}); a classifier needs at least two")


def split_train_val(table: TextTable, val_fraction: float = 0.2, seed: int = 42) -> tuple[TextTable, TextTable]:
    """Stratified split so every class appears in validation when it has at least two rows."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, label in enumerate(table.labels):
        by_label[label].append(index)
    rng = random.Random(seed)
    train_idx, val_idx = [], []
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        n_val = round(len(indices) * val_fraction) if len(indices) > 1 else 0
        val_idx += indices[:max(n_val, 1 if len(indices) > 1 else 0)]
        train_idx += indices[max(n_val, 1 if len(indices) > 1 else 0):]
    if not val_idx:  # training would run and then fail on an empty validation set
        raise EmptyDataError(f"no validation rows: none of the {len(by_label):,} labels has two rows or more "
                             f"({len(table.labels):,} rows in all); add rows, or give a separate validation file")
    return subset(table, sorted(train_idx)), subset(table, sorted(val_idx))


def subset(table: TextTable, indices: list[int]) -> TextTable:
    return replace(table, texts=[table.texts[i] for i in indices], labels=[table.labels[i] for i in indices])


def label_key(label: str) -> str:
    return " ".join(label.split()).lower()


def find_label_variants(labels: list[str]) -> list[list[str]]:
    """Groups of labels that differ only by case or whitespace, e.g. ['Bug', 'bug ']."""
    groups: dict[str, set[str]] = defaultdict(set)
    for label in labels:
        groups[label_key(label)].add(label)
    return [sorted(group) for group in groups.values() if len(group) > 1]


def merge_label_variants(table: TextTable) -> TextTable:
    """Relabel case/space variants to the most frequent spelling in each group."""
    counts = Counter(table.labels)
    canonical: dict[str, str] = {}
    for label, _ in counts.most_common():
        canonical.setdefault(label_key(label), label)
    labels = [canonical[label_key(label)] for label in table.labels]
    return replace(table, labels=labels)


def token_lengths(texts: list[str], tokenizer) -> list[int]:
    if tokenizer is None or not texts:
        return []
    return [len(ids) for ids in tokenizer(texts, add_special_tokens=True, truncation=False)["input_ids"]]


def token_length_stats(lengths: list[int], max_length: int) -> tuple[dict[str, int], int]:
    if not lengths:
        return {}, 0
    lengths = sorted(lengths)

    def percentile(q: float) -> int:
        return lengths[min(len(lengths) - 1, int(q * (len(lengths) - 1) + 0.5))]

    stats = {"p50": percentile(0.5), "p90": percentile(0.9), "p95": percentile(0.95),
             "p99": percentile(0.99), "max": lengths[-1]}
    return stats, sum(length > max_length for length in lengths)


def check_text_data(train: TextTable, val: TextTable | None = None, tokenizer=None, max_length: int = 128,
                    lengths: list[int] | None = None) -> DataReport:
    """The report; `lengths` (token counts of train then val texts, as `token_lengths` gives) spares the
    tokenizer when only `max_length` changed."""
    val_texts = val.texts if val is not None else []
    all_labels = train.labels + (val.labels if val is not None else [])
    counts = dict(sorted(Counter(all_labels).items(), key=lambda item: -item[1]))
    all_texts = train.texts + val_texts
    normalized = [" ".join(text.split()).lower() for text in all_texts]
    train_keys = {" ".join(text.split()).lower() for text in train.texts}
    lengths = lengths if lengths is not None else token_lengths(all_texts, tokenizer)
    token_stats, truncated = token_length_stats(lengths, max_length)
    report = DataReport(
        rows=len(all_texts), train_rows=len(train), val_rows=len(val_texts), class_counts=counts,
        imbalance_ratio=round(max(counts.values()) / min(counts.values()), 2),
        empty_texts=sum(1 for text in all_texts if not text.strip()),
        duplicate_texts=len(normalized) - len(set(normalized)),
        train_val_overlap=sum(1 for text in val_texts if " ".join(text.split()).lower() in train_keys),
        label_variants=find_label_variants(all_labels), token_length_percentiles=token_stats,
        truncated_texts=truncated, max_length=max_length, encoding=train.encoding, warnings=list(train.warnings),
        train_tokens=sum(min(length, max_length) for length in lengths[:len(train)]))
    report.warnings += report_warnings(report)
    return report


def report_warnings(report: DataReport) -> list[str]:
    warnings = []
    minimum = MIN_TEXTS_PER_CLASS * len(report.class_counts)
    if report.train_rows < minimum:
        warnings.append(f"only {report.train_rows} training text(s): at least {minimum} ({MIN_TEXTS_PER_CLASS} per "
                        "class) make a result worth showing; a run on fewer is labelled 'too little data'")
    if report.imbalance_ratio >= 5:
        warnings.append(f"classes are imbalanced {report.imbalance_ratio}:1 - watch macro-F1, not only accuracy")
    if report.empty_texts:
        warnings.append(f"{report.empty_texts} empty text(s)")
    if report.duplicate_texts:
        warnings.append(f"{report.duplicate_texts} duplicate text(s)")
    if report.train_val_overlap:
        warnings.append(f"{report.train_val_overlap} validation text(s) also appear in training: scores will be optimistic")
    if report.label_variants:
        warnings.append(f"labels differ only by case or spaces: {report.label_variants} - merge them")
    if report.truncated_texts:
        warnings.append(f"{report.truncated_texts} text(s) are longer than {report.max_length} tokens and will be truncated")
    return warnings
