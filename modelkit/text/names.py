"""The names of the text models, importable without torch: what a page shows and run cards record."""
from __future__ import annotations

BUNDLED = "bundled"
TINY = "tiny-bert"


def display_name(model_name: str) -> str:
    """The name a person (and the cost estimator's preset matcher) recognises."""
    return "all-MiniLM-L6-v2 (bundled)" if model_name == BUNDLED else model_name
