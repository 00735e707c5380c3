"""Image models and preprocessing for the "image" task.

`build_image_model(name, num_classes, channels, freeze_steps)` -> (ImageClassifier, weights note): the
small from-scratch CNN ("small_cnn", for digits and tiny grey images), the bundled ImageNet-pretrained
"efficientnet_lite0" (modelkit.vision.lite0, the offline default for photos), torchvision "resnet18",
"mobilenet_v3_small" or "shufflenet_v2_x1_0". ImageNet weights come from the local torch cache, else are downloaded when a
quick probe (modelkit.online) reaches their server (offline: random initialisation, no hang); then the
backbone stays frozen for `freeze_steps` training steps (head first) and is unfrozen after.
`ImageProcessor` turns PIL images / uint8 tensors into normalised model inputs and is saved next to the
weights (preprocessor.json). `AugmentedImages` + `ImageCollator` feed the training
loop batches of {"pixel_values", "labels"}. Used by modelkit.vision.task, image_predict, image_compress.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import torch
import torch.nn.functional as F
from torch import nn

from modelkit.online import url_reachable
from modelkit.vision.lite0 import LITE0, LITE_MEAN, LITE_STD, head_of, lite0_net, weights_origin

MODELS = {"small_cnn": "Small CNN (from scratch)", LITE0: "EfficientNet-Lite0 (ImageNet-pretrained, bundled)",
          "resnet18": "ResNet-18", "mobilenet_v3_small": "MobileNetV3-Small", "shufflenet_v2_x1_0": "ShuffleNetV2 1.0x"}
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
AUGMENTATIONS = ("flip", "crop", "jitter")
PREPROCESSOR_JSON = "preprocessor.json"


def conv_block(cin: int, cout: int, cmid: int | None = None) -> nn.Sequential:
    cmid = cmid or cout
    return nn.Sequential(nn.Conv2d(cin, cmid, 3, padding=1, bias=False), nn.BatchNorm2d(cmid), nn.ReLU(inplace=True),
                         nn.Conv2d(cmid, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.MaxPool2d(2, ceil_mode=True))


def small_cnn_widths(width: int = 32) -> tuple[int, ...]:
    """Output channels of the small CNN's six convolutions, in order."""
    return (width, width, width * 2, width * 2, width * 4, width * 4)


class SmallCNN(nn.Module):
    """Three conv blocks and global pooling: any input size from 8x8 up, trains in seconds on a CPU.

    `widths` (six output channel counts) gives a channel-pruned CNN its own, smaller shape."""

    def __init__(self, num_classes: int, channels: int = 3, width: int = 32, widths: tuple[int, ...] | None = None):
        super().__init__()
        w = tuple(widths or small_cnn_widths(width))
        self.features = nn.Sequential(conv_block(channels, w[1], w[0]), conv_block(w[1], w[3], w[2]),
                                      conv_block(w[3], w[5], w[4]))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(w[5], num_classes))

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)))


class ImageClassifier(nn.Module):
    """The network behind `forward(pixel_values)`; keeps the backbone frozen for the first training steps.

    `backbone_lr_scale` < 1 gives the pretrained layers a lower learning rate than the head (read by
    modelkit.train.build_optimizer); `keep_batchnorm_stats` leaves the backbone's batch-norm statistics as
    pretrained while fine-tuning (small batches of a few hundred photos would only make them noisier)."""

    def __init__(self, net: nn.Module, head: nn.Module | None = None, freeze_steps: int = 0,
                 backbone_lr_scale: float = 1.0, keep_batchnorm_stats: bool = False):
        super().__init__()
        self.net = net
        self.head_names = {n for n, _ in head.named_parameters(prefix=head_prefix(net, head))} if head else set()
        self.freeze_steps = freeze_steps
        self.backbone_lr_scale = backbone_lr_scale
        self.keep_batchnorm_stats = keep_batchnorm_stats
        # a buffer, so the count is saved with checkpoints and a resumed run stays unfrozen
        self.register_buffer("steps_done", torch.zeros((), dtype=torch.long))

    def learning_rate_scale(self, name: str) -> float:
        """For a parameter named as in `self.named_parameters()`: 1 for the head, less for the backbone."""
        return 1.0 if name.removeprefix("net.") in self.head_names or not self.head_names else self.backbone_lr_scale

    def train(self, mode: bool = True):
        super().train(mode)
        if mode and self.keep_batchnorm_stats:
            for module in self.net.modules():
                if isinstance(module, nn.modules.batchnorm._BatchNorm):
                    module.eval()
        return self

    def forward(self, pixel_values):
        if self.training and self.freeze_steps:
            frozen = int(self.steps_done) < self.freeze_steps
            for name, param in self.net.named_parameters():
                # params without grad are skipped by AdamW, so a frozen backbone simply does not move
                param.requires_grad_(not frozen or name in self.head_names)
            self.steps_done += 1
        return self.net(pixel_values)


