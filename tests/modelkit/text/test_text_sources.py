"""Hugging Face datasets as a text source: a saved folder loads offline, an unreachable hub name fails fast."""
from __future__ import annotations

import errno
import time
from pathlib import Path

import pytest
from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

from modelkit.text.data import MissingColumnError, check_text_data, load_text_table, split_train_val
from modelkit.text.sources import DatasetUnavailableError, load_hf_dataset, save_table_jsonl

REVIEWS = [("great product, works well", 1), ("broke after a day", 0), ("love it", 1), ("refund please", 0),
           ("support was quick and kind", 1), ("the app crashes on start", 0)]


def saved_reviews(folder, splits=False):
    features = Features({"review": Value("string"), "label": ClassLabel(names=["negative", "positive"])})
    dataset = Dataset.from_dict({"review": [t for t, _ in REVIEWS], "label": [l for _, l in REVIEWS]}, features=features)
    (DatasetDict({"train": dataset, "test": dataset.select(range(2))}) if splits else dataset).save_to_disk(str(folder))
    return folder


def test_a_hub_name_offline_and_not_cached_fails_fast_saying_what_to_do(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()

    with pytest.raises(DatasetUnavailableError, match=r"cannot be reached.*internet.*upload it as a CSV"):
        load_hf_dataset("someone/not-cached-reviews", split="train")

    assert time.monotonic() - started < 5


def test_a_dataset_saved_to_disk_loads_offline_with_class_label_ints_as_their_names(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    table = load_hf_dataset(str(saved_reviews(tmp_path / "reviews")))

    assert table.texts[:2] == ["great product, works well", "broke after a day"]
    assert table.labels[:2] == ["positive", "negative"] and table.text_column == "review"


def test_a_saved_dataset_dict_loads_the_asked_split_and_names_the_others_when_missing(tmp_path):
    folder = saved_reviews(tmp_path / "reviews", splits=True)

    assert len(load_hf_dataset(str(folder), split="test")) == 2
    with pytest.raises(DatasetUnavailableError, match=r"no split 'validation'; the splits are \['test', 'train'\]"):
        load_hf_dataset(str(folder), split="validation")


def test_unusual_column_names_are_mapped_explicitly_or_named_in_the_error(tmp_path):
    folder = tmp_path / "tickets"
    Dataset.from_dict({"body": ["refund", "crash", "invoice", "bug"], "queue": ["billing", "bug", "billing", "bug"]}).save_to_disk(str(folder))

    assert load_hf_dataset(str(folder), text_column="body", label_column="queue").labels[:2] == ["billing", "bug"]
    with pytest.raises(MissingColumnError, match=r"no label column found among \[.body., .queue.\]"):
        load_hf_dataset(str(folder))


def test_a_loaded_dataset_goes_through_the_same_data_check_as_an_upload(tmp_path):
    table = load_hf_dataset(str(saved_reviews(tmp_path / "reviews")))

    path = save_table_jsonl(table, tmp_path / "uploads")
    train, val = split_train_val(load_text_table(path))
    report = check_text_data(train, val)

    assert load_text_table(path).texts == table.texts
    assert report.rows == len(REVIEWS) and report.class_counts == {"negative": 3, "positive": 3}


def test_a_dataset_save_that_fails_halfway_leaves_no_file_under_its_name(tmp_path, monkeypatch):
    table = load_hf_dataset(str(saved_reviews(tmp_path / "reviews")))
    real_write = Path.write_text

    def full_disk(self, data, *args, **kwargs):
        real_write(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError):
        save_table_jsonl(table, tmp_path / "uploads")

    assert list((tmp_path / "uploads").iterdir()) == []
