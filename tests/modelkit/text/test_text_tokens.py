"""The light tokenizer counts tokens exactly like the training tokenizer, without importing torch."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from modelkit.text.tokens import length_tokenizer

ROOT = Path(__file__).resolve().parents[3]
TEXTS = ["My invoice is wrong", "The export button crashes the app when I click it twice", "x " * 700, ""]


def test_token_counts_match_the_bundled_models_own_tokenizer():
    from modelkit.text.model import load_tokenizer

    light = length_tokenizer("bundled")(TEXTS, add_special_tokens=True, truncation=False)["input_ids"]
    full = load_tokenizer("bundled")(TEXTS, add_special_tokens=True, truncation=False)["input_ids"]

    assert [len(ids) for ids in light] == [len(ids) for ids in full]
    assert light == full


def test_the_light_tokenizer_loads_neither_torch_nor_transformers():
    code = ("import sys; from modelkit.text.tokens import length_tokenizer; length_tokenizer('bundled')(['hi']); "
            "print(sorted({'torch', 'transformers'} & set(sys.modules)))")

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
