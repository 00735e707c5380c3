"""Measure the activation memory a CNN keeps for backward, per 224×224 image, in fp32.

Run with `python bench/cnn_activations.py` from the project root (needs torch and torchvision).
It counts the bytes of the tensors autograd saves during one training-mode forward pass
(`torch.autograd.graph.saved_tensors_hooks`), each storage once, and prints them per image.
The figures are shipped in business/costs/models.py as the CNN presets' activation memory.
"""
from __future__ import annotations

import torch
import torchvision

BATCH = 4  # more than one image so BatchNorm behaves as in training; reported per image
MODELS = {
    "resnet-18": torchvision.models.resnet18,
    "resnet-50": torchvision.models.resnet50,
    "mobilenet-v3": torchvision.models.mobilenet_v3_large,
    "mobilenet-v3-small": torchvision.models.mobilenet_v3_small,
}


def saved_activation_bytes(model: torch.nn.Module, images: torch.Tensor) -> int:
    seen: dict[int, int] = {}
    parameters = {p.data_ptr() for p in model.parameters()}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        pointer = storage.data_ptr()
        if pointer not in parameters:  # weights are counted as weights, not activations
            seen[pointer] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        model(images).sum()
    return sum(seen.values())


def main() -> None:
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, batch {BATCH}, 224×224, fp32")
    for name, build in MODELS.items():
        model = build().train()
        per_image = saved_activation_bytes(model, torch.randn(BATCH, 3, 224, 224)) / BATCH
        print(f"{name:14s} {per_image / 1e6:8.1f} MB of saved activations per image")


if __name__ == "__main__":
    main()
