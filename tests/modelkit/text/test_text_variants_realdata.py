"""Real data: the bundled BERT fine-tuned on 2,000 SST-2 sentences (the issue's target subset), then distilled
into half its layers, scored on the 872 dev sentences. Reads ../shared/data/sst2 (or $REALDATA_DIR/sst2) and
skips with the reason when absent.

Measured (2026-12-01, 2 shared CPU cores): teacher 0.822 dev (best of 2 epochs: its first); half-layer student
(teacher layers 2, 4, 6; logits computed once) 0.786 after two distillation epochs, too close to the line, so
the test distils for four: a sweep of the same student read 0.788 / 0.802 / 0.799 / 0.802 after epochs 1-4.
The whole test with four epochs: 13 min 46 s wall beside a full CI run (13 min CPU); 2 epochs took 4 min 56 s
at a load of 3-5.
"""
from __future__ import annotations

import pytest

from modelkit.config import TrainConfig
from modelkit.text.compress import compress
from modelkit.text.variants import CompressRequest
from modelkit.train import RunOptions, train
from tests.conftest import real_data_dir

SST2 = real_data_dir() / "sst2"
pytestmark = pytest.mark.skipif(not (SST2 / "dev.tsv").exists(),
                                reason=f"SST-2 not found at {SST2}; set REALDATA_DIR to the shared data folder")
TRAIN_ROWS = 2000


@pytest.mark.slow  # a real 6-layer fine-tune and a distillation on 2 CPU cores
def test_distilling_the_sst2_run_into_half_the_layers_keeps_78_percent_dev_accuracy(tmp_path):
    config = TrainConfig(model_name="bundled", data_path=str(SST2 / "train.tsv"), val_path=str(SST2 / "dev.tsv"),
                         max_train_rows=TRAIN_ROWS, epochs=2, batch_size=32, learning_rate=1e-4, max_length=48,
                         freeze_embeddings=True, early_stopping_patience=1, checkpoint_every_s=10**6)
    train(config, RunOptions(run_dir=str(tmp_path / "sst2"), device="cpu"))

    rows = compress(tmp_path / "sst2", CompressRequest("distill", layers=3, epochs=4), repeats=3)

    student = next(row for row in rows if row["method"] == "distill-3L")
    assert student["layers"] == 3 and student["examples"] == 872
    assert student["accuracy"] >= 0.78, rows