def head_prefix(net: nn.Module, head: nn.Module) -> str:
    return next(name for name, module in net.named_modules() if module is head)


def cached_weights_path(weights) -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(urlparse(weights.url).path)


def pretrained_state(weights, use_cache: bool) -> tuple[dict | None, str]:
    """(ImageNet state dict or None, a plain sentence): the local torch cache first, else a download when
    a quick probe reaches the weights' server; offline, random initialisation said plainly."""
    path = cached_weights_path(weights)
    if not use_cache:
        return None, "random initialisation"
    if path.exists():
        # weights_only: the cache file is a pickle; this loader accepts tensors only
        return (torch.load(path, map_location="cpu", weights_only=True),
                f"ImageNet weights found in the local torch cache ({path.name}): fine-tuning, head first")
    reason = f"are not in the local torch cache ({path}) and {urlparse(weights.url).hostname} cannot be reached"
    if url_reachable(weights.url):
        try:
            # torchvision downloads into the torch cache (hash checked) and loads tensors only
            state = weights.get_state_dict(progress=False, check_hash=True, map_location="cpu", weights_only=True)
            return (state,
                    f"ImageNet weights downloaded into the local torch cache ({path.name}): fine-tuning, head first")
        except (OSError, RuntimeError) as error:
            reason = f"could not be downloaded ({error})"
    return None, f"ImageNet weights {reason}; training from random initialisation, which needs more data and epochs"


def torchvision_net(name: str, num_classes: int, use_cache: bool) -> tuple[nn.Module, nn.Module, str, bool]:
    import torchvision

    builder = getattr(torchvision.models, name)
    state, note = pretrained_state(torchvision.models.get_model_weights(name).DEFAULT, use_cache)
    net = builder(weights=None)
    pretrained = state is not None
    if pretrained:
        net.load_state_dict(state)
    if name in ("resnet18", "shufflenet_v2_x1_0"):  # both end in one linear layer named fc
        net.fc = nn.Linear(net.fc.in_features, num_classes)
        head = net.fc
    else:
        net.classifier[-1] = nn.Linear(net.classifier[-1].in_features, num_classes)
        head = net.classifier
    return net, head, note, pretrained


def build_image_model(name: str, num_classes: int, channels: int, freeze_steps: int = 0,
                      use_cache: bool = True) -> tuple[ImageClassifier, str, bool]:
    """(model, a plain sentence about its weights, whether ImageNet weights were loaded)."""
    if name == "small_cnn":
        return ImageClassifier(SmallCNN(num_classes, channels)), "small CNN trained from scratch (random init)", False
    if name not in MODELS:
        raise ValueError(f"unknown image model {name!r}; choose one of {list(MODELS)}")
    if name == LITE0:
        net = lite0_net(num_classes, pretrained=use_cache)
        note = weights_origin() if use_cache else "random initialisation"
        # fine-tuning after the head: the backbone moves at a tenth of the head's rate, its BN statistics kept
        return ImageClassifier(net, head_of(net), freeze_steps, backbone_lr_scale=0.1,
                               keep_batchnorm_stats=True), note, use_cache
    net, head, note, pretrained = torchvision_net(name, num_classes, use_cache)
    return ImageClassifier(net, head, freeze_steps if pretrained else 0), note, pretrained


