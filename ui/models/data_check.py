"""The data check of the model pages, done once per content and choice, and what a refused upload leaves.

`checked_text_data(path, ...)` runs the text data check (load, split, report) once per sha256 of the file's
bytes and the chosen columns, merge and length: a rerun of the page (any click) reuses it, and a changed
file or choice checks again. A refusal is kept the same way (a ragged 200 MiB file is not re-parsed on
every click). `discard_upload(path)` removes a refused upload from uploads/, so nothing of it is left.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from business.limits import MAX_TABLE_BYTES, binary_size
from modelkit.paths import app_data_dir

HASH_CHUNK_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class TextCheck:
    """A passed check (`report` and the columns used) or a refusal (`error`, said as typed)."""
    report: object = None  # modelkit.text.data.DataReport
    text_column: str = ""
    label_column: str = ""
    error: str = ""


@st.cache_resource(show_spinner="Loading the tokenizer...")
def tokenizer_for(model_name: str):
    """Token counts for the data check: read from tokenizer.json, so the page needs no torch to show it."""
    from modelkit.text.tokens import length_tokenizer

    return length_tokenizer(model_name)


def content_hash(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def checked_text_data(path: str | Path, shown_name: str, text_column: str | None, label_column: str | None,
                      merge: bool, max_length: int) -> TextCheck:
    """The data check of the table at `path`, computed once per (content, columns, merge, max_length)."""
    return _check_text(str(path), content_hash(path), shown_name, text_column, label_column, merge, max_length)


@st.cache_data(show_spinner=False, max_entries=16)
def _check_text(_path: str, digest: str, shown_name: str, text_column: str | None, label_column: str | None,
                merge: bool, max_length: int) -> TextCheck:
    """`_path` is not part of the key (uploads, hub datasets and the example live at different paths): the
    content hash is. The slow part (parse, tokenize) is cached apart, without `max_length`: the training
    form suggests a length from this very check, and changing it must not tokenize everything again."""
    from modelkit.text.data import check_text_data

    prepared = _prepare_text(_path, digest, shown_name, text_column, label_column, merge)
    if isinstance(prepared, str):
        return TextCheck(error=prepared)
    table, train, val, lengths = prepared
    report = check_text_data(train, val, max_length=max_length, lengths=lengths)
    return TextCheck(report, table.text_column, table.label_column)


@st.cache_data(show_spinner="Checking the data...", max_entries=2)  # holds the texts: a few tables at most
def _prepare_text(_path: str, digest: str, shown_name: str, text_column: str | None, label_column: str | None,
                  merge: bool) -> tuple | str:
    """(table, train, validation, token lengths of train then validation texts), or why the data is refused."""
    from modelkit.text.data import load_text_table, merge_label_variants, split_train_val, token_lengths

    try:
        table = load_text_table(_path, filename=shown_name, text_column=text_column, label_column=label_column)
        train, val = split_train_val(merge_label_variants(table) if merge else table)
    except ValueError as error:
        return str(error)
    return table, train, val, token_lengths(train.texts + val.texts, tokenizer_for("bundled"))


def table_too_large(size_bytes: int) -> str:
    """'' when an upload of this size may be stored, else why not (before a byte of it is written)."""
    if size_bytes <= MAX_TABLE_BYTES:
        return ""
    return f"the file is {binary_size(size_bytes)}; the limit is {binary_size(MAX_TABLE_BYTES)} - sample it down first"


def discard_upload(path: str | Path | None) -> None:
    """Remove a refused upload stored under the data folder's uploads/ (never a file anywhere else)."""
    if path is None:
        return
    path = Path(path)
    if path.parent == app_data_dir() / "uploads" and path.is_file():
        path.unlink(missing_ok=True)
