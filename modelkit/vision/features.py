"""Head-first transfer learning on cached features: run the frozen backbone once, train the head on its output.

While the backbone is frozen, every epoch would push the same images through the same layers; computing
the pooled features once and fitting the linear head on them (a multinomial logistic regression, full
batch L-BFGS) takes seconds instead of minutes on a CPU. Features are kept on disk under a key made of
the weights and the images' content hash, so a second run on the same data (or a test session) reuses
them. Used by modelkit.vision.task (the "head" phase of an EfficientNet-Lite0 run), bench/ and tests.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from modelkit.vision.lite0 import pooled_features


@dataclass(frozen=True)
class HeadFit:
    """A head trained on cached features, with what it cost."""
    weight: torch.Tensor
    bias: torch.Tensor
    train_accuracy: float
    seconds: float


def compute_features(net: nn.Module, normalise, images: torch.Tensor, batch_size: int = 32) -> torch.Tensor:
    """[N, 1280] float32 features of uint8 images [N, C, H, W]; `normalise` is the processor's.

    Channels-last: 1.2-1.5x the images/s of the default layout for this network on this CPU (depthwise
    convolutions). Inference mode: no autograd bookkeeping at all; the chunks are joined outside it, so the
    head can be fitted on the result with autograd. Batches of 32: 64 or 96 were no faster."""
    net = net.eval().to(memory_format=torch.channels_last)
    with torch.inference_mode():
        chunks = [pooled_features(net, channels_last(normalise(images[i:i + batch_size])))
                  for i in range(0, len(images), batch_size)]
    return torch.cat(chunks).float() if chunks else torch.zeros((0, 1280))


def channels_last(pixels: torch.Tensor) -> torch.Tensor:
    return pixels.contiguous(memory_format=torch.channels_last)


def cached_features(folder: Path | None, key: str, compute) -> tuple[torch.Tensor, bool]:
    """(features, whether they came from the cache). Stored as safetensors: reading never unpickles."""
    from safetensors.torch import load_file, save_file

    path = Path(folder) / f"{key}.safetensors" if folder else None
    if path is not None and path.exists():
        return load_file(str(path))["features"], True
    features = compute()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        save_file({"features": features.contiguous()}, str(partial))
        partial.replace(path)  # atomic: a concurrent reader never sees half a file
    return features, False


def fit_head(features: torch.Tensor, labels: list[int], num_classes: int, weight_decay: float = 0.03,
             steps: int = 100) -> HeadFit:
    """Multinomial logistic regression on the features (L2 penalty), full batch L-BFGS: deterministic, no
    learning rate to pick, converged in about a second for a thousand images.

    Fitted on standardised features (each of the 1,280 scaled to unit variance, so one penalty suits them
    all), then folded back into plain weights on the raw features, which is what the network's head reads.
    On cifar10_small this gives 0.752 against 0.740 for the same fit on raw features; the penalty 0.03 was
    the best of 0.001-0.3 there (ants/bees: 0.948 for any of them)."""
    started = time.perf_counter()
    mean, scale = features.mean(0), features.std(0).clamp_min(1e-3)
    features = (features - mean) / scale
    targets = torch.tensor(labels, dtype=torch.long)
    head = nn.Linear(features.shape[1], num_classes)
    nn.init.zeros_(head.weight)
    nn.init.zeros_(head.bias)
    optimizer = torch.optim.LBFGS(head.parameters(), lr=1.0, max_iter=steps, history_size=20,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(head(features), targets) + weight_decay * head.weight.pow(2).sum()
        loss.backward()
        return loss

    threads = torch.get_num_threads()
    # many tiny steps: thread hand-offs cost more than they save (0.3 s on one thread, 25 s on two on a
    # busy 2-core machine for ants/bees)
    torch.set_num_threads(1)
    try:
        with torch.enable_grad():
            optimizer.step(closure)
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():
        accuracy = (head(features).argmax(1) == targets).float().mean().item()
        weight = head.weight / scale  # w . (x - mean) / scale  ==  (w / scale) . x - (w / scale) . mean
        bias = head.bias - weight @ mean
    return HeadFit(weight.detach().clone(), bias.detach().clone(), accuracy, time.perf_counter() - started)


@torch.no_grad()
def head_accuracy(fit: HeadFit, features: torch.Tensor, labels: list[int]) -> float:
    if not len(labels):
        return 0.0
    predictions = (features @ fit.weight.T + fit.bias).argmax(1)
    return (predictions == torch.tensor(labels)).float().mean().item()


def install_head(head: nn.Linear, fit: HeadFit) -> None:
    with torch.no_grad():
        head.weight.copy_(fit.weight)
        head.bias.copy_(fit.bias)