@dataclass
class ImageProcessor:
    """How raw images become model inputs; saved with the model so predictions match training."""
    image_size: int
    channels: int  # what the model takes (1 or 3)
    stored_channels: int  # what the data had
    mean: list[float] = field(default_factory=lambda: [0.5])
    std: list[float] = field(default_factory=lambda: [0.25])
    label_names: list[str] = field(default_factory=list)
    model_name: str = "small_cnn"
    invert_light_background: bool = False  # digits are light ink on dark; photos of paper are the reverse
    stored_size: int = 0  # the size training images were kept at (8 for digits); 0 = image_size

    def save_pretrained(self, folder) -> None:
        (Path(folder) / PREPROCESSOR_JSON).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def from_pretrained(cls, folder) -> "ImageProcessor":
        return cls(**json.loads((Path(folder) / PREPROCESSOR_JSON).read_text()))

    def normalise(self, batch: torch.Tensor) -> torch.Tensor:
        """uint8 [B, C, H, W] -> float, model's size and channels, normalised."""
        pixels = batch.float() / 255.0
        if pixels.shape[-1] != self.image_size or pixels.shape[-2] != self.image_size:
            pixels = F.interpolate(pixels, size=(self.image_size, self.image_size), mode="bilinear",
                                   align_corners=False, antialias=pixels.shape[-1] > self.image_size)
        if pixels.shape[1] != self.channels:
            pixels = pixels.expand(-1, 3, -1, -1) if self.channels == 3 else pixels.mean(1, keepdim=True)
        mean = torch.tensor(self.mean).view(1, -1, 1, 1)
        std = torch.tensor(self.std).view(1, -1, 1, 1)
        return (pixels - mean) / std

    def pil_to_uint8(self, image) -> torch.Tensor:
        return self.model_view(image)[0]

    def model_view(self, image) -> tuple[torch.Tensor, bool]:
        """(uint8 [C, H, W] exactly as training stored its images, whether it was inverted): what the model
        sees, for the demo to show beside its probabilities."""
        from modelkit.vision.data import to_array

        # through the training images' size first, so an upload is resampled the way they were
        array = to_array(image, self.stored_size or self.image_size, "L" if self.stored_channels == 1 else "RGB")
        tensor = torch.from_numpy(array.copy())
        inverted = self.invert_light_background and tensor.float().mean() > 127
        return (255 - tensor if inverted else tensor), bool(inverted)

    def __call__(self, images: list) -> torch.Tensor:
        return self.normalise(torch.stack([self.pil_to_uint8(image) for image in images]))


def make_processor(model_name: str, image_size: int, stored: torch.Size, label_names: list[str],
                   digits: bool, mean_std: tuple[list[float], list[float]]) -> ImageProcessor:
    """`stored` is the shape of the training images tensor [N, C, H, W]."""
    stored_channels, stored_size = int(stored[1]), int(stored[-1])
    channels = stored_channels if model_name == "small_cnn" else 3
    if model_name == LITE0:
        mean, std = list(LITE_MEAN), list(LITE_STD)  # the weights' own preprocessing, not torchvision's
    elif model_name != "small_cnn":
        mean, std = list(IMAGENET_MEAN), list(IMAGENET_STD)
    else:
        mean, std = mean_std
        mean, std = (mean * channels)[:channels], (std * channels)[:channels]
    return ImageProcessor(image_size, channels, stored_channels, mean, std, list(label_names), model_name, digits,
                          stored_size)


def augmentation(names: list[str], size: int, channels: int):
    """torchvision v2 transforms on uint8 tensors; the crop pads small images and rescales large ones."""
    from torchvision.transforms import v2

    steps = []
    if "crop" in names:
        steps.append(v2.RandomCrop(size, padding=max(1, size // 8), padding_mode="reflect") if size < 64
                     else v2.RandomResizedCrop(size, scale=(0.6, 1.0), antialias=True))
    if "flip" in names:
        steps.append(v2.RandomHorizontalFlip())
    if "jitter" in names:
        steps.append(v2.ColorJitter(0.3, 0.3, 0.3 if channels == 3 else 0))
    return v2.Compose(steps) if steps else None


class AugmentedImages(torch.utils.data.Dataset):
    def __init__(self, images: torch.Tensor, labels: list[int], transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict:
        pixels = self.images[index]
        return {"pixel_values": self.transform(pixels) if self.transform else pixels, "labels": self.labels[index]}


class ImageCollator:
    def __init__(self, processor: ImageProcessor):
        self.processor = processor

    def __call__(self, items: list[dict]) -> dict:
        pixels = torch.stack([item["pixel_values"] for item in items])
        return {"pixel_values": self.processor.normalise(pixels),
                "labels": torch.tensor([item["labels"] for item in items], dtype=torch.long)}
