"""The "image" task for the training loop: image sets -> augmented datasets + CNN, and the after-training
evaluation that writes metrics.json, misclassified thumbnails (mistakes/) and the run card.

`modelkit.train` reaches this module through `modelkit.tasks.get_task("image")`
(`python -m modelkit train --task image --model small_cnn --data digits ...`).
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from modelkit.vision.data import MIN_PER_CLASS, ImageSet
from modelkit.vision.sources import load_image_splits
from modelkit.tasks import TaskData
from modelkit.vision.model import (MODELS, AugmentedImages, ImageCollator, ImageProcessor,
                             augmentation, build_image_model, make_processor)
from modelkit.vision.choice import is_digits, model_key, resolve_image_size
from modelkit.vision.lite0 import LITE0

FEATURE_CACHE_DIR = "feature_cache"

MISTAKES_DIR = "mistakes"
THUMBNAIL_PX = 96


def load_sets(config) -> tuple[ImageSet, ImageSet, dict]:
    """Train and validation sets with their pixels as torch tensors (sharing the loaded arrays' memory)."""
    train, val, report = load_image_splits(config, resolve_image_size(config))
    return as_tensors(train), as_tensors(val), report.to_dict()


def as_tensors(images: ImageSet) -> ImageSet:
    return replace(images, images=torch.from_numpy(np.ascontiguousarray(images.images)))


def channel_stats(train: ImageSet) -> tuple[list[float], list[float]]:
    pixels = train.images.float() / 255.0
    mean = pixels.mean(dim=(0, 2, 3)).tolist()
    std = pixels.std(dim=(0, 2, 3)).clamp_min(1e-3).tolist()
    return [round(m, 4) for m in mean], [round(s, 4) for s in std]


def data_hash(train: ImageSet, val: ImageSet) -> str:
    return f"sha256:{train.content_hash()[:16]}-{val.content_hash()[:16]}"


def prepare_task(config) -> TaskData:
    config.model_name = model_key(config)
    train, val, report = load_sets(config)
    label_names = config.label_names or train.label_names
    if list(label_names) != list(train.label_names):
        raise ValueError(f"the data's classes {train.label_names} differ from the run's {list(label_names)}")
    size = resolve_image_size(config)
    processor = make_processor(config.model_name, size, train.images.shape, label_names,
                               is_digits(config), channel_stats(train))
    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    # several processes (DDP) need every parameter in every step's backward, so no head-first phase there
    freeze_epochs = config.freeze_epochs if int(os.environ.get("WORLD_SIZE", "1")) == 1 else 0
    head_on_features = config.model_name == LITE0 and freeze_epochs > 0
    model, weights_note, pretrained = build_image_model(
        config.model_name, len(label_names), processor.channels,
        freeze_steps=0 if head_on_features else freeze_epochs * steps_per_epoch)
    augment = [name.strip() for name in config.augment.split(",") if name.strip()]
    transform = augmentation(augment, int(train.images.shape[-1]), int(train.images.shape[1]))
    notes = [weights_note] + report["warnings"]
    if head_on_features:
        notes.append(head_first(model, processor, train, val))
    elif pretrained and freeze_epochs:
        notes.append(f"backbone frozen for the first {freeze_epochs} epoch(s), then fine-tuned end to end")
    return TaskData(model=model, processor=processor, train_set=AugmentedImages(train.images, train.labels, transform),
                    val_set=AugmentedImages(val.images, val.labels), collate=ImageCollator(processor),
                    label_names=label_names, data_hash=data_hash(train, val),
                    extra={"notes": notes, "report": report, "pretrained": pretrained, "weights": weights_note,
                           "min_train_rows": MIN_PER_CLASS * len(label_names),
                           # the head alone is scored and saved first: fine-tuning must beat it to replace it
                           "score_before_training": head_on_features})


def head_first(model, processor: ImageProcessor, train: ImageSet, val: ImageSet) -> str:
    """Train the head on the frozen backbone's features, computed once (or read from the feature cache)."""
    import time

    from modelkit.paths import app_data_dir
    from modelkit.vision.features import cached_features, compute_features, fit_head, head_accuracy, install_head
    from modelkit.vision.lite0 import head_of, weights_id

    started = time.perf_counter()
    folder = app_data_dir() / FEATURE_CACHE_DIR
    features, hits = {}, 0
    for split, images in (("train", train), ("val", val)):
        key = f"{weights_id()}-{processor.image_size}px-{images.content_hash()[:24]}"
        features[split], hit = cached_features(folder, key, lambda: compute_features(model.net, processor.normalise,
                                                                                     images.images))
        hits += hit
    model.net.to(memory_format=torch.contiguous_format)  # checkpoints (safetensors) want plain layouts
    feature_s = time.perf_counter() - started
    fit = fit_head(features["train"], train.labels, len(train.label_names))
    install_head(head_of(model.net), fit)
    accuracy = head_accuracy(fit, features["val"], val.labels)
    source = "read from the feature cache" if hits == 2 else f"computed once in {feature_s:.0f} s"
    return (f"head first, backbone frozen: its features for {len(train) + len(val):,} images {source}, the head "
            f"trained on them in {fit.seconds:.1f} s (validation accuracy {accuracy:.3f}); then fine-tuned end to "
            "end with the backbone at a tenth of the learning rate and its batch-norm statistics kept; the "
            "better of the two is kept")


def load_trained(run_dir: Path, device: str = "cpu") -> tuple[torch.nn.Module, ImageProcessor, dict]:
    """The best saved model of a run (safetensors), its processor and its training config."""
    from safetensors.torch import load_model

    model_dir = Path(run_dir) / "model"
    processor = ImageProcessor.from_pretrained(model_dir)
    config = json.loads((model_dir / "train_config.json").read_text())
    model, _, _ = build_image_model(processor.model_name, len(processor.label_names), processor.channels,
                                    use_cache=False)
    load_model(model, str(model_dir / "model.safetensors"))
    return model.to(device).eval(), processor, config


@torch.inference_mode()
def predict_proba(model, processor: ImageProcessor, images: torch.Tensor, batch_size: int = 128,
                  device: str = "cpu") -> np.ndarray:
    """Class probabilities for uint8 images [N, C, H, W] (already at the stored size)."""
    model.eval()
    chunks = [torch.softmax(model(processor.normalise(images[i:i + batch_size]).to(device)).float(), -1).cpu().numpy()
              for i in range(0, len(images), batch_size)]
    return np.concatenate(chunks) if chunks else np.zeros((0, len(processor.label_names)))


def save_mistakes(run_dir: Path, val: ImageSet, probabilities: np.ndarray, label_names: list[str],
                  limit: int = 24) -> list[dict]:
    """The most confident wrong predictions, each with a small PNG thumbnail for the page's gallery."""
    from PIL import Image

    predictions = probabilities.argmax(axis=1)
    wrong = [i for i, (truth, guess) in enumerate(zip(val.labels, predictions)) if truth != guess]
    wrong.sort(key=lambda i: -probabilities[i, predictions[i]])
    folder = Path(run_dir) / MISTAKES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for rank, index in enumerate(wrong[:limit]):
        pixels = val.images[index].numpy()
        image = Image.fromarray(pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0))
        image = image.resize((THUMBNAIL_PX, THUMBNAIL_PX), Image.NEAREST if image.width < 32 else Image.BILINEAR)
        file = f"{MISTAKES_DIR}/{rank:03d}.png"
        image.save(Path(run_dir) / file)
        rows.append({"file": file, "source": val.names[index], "true": label_names[val.labels[index]],
                     "predicted": label_names[predictions[index]],
                     "confidence": round(float(probabilities[index, predictions[index]]), 4)})
    return rows


