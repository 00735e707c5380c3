"""Real data: the bundled BERT fine-tuned on 2,000 SST-2 training sentences on CPU, scored on the 872 dev sentences.

Reads ../shared/data/sst2 (or $REALDATA_DIR/sst2) and skips with the reason when it is absent.
"""
from __future__ import annotations

import csv

import pytest

from modelkit.config import TrainConfig
from modelkit.text.data import load_text_table
from modelkit.runs import read_run_card
from modelkit.train import RunOptions, train
from tests.conftest import real_data_dir

SST2 = real_data_dir() / "sst2"
pytestmark = pytest.mark.skipif(not (SST2 / "dev.tsv").exists(),
                                reason=f"SST-2 not found at {SST2}; set REALDATA_DIR to the shared data folder")


def test_sst2_files_are_read_without_quote_handling_and_keep_every_dev_sentence():
    dev = load_text_table(SST2 / "dev.tsv")

    with (SST2 / "dev.tsv").open(encoding="utf-8") as handle:
        expected = sum(1 for _ in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)) - 1
    assert len(dev) == expected == 872
    assert sorted(set(dev.labels)) == ["0", "1"]


@pytest.mark.slow
def test_the_bundled_bert_on_2000_sst2_sentences_reaches_80_percent_dev_accuracy_on_cpu(tmp_path):
    config = TrainConfig(model_name="bundled", data_path=str(SST2 / "train.tsv"), val_path=str(SST2 / "dev.tsv"),
                         max_train_rows=2000, epochs=2, batch_size=32, learning_rate=1e-4, max_length=64,
                         freeze_embeddings=True, early_stopping_patience=1)

    train(config, RunOptions(run_dir=str(tmp_path / "sst2"), device="cpu"))

    card = read_run_card(tmp_path / "sst2")
    assert card["metrics"]["examples"] == 872
    assert card["metrics"]["accuracy"] >= 0.80
    assert card["config"]["max_train_rows"] == 2000
