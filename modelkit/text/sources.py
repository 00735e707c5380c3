"""Labelled text from Hugging Face datasets: a hub name (online or already cached) or a folder on disk.

`load_hf_dataset("imdb", split="train[:2000]")` returns a `TextTable`, like an upload; a folder written
by `Dataset.save_to_disk` (or a downloaded dataset repo) is read without any network. A hub name that is
neither cached nor reachable raises `DatasetUnavailableError` within a few seconds. ClassLabel ints
become their names. `save_table_jsonl` writes the table where a training job can read it, so the data
check and the job see exactly the same rows as an upload would.
"""
from __future__ import annotations

import glob
import json
import os
from pathlib import Path

from modelkit.text.data import (LABEL_COLUMN_NAMES, TEXT_COLUMN_NAMES, DataError, EmptyDataError, TextTable,
                           pick_column, require_two_classes)
from modelkit.online import reachable

HUB_HOST = "huggingface.co"
MAX_ROWS = 200_000


class DatasetUnavailableError(DataError):
    """The dataset can be neither found locally nor downloaded."""


def hub_dataset_cached(name: str) -> bool:
    """Where `datasets` keeps a prepared hub dataset: <HF_DATASETS_CACHE>/<namespace>___<name>/<config>/..."""
    from datasets import config
    from datasets.naming import camelcase_to_snakecase

    parts = name.split("/")
    parts[-1] = camelcase_to_snakecase(parts[-1])
    root = os.path.join(os.path.expanduser(str(config.HF_DATASETS_CACHE)), "___".join(parts))
    return any(os.path.isdir(path) for path in glob.glob(os.path.join(root, "*", "*", "*")))


def open_local(folder: Path, config: str | None, split: str):
    from datasets import load_dataset, load_from_disk

    if (folder / "dataset_info.json").exists() or (folder / "dataset_dict.json").exists():
        return load_from_disk(str(folder))
    return load_dataset(str(folder), config, split=split)  # data files or a downloaded repo: no network


def open_hub(name: str, config: str | None, split: str):
    from datasets import load_dataset

    if name.count("/") > 1:
        raise DatasetUnavailableError(f"{name!r} is neither a folder on this machine nor a dataset name like 'imdb' "
                                      f"or 'stanfordnlp/sst2'")
    if not hub_dataset_cached(name) and not reachable(HUB_HOST, 443, 3.0, offline_env=("HF_HUB_OFFLINE",)):
        raise DatasetUnavailableError(
            f"dataset {name!r} is not in the local Hugging Face cache and {HUB_HOST} cannot be reached; connect "
            f"this machine to the internet (or unset HF_HUB_OFFLINE) to download it once, or upload it as a CSV")
    return load_dataset(name, config, split=split)


def pick_split(data, split: str):
    """A saved DatasetDict holds several splits; pick the asked one (slices like 'train[:100]' are hub-only)."""
    if not hasattr(data, "keys"):
        return data
    key = split.split("[", 1)[0]
    if key not in data:
        raise DatasetUnavailableError(f"no split {key!r}; the splits are {sorted(data.keys())}")
    return data[key]


def load_hf_dataset(name: str, config: str | None = None, split: str = "train", text_column: str | None = None,
                    label_column: str | None = None, max_rows: int = MAX_ROWS) -> TextTable:
    name, split, config = name.strip(), (split or "train").strip(), (config or "").strip() or None
    if not name:
        raise DatasetUnavailableError("give a dataset name (e.g. 'imdb') or the folder of a saved dataset")
    from datasets.exceptions import DatasetsError

    folder = Path(name).expanduser()
    try:
        data = open_local(folder, config, split) if folder.is_dir() else open_hub(name, config, split)
    except DataError:
        raise
    except (DatasetsError, ValueError, OSError) as error:  # OSError covers connection and hub HTTP errors
        raise DatasetUnavailableError(f"could not load dataset {name!r}: {error}") from None
    return to_table(pick_split(data, split), name, text_column, label_column, max_rows)


def to_table(dataset, name: str, text_column: str | None, label_column: str | None, max_rows: int) -> TextTable:
    from datasets import ClassLabel

    columns = list(dataset.column_names)
    text_name = pick_column(columns, text_column, TEXT_COLUMN_NAMES, "text")
    label_name = pick_column(columns, label_column, LABEL_COLUMN_NAMES, "label")
    warnings = []
    if len(dataset) > max_rows:
        warnings.append(f"kept the first {max_rows:,} of {len(dataset):,} rows; "
                        f"ask for a slice like 'train[:{max_rows}]'")
        dataset = dataset.select(range(max_rows))
    feature = dataset.features[label_name]
    names = feature.names if isinstance(feature, ClassLabel) else None
    texts, labels = [], []
    for text, label in zip(dataset[text_name], dataset[label_name]):
        if label is None or (names is not None and not 0 <= label < len(names)):
            continue  # unlabelled rows (e.g. GLUE test splits use -1)
        label = names[label] if names is not None else str(label)
        if label.strip():
            texts.append("" if text is None else str(text))
            labels.append(label)
    if not texts:
        raise EmptyDataError(f"dataset {name!r} has 0 labelled rows in this split")
    table = TextTable(texts=texts, labels=labels, text_column=text_name, label_column=label_name, encoding="utf-8",
                      warnings=tuple(warnings))
    require_two_classes(table, f"dataset {name!r}")
    return table


def save_table_jsonl(table: TextTable, folder: Path) -> Path:
    """One JSON object per row ({"text", "label"}) named by its content, so a reload writes nothing new."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"hf-{table.content_hash()[:16]}.jsonl"
    if not path.exists():
        rows = zip(table.texts, table.labels)
        lines = (json.dumps({"text": text, "label": label}, ensure_ascii=False) for text, label in rows)
        partial = path.with_name(path.name + ".partial")
        try:  # written beside it and renamed: a full disk halfway leaves no truncated file under the real name
            partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return path
