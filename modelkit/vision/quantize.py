"""Static int8 of an image model: FX graph mode post-training quantization (torch.ao.quantization.quantize_fx).

Conv, batch-norm and ReLU fused, weights and activations int8, observers calibrated on training images. It
needs a quantized engine (x86/fbgemm on Intel/AMD, qnnpack on ARM). Used by modelkit.vision.compress (the
fp32 vs int8 table) and modelkit.vision.variants (int8 on the teacher or on a pruned CNN).
"""
from __future__ import annotations

import copy
import warnings

import torch

from modelkit.vision.model import ImageClassifier, ImageProcessor

ENGINES = ("x86", "fbgemm", "onednn", "qnnpack")
CALIBRATION_IMAGES = 256
CALIBRATION_PIXELS = 4_000_000  # per calibration batch and channel


def pick_engine() -> str | None:
    supported = torch.backends.quantized.supported_engines
    return next((engine for engine in ENGINES if engine in supported), None)


def quantize_static_int8(model: ImageClassifier, processor: ImageProcessor, calibration: torch.Tensor,
                         engine: str) -> ImageClassifier:
    """Fused, int8 weights and activations; observers see `calibration` (uint8 images) first."""
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    torch.backends.quantized.engine = engine
    net = copy.deepcopy(model.net).cpu().eval()
    example = processor.normalise(calibration[:1])
    with warnings.catch_warnings():
        # torch marks the ao.quantization API deprecated in favour of torchao (not a dependency here);
        # it is what ships in torch and it works for convolutions on this CPU
        warnings.simplefilter("ignore")
        prepared = prepare_fx(net, get_default_qconfig_mapping(engine), example_inputs=(example,))
        # few, large batches: the histogram observers cost about the same per call whatever the batch size,
        # so small images are seen in one call; large ones in chunks of a few million pixels
        chunk = max(16, CALIBRATION_PIXELS // max(1, example.shape[-1] * example.shape[-2]))
        with torch.inference_mode():
            for start in range(0, len(calibration), chunk):
                prepared(processor.normalise(calibration[start:start + chunk]))
        return ImageClassifier(convert_fx(prepared)).eval()
