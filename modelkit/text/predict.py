"""Predictions from a trained text model: class probabilities for texts or a whole CSV, and latency.

`Predictor.from_run(run_dir)` loads `<run_dir>/model` (safetensors); `predict(texts)` returns a table of
label + probabilities; `predict_table(table_bytes)` does the same for an uploaded CSV/TSV/JSONL. The
CLI's `python -m modelkit predict` and the page's demo both use it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from modelkit.batching import PaddingCollator


@dataclass
class Predictor:
    model: torch.nn.Module
    tokenizer: object
    label_names: list[str]
    max_length: int = 128
    device: str = "cpu"

    @classmethod
    def from_run(cls, run_dir: str | Path, device: str = "cpu", max_length: int | None = None) -> "Predictor":
        import json

        from modelkit.text.model import load_trained_model

        model_dir = Path(run_dir) / "model"
        model, tokenizer, labels = load_trained_model(model_dir)
        config_path = model_dir / "train_config.json"
        saved_length = json.loads(config_path.read_text()).get("max_length", 128) if config_path.exists() else 128
        return cls(model.to(device), tokenizer, labels, max_length or saved_length, device)

    def batches(self, texts: list[str], batch_size: int):
        collate = PaddingCollator(self.tokenizer.pad_token_id or 0)
        encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)["input_ids"]
        for start in range(0, len(encoded), batch_size):
            batch = collate([{"input_ids": ids, "labels": 0} for ids in encoded[start:start + batch_size]])
            batch.pop("labels")
            yield {key: value.to(self.device) for key, value in batch.items()}

    @torch.inference_mode()
    def predict_proba(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        self.model.eval()
        chunks = [torch.softmax(self.model(**batch).logits.float(), dim=-1).cpu().numpy()
                  for batch in self.batches(texts, batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.label_names)))

    def predict(self, texts: list[str], batch_size: int = 32) -> pd.DataFrame:
        probabilities = self.predict_proba(texts, batch_size)
        frame = pd.DataFrame({"text": list(texts)})
        frame["label"] = [self.label_names[i] for i in probabilities.argmax(axis=1)] if len(texts) else []
        frame["confidence"] = probabilities.max(axis=1).round(4) if len(texts) else []
        for index, name in enumerate(self.label_names):
            frame[f"p_{name}"] = probabilities[:, index].round(4)
        return frame

    def predict_table(self, source, filename: str = "upload.csv", text_column: str | None = None,
                      max_rows: int | None = None) -> pd.DataFrame:
        """Predictions for every row of an uploaded table; a label column is not required. `max_rows`
        (hosted mode) refuses a larger table before any prediction is spent on it."""
        from modelkit.text.columns import map_columns
        from modelkit.text.data import DataError, decode_text, parse_frame, read_bytes

        text, _, _ = decode_text(read_bytes(source))
        lines = text.splitlines()
        if lines and not any(mark in lines[0] for mark in ",;\t|"):
            # one column: every line is a text, commas and all (such files are rarely quoted)
            predictions = self.predict(_within(max_rows, [line for line in lines[1:] if line.strip()], DataError))
            predictions.attrs["columns_how"] = "one column: every line after the header is a text"
            return predictions
        frame = parse_frame(text, filename)
        mapping = map_columns(frame, text_column, need_label=False)
        predictions = self.predict(_within(max_rows, frame[mapping.text.column].astype(str).tolist(), DataError))
        predictions.attrs["columns_how"] = mapping.describe()
        return predictions


def _within(max_rows: int | None, texts: list[str], error: type[ValueError]) -> list[str]:
    if max_rows is not None and len(texts) > max_rows:
        raise error(f"The table has {len(texts):,} rows; batch predictions here take at most {max_rows:,}.")
    return texts


def latency_batch(predictor: Predictor, texts: list[str], batch_size: int) -> dict:
    """A real batch of validation texts (repeated if there are fewer) for latency measurements."""
    chosen = (list(texts) * (batch_size // max(len(texts), 1) + 1))[:batch_size]
    return next(predictor.batches(chosen, batch_size))
