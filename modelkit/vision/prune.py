"""Channel pruning of the small CNN: a genuinely smaller dense network, then a short recovery fine-tune.

Each of the six convolutions keeps its most important output channels; a channel's importance is the L1
norm of its filter after folding in the batch-norm that follows (|γ| / √(var + ε) × Σ|w|), since batch-norm
rescales every channel and would make the raw filter norm meaningless (Li et al. 2017, "Pruning Filters
for Efficient ConvNets"; the γ factor as in Liu et al. 2017, "Network Slimming"). The kept channels are
copied into a new SmallCNN built with the smaller widths (the next convolution and the classifier lose
the matching input channels), so the pruned model is faster on dense hardware, not just masked.
`recover(...)` fine-tunes it on the run's training images against the unpruned teacher's soft labels plus
the true labels (modelkit.variants.distillation_loss), with progress and cancel between steps.
The kept widths are saved as structure.json beside the safetensors, so `load_pruned` rebuilds the shape.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from modelkit.errors import CompressionCancelled, CompressionRequestError
from modelkit.variants import distillation_loss
from modelkit.vision.model import ImageClassifier, ImageProcessor, SmallCNN

STRUCTURE_FILE = "structure.json"


def check_channels_fraction(fraction: float) -> None:
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise CompressionRequestError(f"channels fraction={fraction!r} must be more than 0 and less than 1, "
                                      "e.g. 0.5 to remove half of every convolution's channels")


def convs_and_norms(net: SmallCNN) -> list[tuple[nn.Conv2d, nn.BatchNorm2d]]:
    """The six (convolution, its batch-norm) pairs, in order."""
    pairs = []
    for block in net.features:
        pairs += [(block[0], block[1]), (block[3], block[4])]
    return pairs


def widths_of(net: SmallCNN) -> tuple[int, ...]:
    return tuple(conv.out_channels for conv, _ in convs_and_norms(net))


def channel_importance(conv: nn.Conv2d, norm: nn.BatchNorm2d) -> torch.Tensor:
    """L1 norm of each filter as the batch-norm scales it: what the channel contributes after normalisation."""
    scale = norm.weight.detach().abs() / torch.sqrt(norm.running_var + norm.eps)
    return conv.weight.detach().abs().sum(dim=(1, 2, 3)) * scale


def kept_channels(net: SmallCNN, fraction: float) -> list[torch.Tensor]:
    """For each convolution, the sorted indices of the channels kept (at least one)."""
    check_channels_fraction(fraction)
    kept = []
    for conv, norm in convs_and_norms(net):
        count = max(1, int(round(conv.out_channels * (1.0 - fraction))))
        kept.append(torch.topk(channel_importance(conv, norm), count).indices.sort().values)
    return kept


def prune_channels(model: ImageClassifier, fraction: float) -> ImageClassifier:
    """A new, smaller small CNN holding the kept channels of `model` (which is left as it was)."""
    net = model.net
    if not isinstance(net, SmallCNN):
        raise CompressionRequestError(f"channel pruning supports the small CNN only, not {type(net).__name__}")
    kept = kept_channels(net, fraction)
    pruned = SmallCNN(net.classifier[-1].out_features, net.features[0][0].in_channels,
                      widths=tuple(len(k) for k in kept))
    inputs = torch.arange(net.features[0][0].in_channels)
    with torch.no_grad():
        for (old, old_norm), (new, new_norm), outputs in zip(convs_and_norms(net), convs_and_norms(pruned), kept):
            new.weight.copy_(old.weight[outputs][:, inputs])
            for name in ("weight", "bias", "running_mean", "running_var"):
                getattr(new_norm, name).copy_(getattr(old_norm, name)[outputs])
            new_norm.num_batches_tracked.copy_(old_norm.num_batches_tracked)
            inputs = outputs
        old_head, new_head = net.classifier[-1], pruned.classifier[-1]
        new_head.weight.copy_(old_head.weight[:, inputs])
        new_head.bias.copy_(old_head.bias)
    return ImageClassifier(pruned).eval()


def save_pruned(model: ImageClassifier, processor: ImageProcessor, folder: Path) -> None:
    """Weights as safetensors, the preprocessing, and the kept widths (so the shape can be rebuilt)."""
    from safetensors.torch import save_model

    folder.mkdir(parents=True, exist_ok=True)
    save_model(model, str(folder / "model.safetensors"))
    processor.save_pretrained(folder)
    net = model.net
    (folder / STRUCTURE_FILE).write_text(json.dumps({
        "architecture": "small_cnn", "widths": list(widths_of(net)), "channels": net.features[0][0].in_channels,
        "num_classes": net.classifier[-1].out_features}))


def load_pruned(folder: Path) -> tuple[ImageClassifier, ImageProcessor]:
    """(model, processor) of a saved pruned CNN, its shape from structure.json; strict, no pickles."""
    from safetensors.torch import load_model

    structure = json.loads((Path(folder) / STRUCTURE_FILE).read_text())
    model = ImageClassifier(SmallCNN(structure["num_classes"], structure["channels"],
                                     widths=tuple(structure["widths"])))
    load_model(model, str(Path(folder) / "model.safetensors"))  # strict: a shape that does not fit is an error
    return model.eval(), ImageProcessor.from_pretrained(folder)


def recover(teacher, student, processor: ImageProcessor, images: torch.Tensor, labels: list[int], settings: dict,
            on_step: Callable[[int, int, float], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> dict:
    """Fine-tune `student` in place on the teacher's soft labels plus the true labels; return steps, loss, time.

    `settings`: epochs, batch_size, learning_rate, temperature, alpha, seed."""
    torch.manual_seed(settings["seed"])
    batch_size = settings["batch_size"]
    per_epoch = -(-len(labels) // batch_size)
    steps = max(1, int(round(per_epoch * settings["epochs"])))
    optimizer = torch.optim.AdamW(student.parameters(), lr=settings["learning_rate"])
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1 - s / steps))
    targets = torch.tensor(labels, dtype=torch.long)
    teacher.eval()
    student.train()
    started, loss_value = time.perf_counter(), float("nan")
    generator = torch.Generator().manual_seed(settings["seed"])
    order = torch.randperm(len(labels), generator=generator)
    for step in range(steps):
        if should_stop and should_stop():
            raise CompressionCancelled("compression cancelled; the trained model and earlier variants are unchanged")
        if step and step % per_epoch == 0:
            order = torch.randperm(len(labels), generator=generator)
        picked = order[(step % per_epoch) * batch_size:(step % per_epoch + 1) * batch_size]
        pixels = processor.normalise(images[picked])
        with torch.no_grad():
            teacher_logits = teacher(pixels)
        loss = distillation_loss(student(pixels), teacher_logits, targets[picked], settings["temperature"],
                                 settings["alpha"])
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        loss_value = float(loss.detach())
        if on_step:
            on_step(step + 1, steps, loss_value)
    student.eval()
    return {"steps": steps, "final_loss": round(loss_value, 5), "seconds": round(time.perf_counter() - started, 3)}