def evaluate_run(run_dir: Path, write: bool = True) -> dict:
    """Re-score a run's best model on its validation split: metrics, confusion matrix, mistakes gallery."""
    from modelkit.evaluate import classification_report
    from modelkit.train import TrainConfig

    model, processor, config_dict = load_trained(run_dir)
    config = TrainConfig(**config_dict)
    _, val, report_data = load_sets(config)
    probabilities = predict_proba(model, processor, val.images)
    report = classification_report(list(val.labels), probabilities, processor.label_names)
    report["mistakes"] = save_mistakes(run_dir, val, probabilities, processor.label_names) if write else []
    report["data_report"] = report_data
    if write:
        (Path(run_dir) / "metrics.json").write_text(json.dumps(report, indent=2))
    return report


def finalize_run(run_dir: Path, config, summary: dict) -> dict:
    """Score the best saved model on validation, time it on CPU, and write metrics.json + the run card."""
    from modelkit.events import read_events
    from modelkit.measure import measure_latency_ms
    from modelkit.runs import build_run_card, model_size_bytes, write_run_card

    report = evaluate_run(Path(run_dir))
    model, processor, _ = load_trained(run_dir)
    stored = processor.stored_size or processor.image_size
    shape = (processor.stored_channels, stored, stored)
    latency_1 = measure_latency_ms(model, {"pixel_values": processor.normalise(torch.zeros((1, *shape), dtype=torch.uint8))})
    latency_32 = measure_latency_ms(model, {"pixel_values": processor.normalise(torch.zeros((32, *shape), dtype=torch.uint8))},
                                    repeats=10)
    card = build_run_card(
        run_dir=run_dir, task="image", config=config, summary=summary, report=report,
        model_name=MODELS.get(processor.model_name, processor.model_name),
        parameters=sum(p.numel() for p in model.parameters()), size_bytes=model_size_bytes(Path(run_dir) / "model"),
        latency_ms={**latency_1, "batch": 1, "batch32_p50": latency_32["p50"], "batch32_p95": latency_32["p95"]},
        infer_samples_per_s=round(32 / latency_32["p50"] * 1000, 2), device="cpu")
    notes = read_events(run_dir, ("note",))
    card["weights"] = notes[0]["message"] if notes else ""  # the first note says how the weights started
    card["image_size"] = processor.image_size
    write_run_card(run_dir, card)
    return card
