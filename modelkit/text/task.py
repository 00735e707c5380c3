"""The "text" task for the training loop: data splits -> tokenized sets + model, and the after-training
evaluation that writes metrics.json and the run card.

`modelkit.train` reaches this module through `modelkit.tasks.get_task("text")`; an image task provides
the same two functions (`prepare_task`, `finalize_run`).
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from modelkit.batching import PaddingCollator, tokenize_texts
from modelkit.text.data import (MIN_TEXTS_PER_CLASS, TextTable, load_text_table, merge_label_variants, split_train_val,
                                subset)
from modelkit.paths import example_dataset_path
from modelkit.tasks import TaskData
from modelkit.text.model import build_text_model, load_tokenizer
from modelkit.text.names import display_name


def sample_rows(table: TextTable, limit: int | None, seed: int) -> TextTable:
    if not limit or len(table) <= limit:
        return table
    indices = sorted(random.Random(seed).sample(range(len(table)), limit))
    return subset(table, indices)


def load_splits(config) -> tuple[TextTable, TextTable]:
    """Train and validation tables exactly as the config describes them (same seed, same rows)."""
    path = config.data_path or str(example_dataset_path())
    table = load_text_table(path, text_column=config.text_column, label_column=config.label_column)
    if config.val_path:
        val = load_text_table(config.val_path, text_column=config.text_column, label_column=config.label_column)
        train = table
    else:
        if config.merge_label_variants:
            table = merge_label_variants(table)
        train, val = split_train_val(table, config.val_fraction, config.seed)
    if config.merge_label_variants:
        train, val = merge_label_variants(train), merge_label_variants(val)
    return sample_rows(train, config.max_train_rows, config.seed), sample_rows(val, config.max_val_rows, config.seed)


def data_hash(train: TextTable, val: TextTable) -> str:
    return f"sha256:{train.content_hash()[:16]}-{val.content_hash()[:16]}"


def prepare_task(config) -> TaskData:
    train, val = load_splits(config)
    label_names = config.label_names or sorted(set(train.labels) | set(val.labels))
    label2id = {label: index for index, label in enumerate(label_names)}
    unknown = sorted(set(val.labels) - set(label2id))
    if unknown:
        raise ValueError(f"validation labels {unknown} are not among the trained labels {label_names}")
    tokenizer = load_tokenizer(config.model_name)
    train_set = tokenize_texts(train.texts, [label2id[label] for label in train.labels], tokenizer, config.max_length)
    val_set = tokenize_texts(val.texts, [label2id[label] for label in val.labels], tokenizer, config.max_length)
    import torch

    # multiples of 8 let fp16/bf16 matmuls use tensor cores; on CPU they would only add padding
    multiple = 8 if torch.cuda.is_available() else 1
    return TaskData(model=build_text_model(config.model_name, label_names), processor=tokenizer,
                    train_set=train_set, val_set=val_set, collate=PaddingCollator(tokenizer.pad_token_id or 0, multiple),
                    label_names=label_names, data_hash=data_hash(train, val), train_lengths=train_set.lengths(),
                    extra={"val_texts": val.texts, "min_train_rows": MIN_TEXTS_PER_CLASS * len(label_names)})


def finalize_run(run_dir: Path, config, summary: dict) -> dict:
    """Score the best saved model on validation, time it, and write metrics.json + the run card."""
    from modelkit.measure import measure_latency_ms
    from modelkit.text.predict import Predictor, latency_batch
    from modelkit.runs import build_run_card, model_size_bytes, write_run_card

    device = "cuda" if str(summary.get("device", "cpu")).startswith("cuda") else "cpu"
    predictor = Predictor.from_run(run_dir, device=device, max_length=config.max_length)
    report, val = score_validation(predictor, config, config.eval_batch_size)
    (Path(run_dir) / "metrics.json").write_text(json.dumps(report, indent=2))
    latency_1 = measure_latency_ms(predictor.model, latency_batch(predictor, val.texts, 1))
    latency_32 = measure_latency_ms(predictor.model, latency_batch(predictor, val.texts, 32), repeats=10)
    card = build_run_card(
        run_dir=run_dir, task="text", config=config, summary=summary, report=report,
        model_name=display_name(config.model_name), parameters=sum(p.numel() for p in predictor.model.parameters()),
        size_bytes=model_size_bytes(Path(run_dir) / "model"), latency_ms={**latency_1, "batch": 1},
        infer_samples_per_s=round(32 / latency_32["p50"] * 1000, 2), device=device)
    write_run_card(run_dir, card)
    return card


def score_validation(predictor, config, batch_size: int) -> tuple[dict, TextTable]:
    """Metrics and the most confident mistakes of `predictor` on the validation split of `config`."""
    from modelkit.evaluate import classification_report, confident_mistakes

    _, val = load_splits(config)
    probabilities = predictor.predict_proba(val.texts, batch_size=batch_size)
    label_ids = [predictor.label_names.index(label) for label in val.labels]
    report = classification_report(label_ids, probabilities, predictor.label_names)
    report["mistakes"] = confident_mistakes(val.texts, label_ids, probabilities, predictor.label_names)
    return report, val


def evaluate_run(run_dir: str | Path, batch_size: int = 64) -> dict:
    """Re-score `<run_dir>/model` on the validation split its training config describes (CLI `eval`)."""
    from modelkit.config import TrainConfig
    from modelkit.text.predict import Predictor

    run_dir = Path(run_dir)
    config = TrainConfig(**json.loads((run_dir / "model" / "train_config.json").read_text()))
    return score_validation(Predictor.from_run(run_dir), config, batch_size)[0]
