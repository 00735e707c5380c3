"""Classification metrics: accuracy, macro-F1, per-class precision/recall/F1, confusion matrix, and the
most confident mistakes. Pure functions over label ids and probabilities, shared by text and images;
each task re-scores its saved runs with them (modelkit.text.task / modelkit.vision.task `evaluate_run`).
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
