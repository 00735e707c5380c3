"""Loading and checking text tables: formats, encodings, bad files, and the data report."""
from __future__ import annotations

import json

import pytest

from modelkit.text.data import (EmptyDataError, FileTooLargeError, MissingColumnError, NotATableError, RaggedRowsError,
                                SingleClassError, TextTable, check_text_data, load_text_table, merge_label_variants,
                                split_train_val)
from modelkit.paths import example_dataset_path


def table_of(rows: list[tuple[str, str]]) -> TextTable:
    return TextTable(texts=[t for t, _ in rows], labels=[l for _, l in rows], text_column="text",
                     label_column="label", encoding="utf-8")


def test_the_example_dataset_has_at_least_300_texts_in_at_least_3_classes():
    table = load_text_table(example_dataset_path())

    assert len(table) >= 300
    assert len(table.label_names) >= 3
    assert len(set(table.texts)) == len(table.texts)


def test_a_latin1_file_is_read_with_a_warning_about_its_encoding(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_bytes("text,label\nfacture erronée,billing\nl'app plante,bug\n".encode("latin-1"))

    table = load_text_table(path)

    assert table.encoding == "latin-1"
    assert table.texts[0] == "facture erronée"
    assert any("latin-1" in warning for warning in table.warnings)


def test_tsv_is_read_without_quote_handling_and_jsonl_one_object_per_line(tmp_path):
    tsv = tmp_path / "reviews.tsv"
    tsv.write_text('sentence\tlabel\n"a quoted start\t1\nplain text\t0\n')
    jsonl = tmp_path / "reviews.jsonl"
    jsonl.write_text("\n".join(json.dumps({"text": t, "label": l}) for t, l in [("good", "pos"), ("bad", "neg")]))

    assert load_text_table(tsv).texts == ['"a quoted start', "plain text"]
    assert load_text_table(jsonl).labels == ["pos", "neg"]


def test_columns_can_be_mapped_explicitly_when_their_names_are_unusual(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("ticket_body,queue,id\nrefund please,billing,1\ncrash on start,bug,2\n")

    table = load_text_table(path, text_column="ticket_body", label_column="queue")

    assert table.labels == ["billing", "bug"]


def test_a_file_without_a_text_column_is_rejected_naming_the_columns(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("id,label\n1,a\n2,b\n")

    with pytest.raises(MissingColumnError, match=r"no text column found among \['id', 'label'\]"):
        load_text_table(path)


def test_a_mapped_column_that_does_not_exist_is_rejected_by_name(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("text,label\nx,a\ny,b\n")

    with pytest.raises(MissingColumnError, match="no label column named 'queue'"):
        load_text_table(path, label_column="queue")


def test_a_binary_file_is_rejected_as_not_a_table(tmp_path):
    path = tmp_path / "model.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))

    with pytest.raises(NotATableError, match="binary"):
        load_text_table(path)


def test_a_one_column_file_is_rejected_as_not_a_table(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("just some notes\nwithout any columns\n")

    with pytest.raises(NotATableError, match="1 column"):
        load_text_table(path)


def test_a_table_with_one_class_only_is_rejected(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("text,label\nrefund,billing\ninvoice,billing\n")

    with pytest.raises(SingleClassError, match="one class only \\('billing'\\)"):
        load_text_table(path)


def test_an_empty_file_and_a_header_only_file_are_rejected_as_zero_rows(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header = tmp_path / "header.csv"
    header.write_text("text,label\n")

    with pytest.raises(EmptyDataError, match="0 rows"):
        load_text_table(empty)
    with pytest.raises(EmptyDataError, match="0 labelled rows"):
        load_text_table(header)


def test_a_two_gigabyte_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: costs no disk, but stat says 2 GB

    with pytest.raises(FileTooLargeError, match="the file is 2 GiB; the limit is 200 MiB"):
        load_text_table(path)


def test_a_file_of_201_mib_is_refused_in_the_same_unit_as_the_limit_the_page_says(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(201 * 1024**2)

    with pytest.raises(FileTooLargeError, match="the file is 201 MiB; the limit is 200 MiB"):
        load_text_table(path)


def test_an_extra_field_in_the_first_row_is_refused_with_its_row_instead_of_shifting_the_columns():
    raw = b"text,label\nhello, world,billing\nmy card was charged twice,billing\napp crashes,bug\n"

    with pytest.raises(RaggedRowsError, match=r"header's 2 fields: row 1 \(line 2\) has 3\..*quote texts"):
        load_text_table(raw, "tickets.csv")


def test_short_rows_are_refused_too_and_the_message_names_the_first_few():
    rows = "\n".join(["text,label"] + [f"text {i}" if i % 2 else f"text {i},label {i % 3}" for i in range(10)])

    with pytest.raises(RaggedRowsError, match=r"5 row\(s\).*row 2 \(line 3\) has 1, row 4 \(line 5\) has 1, .*\.\.\."):
        load_text_table(rows.encode(), "t.csv")


def test_quoted_delimiters_and_blank_lines_are_not_ragged_rows():
    raw = b'text,label\n"hello, world",billing\n\n"line one\nline two",bug\n'

    table = load_text_table(raw, "t.csv")

    assert table.texts == ["hello, world", "line one\nline two"] and table.labels == ["billing", "bug"]


def test_the_report_counts_duplicates_empties_overlap_and_case_variant_labels():
    train = table_of([("refund me", "billing"), ("Refund  me", "Billing"), ("", "bug"), ("crash", "bug ")])
    val = table_of([("crash", "bug"), ("new export format", "feature")])

    report = check_text_data(train, val)

    assert report.rows == 6
    assert report.empty_texts == 1
    assert report.duplicate_texts == 2
    assert report.train_val_overlap == 1
    assert ["Billing", "billing"] in report.label_variants
    assert any("merge" in warning for warning in report.warnings)


def test_case_variant_labels_merge_into_the_most_frequent_spelling():
    table = table_of([("a", "bug"), ("b", "bug"), ("c", "Bug "), ("d", "billing")])

    assert merge_label_variants(table).labels == ["bug", "bug", "bug", "billing"]


def test_the_split_keeps_every_class_in_validation_and_never_shares_rows():
    table = load_text_table(example_dataset_path())

    train, val = split_train_val(table, 0.2, seed=1)

    assert set(val.labels) == set(table.label_names)
    assert len(train) + len(val) == len(table)
    assert not set(train.texts) & set(val.texts)


def test_token_lengths_are_reported_with_the_count_that_will_be_truncated():
    from modelkit.text.model import load_tokenizer

    train = table_of([("short", "a"), ("word " * 200, "b"), ("a few more words here", "a")])

    report = check_text_data(train, None, load_tokenizer("bundled"), max_length=32)

    assert report.token_length_percentiles["max"] > 200
    assert report.token_length_percentiles["p50"] < 32
    assert report.truncated_texts == 1


def test_a_two_row_file_is_refused_before_training_because_it_leaves_no_validation_rows(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("text,label\nrefund please,billing\nlogin broken,account\n")

    with pytest.raises(EmptyDataError, match="no validation rows: none of the 2 labels has two rows or more "
                                             "\\(2 rows in all\\)"):
        split_train_val(load_text_table(path))


def test_ten_thousand_one_row_classes_are_refused_the_same_way():
    table = table_of([(f"text number {i}", f"class {i}") for i in range(10_000)])
    with pytest.raises(EmptyDataError, match="none of the 10,000 labels has two rows"):
        split_train_val(table)


def test_a_folder_given_as_the_data_file_is_refused_by_name_without_its_path(tmp_path):
    (tmp_path / "tickets").mkdir()
    with pytest.raises(NotATableError) as refused:
        load_text_table(tmp_path / "tickets")
    assert str(refused.value) == "tickets/ is a folder, not a table: pass one CSV, TSV or JSONL file"


def test_a_utf16_file_with_its_byte_order_mark_is_decoded_not_called_binary(tmp_path):
    path = tmp_path / "excel_unicode.csv"
    path.write_bytes("text,label\nRéclamation facture,billing\nL'appli plante,bug\n".encode("utf-16"))

    table = load_text_table(path)

    assert table.texts == ["Réclamation facture", "L'appli plante"] and table.encoding == "utf-16"


def test_labels_1_and_1_0_are_one_class_and_missing_labels_are_left_out_with_warnings(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("text,label\ngood,1\ngreat,1.0\nbad,0\nawful,0.0\nmeh,NaN\nhmm,NULL\nok,\n")

    table = load_text_table(path)

    assert table.labels == ["1", "1", "0", "0"] and table.label_names == ["0", "1"]
    assert any("3 row(s) with a missing label" in w for w in table.warnings)
    assert any("numeric labels written differently were merged" in w for w in table.warnings)


def test_word_labels_are_kept_as_written():
    from modelkit.text.labels import clean_labels

    assert clean_labels(["billing", " bug ", "None"]) == (["billing", "bug", None],
                                                          ["1 row(s) with a missing label (empty, NaN, None or NULL) were left out"])


def test_a_jsonl_line_nested_50000_deep_is_refused_as_not_a_table_not_a_recursion_error():
    deep = b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b', "label": "a"}\n'
    with pytest.raises(NotATableError, match="nests objects or lists too deeply"):
        load_text_table(deep, filename="deep.jsonl")
