"""Classification metrics: accuracy, macro-F1, per-class precision/recall/F1, confusion matrix, and the
most confident mistakes. Pure functions over label ids and probabilities, shared by text and images.

`evaluate_saved_model(run_dir)` re-scores a run's saved text model on its validation split; the CLI's
`python -m modelkit eval --run-dir ...` calls it.
"""
from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support


def accuracy_and_macro_f1(labels: list[int], predictions: list[int]) -> dict:
    if not labels:
        return {"accuracy": 0.0, "macro_f1": 0.0}
    return {"accuracy": round(float(accuracy_score(labels, predictions)), 5),
            "macro_f1": round(float(f1_score(labels, predictions, average="macro", zero_division=0)), 5)}


def classification_report(labels: list[int], probabilities: np.ndarray, label_names: list[str]) -> dict:
    """Everything the results panel shows, as plain JSON-able values."""
    predictions = probabilities.argmax(axis=1).tolist()
    ids = list(range(len(label_names)))
    precision, recall, f1, support = precision_recall_fscore_support(labels, predictions, labels=ids,
                                                                     zero_division=0)
    per_class = {name: {"precision": round(float(precision[i]), 4), "recall": round(float(recall[i]), 4),
                        "f1": round(float(f1[i]), 4), "support": int(support[i])}
                 for i, name in enumerate(label_names)}
    return {**accuracy_and_macro_f1(labels, predictions), "per_class": per_class, "labels": label_names,
            "confusion_matrix": confusion_matrix(labels, predictions, labels=ids).tolist(),
            "examples": len(labels)}


def confident_mistakes(inputs: list, labels: list[int], probabilities: np.ndarray, label_names: list[str],
                       limit: int = 10) -> list[dict]:
    """Wrong predictions sorted by the model's confidence: the ones worth reading first."""
    predictions = probabilities.argmax(axis=1)
    wrong = [i for i, (truth, guess) in enumerate(zip(labels, predictions)) if truth != guess]
    wrong.sort(key=lambda i: -probabilities[i, predictions[i]])
    return [{"input": inputs[i], "true": label_names[labels[i]], "predicted": label_names[predictions[i]],
             "confidence": round(float(probabilities[i, predictions[i]]), 4)} for i in wrong[:limit]]


def evaluate_saved_model(run_dir, batch_size: int = 64) -> dict:
    """Re-score `<run_dir>/model` on the validation split its training config describes."""
    from pathlib import Path

    from modelkit.text.predict import Predictor
    from modelkit.text.task import load_splits
    from modelkit.train import TrainConfig
    import json

    run_dir = Path(run_dir)
    config = TrainConfig(**json.loads((run_dir / "model" / "train_config.json").read_text()))
    predictor = Predictor.from_run(run_dir)
    _, val = load_splits(config)
    probabilities = predictor.predict_proba(val.texts, batch_size=batch_size)
    label_ids = [predictor.label_names.index(label) for label in val.labels]
    report = classification_report(label_ids, probabilities, predictor.label_names)
    report["mistakes"] = confident_mistakes(val.texts, label_ids, probabilities, predictor.label_names)
    return report
