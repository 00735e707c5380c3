"""Batches for text training: pre-tokenized dataset, dynamic-padding collator, length-grouped batches.

Padding each batch only to its longest text, and putting texts of similar length in the same batch,
is most of why our loop beats a fixed-length one: short texts stop paying for long ones.
Used by `modelkit.text.task.prepare_task` and the training loop; no module-level state.
"""
from __future__ import annotations

import random

import torch
from torch.utils.data import Dataset, Sampler


class TokenizedTexts(Dataset):
    """Token ids (unpadded) and integer labels, tokenized once up front."""

    def __init__(self, input_ids: list[list[int]], labels: list[int]):
        self.input_ids = input_ids
        self.labels = labels

    def __len__(self) -> int:
        return len(self.input_ids)

    def __getitem__(self, index: int) -> dict:
        return {"input_ids": self.input_ids[index], "labels": self.labels[index]}

    def lengths(self) -> list[int]:
        return [len(ids) for ids in self.input_ids]


def tokenize_texts(texts: list[str], labels: list[int], tokenizer, max_length: int) -> TokenizedTexts:
    encoded = tokenizer(texts, truncation=True, max_length=max_length, add_special_tokens=True)
    return TokenizedTexts(encoded["input_ids"], labels)


class PaddingCollator:
    """Pads a batch to its own longest sequence (rounded up to a multiple, for GPU tensor cores)."""

    def __init__(self, pad_token_id: int, pad_to_multiple_of: int = 1):
        self.pad_token_id = pad_token_id
        self.multiple = max(1, pad_to_multiple_of)

    def __call__(self, items: list[dict]) -> dict[str, torch.Tensor]:
        longest = max(len(item["input_ids"]) for item in items)
        width = -(-longest // self.multiple) * self.multiple
        input_ids = torch.full((len(items), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(items), width), dtype=torch.long)
        for row, item in enumerate(items):
            ids = item["input_ids"]
            input_ids[row, :len(ids)] = torch.tensor(ids, dtype=torch.long)
            attention_mask[row, :len(ids)] = 1
        labels = torch.tensor([item["labels"] for item in items], dtype=torch.long)
        return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}


class LengthGroupedBatchSampler(Sampler[list[int]]):
    """Shuffled batches of similar-length items; same seed and epoch give the same batches.

    Items are shuffled, cut into mega-batches of `group_batches` batches, each mega-batch is sorted by
    length and cut into batches, then the batch order is shuffled: random enough to train well, grouped
    enough to waste little padding (the scheme of Hugging Face's LengthGroupedSampler).
    """

    def __init__(self, lengths: list[int], batch_size: int, seed: int = 0, shuffle: bool = True,
                 group_batches: int = 50):
        self.lengths = lengths
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.group_batches = group_batches
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        return iter(self.batches())

    def batches(self) -> list[list[int]]:
        indices = list(range(len(self.lengths)))
        if not self.shuffle:
            indices.sort(key=lambda i: -self.lengths[i])
            return [indices[i:i + self.batch_size] for i in range(0, len(indices), self.batch_size)]
        rng = random.Random(self.seed * 1000 + self.epoch)
        rng.shuffle(indices)
        group = self.batch_size * self.group_batches
        batches = []
        for start in range(0, len(indices), group):
            chunk = sorted(indices[start:start + group], key=lambda i: -self.lengths[i])
            batches += [chunk[i:i + self.batch_size] for i in range(0, len(chunk), self.batch_size)]
        rng.shuffle(batches)
        return batches
