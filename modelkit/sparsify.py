"""Unstructured magnitude pruning: zero the smallest weights of a model's Linear layers, and measure what that
buys. Task-neutral (no transformers import); used by modelkit.text.variants.

The zeros are kept by torch.nn.utils.prune's masks while the model fine-tunes to recover, then made permanent.
The honest result, measured rather than assumed: the tensors stay dense, so the model is exactly as large on
disk and as fast on a CPU or GPU as before; only a compressed copy (zlib/gzip level 6 of the safetensors
bytes, how a file is shipped or archived) gets smaller. Speed from sparsity needs sparse kernels or 2:4
hardware, which this product does not use.
"""
from __future__ import annotations

import zlib

import torch

from modelkit.errors import CompressionRequestError


def check_sparsity(sparsity: object) -> float:
    """A share of weights to zero: above 0, below 1 (100% would leave nothing to compute)."""
    if isinstance(sparsity, bool) or not isinstance(sparsity, (int, float)) or not 0 < sparsity < 1:
        raise CompressionRequestError(f"sparsity={sparsity!r} must be a fraction above 0 and below 1 "
                                      "(100% or more would zero every weight), e.g. 0.5 to zero half the weights")
    return float(sparsity)


def prunable_linears(model: torch.nn.Module, skip: tuple[str, ...] = ("classifier",)) -> list[tuple[str, torch.nn.Linear]]:
    """Every Linear layer but the classification head (a few thousand weights, each one matters)."""
    return [(name, module) for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and not any(part in skip for part in name.split("."))]


def mask_smallest(model: torch.nn.Module, sparsity: float) -> int:
    """Zero the `sparsity` share of the smallest |weights| across all prunable Linear layers at once (global L1),
    behind masks that keep them zero while the model trains; returns how many weights the masks cover."""
    from torch.nn.utils import prune

    layers = prunable_linears(model)
    if not layers:
        raise CompressionRequestError("this model has no Linear layers to prune")
    prune.global_unstructured([(module, "weight") for _, module in layers], pruning_method=prune.L1Unstructured,
                              amount=check_sparsity(sparsity))
    return sum(module.weight.numel() for _, module in layers)


def make_permanent(model: torch.nn.Module) -> None:
    """Fold the masks into plain weights (zeros stay zeros), so the model saves and loads as a normal one."""
    from torch.nn.utils import prune

    for _, module in prunable_linears(model):
        if prune.is_pruned(module):
            prune.remove(module, "weight")


def zero_share(model: torch.nn.Module) -> float:
    """The share of exactly-zero weights in the prunable Linear layers, counted on the model itself."""
    layers = [module.weight for _, module in prunable_linears(model)]
    total = sum(weight.numel() for weight in layers)
    return sum(int((weight == 0).sum()) for weight in layers) / total if total else 0.0


def compressed_bytes(model: torch.nn.Module) -> int:
    """Size of the model's safetensors bytes after zlib level 6 (the DEFLATE gzip uses by default)."""
    from safetensors.torch import save

    state = {name: tensor.detach().contiguous() for name, tensor in model.state_dict().items()}
    return len(zlib.compress(save(state), 6))
