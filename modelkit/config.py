"""Training hyperparameters as one dataclass, stored with every checkpoint and every run card.

Kept free of torch so the CLI parser, the job queue and pages can build and validate a config cheaply.
Runtime switches (device, precision, folders) are not here: see `modelkit.train.RunOptions`.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TrainConfig:
    task: str = "text"
    model_name: str = "bundled"
    data_path: str = ""  # empty: the built-in example dataset
    val_path: str = ""  # empty: split off val_fraction of data_path
    text_column: str | None = None
    label_column: str | None = None
    val_fraction: float = 0.2
    max_train_rows: int | None = None
    max_val_rows: int | None = None
    merge_label_variants: bool = False
    max_length: int = 128
    batch_size: int = 16
    eval_batch_size: int = 64
    epochs: int = 3
    max_steps: int | None = None
    learning_rate: float = 5e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    freeze_embeddings: bool = False  # small data: keeps pretrained word vectors, halves optimizer work
    seed: int = 42
    early_stopping_patience: int = 2
    log_every_steps: int = 10
    # a crash loses at most this much training: a checkpoint every N steps or T seconds, whichever first
    checkpoint_every_steps: int = 500
    checkpoint_every_s: float = 180.0
    label_names: list[str] = field(default_factory=list)
    # image task only (text ignores them): 0 = the model's default size; comma list of flip,crop,jitter;
    # epochs with a frozen backbone when pretrained weights are loaded (head first, then unfreeze)
    image_size: int = 0
    augment: str = ""
    freeze_epochs: int = 1
    # what the page predicted before the start (seconds on this machine); kept so the run card can
    # set it beside the time the run really took
    predicted_seconds: float | None = None
    # the model comparison this run was trained for (modelkit.vision.compare), "" for none: kept on the run
    # card, so a compared run is a normal run that still says which comparison it belongs to
    comparison_id: str = ""
