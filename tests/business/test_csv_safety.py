"""Text that a spreadsheet would run as a formula is written as text in every CSV the app exports."""
from __future__ import annotations

import pandas as pd

from business.csv_safety import neutral_cell, neutral_frame


def test_formula_starts_get_an_apostrophe_and_numbers_stay_numbers():
    cells = ["=HYPERLINK(\"http://x\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "plain", "-5000.00", "+3", 7]

    assert [neutral_cell(cell) for cell in cells] == [
        "'=HYPERLINK(\"http://x\",\"click\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTAB", "plain", "-5000.00", "+3", 7]


def test_a_predictions_frame_keeps_its_probabilities_and_neutralises_texts_labels_and_names():
    frame = pd.DataFrame({"text": ["=cmd|' /C calc'!A0", "fine"], "label": ["@risk", "ok"], "p_ok": [0.25, 0.75]})

    safe = neutral_frame(frame)

    assert safe["text"].tolist() == ["'=cmd|' /C calc'!A0", "fine"] and safe["label"].tolist() == ["'@risk", "ok"]
    assert safe["p_ok"].tolist() == [0.25, 0.75] and frame["text"][0].startswith("=")  # the original is untouched
