"""Real data: the bundled BERT fine-tuned on a SST-2 subset, then distilled into half its layers, scored on
the 872 dev sentences. Reads ../shared/data/sst2 (or $REALDATA_DIR/sst2) and skips with the reason when absent.
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
TRAIN_ROWS = 1000


@pytest.mark.skip(reason="issue 14, open: the 3-layer student lands at the 0.78 line (0.787 at lr 1e-4 and "
                         "0.788 at lr 3e-4 over 3 epochs, one run below it), too close to hold in CI; kept for "
                         "when distillation gets a larger transfer set")
@pytest.mark.slow  # a real 6-layer fine-tune and a distillation: ~8 minutes on 2 CPU cores
def test_distilling_the_sst2_run_into_half_the_layers_keeps_78_percent_dev_accuracy(tmp_path):
    config = TrainConfig(model_name="bundled", data_path=str(SST2 / "train.tsv"), val_path=str(SST2 / "dev.tsv"),
                         max_train_rows=TRAIN_ROWS, epochs=2, batch_size=32, learning_rate=1e-4, max_length=48,
                         freeze_embeddings=True, early_stopping_patience=1)
    train(config, RunOptions(run_dir=str(tmp_path / "sst2"), device="cpu"))

    rows = compress(tmp_path / "sst2", CompressRequest("distill", layers=3, epochs=3), repeats=3)

    student = next(row for row in rows if row["method"] == "distill-3L")
    assert student["layers"] == 3 and student["examples"] == 872
    assert student["accuracy"] >= 0.78, rows
