"""What every measured row of a text run shares: latency percentiles, scores on the validation set, row names."""
from __future__ import annotations

from modelkit.evaluate import accuracy_and_macro_f1
from modelkit.measure import percentiles  # noqa: F401  (the rows' p50/p95, shared with the image comparison)
from modelkit.text.predict import Predictor
from modelkit.text.variants import TEACHER


def scores(predictor: Predictor, texts: list[str], labels: list[str]) -> dict:
    probabilities = predictor.predict_proba(texts, batch_size=32)
    truth = [predictor.label_names.index(label) for label in labels]
    return accuracy_and_macro_f1(truth, probabilities.argmax(axis=1).tolist())


def row_name(name: str) -> str:
    return "fp32" if name == TEACHER else name
