"""The pixel budget of one image, checked on its header before any pixel is decoded.

A 0.42 MB PNG can declare 12,000 x 12,000 pixels and take over a gigabyte once decoded. `Image.open`
reads only the header, so `pixel_problem(image)` right after it (and before `load()`, `convert()`
or `verify()`) refuses such a file for the price of reading its header. Used by every image path:
the demo and batch predictor (modelkit.vision.predict) and training data (modelkit.vision.data).
`plain_image(image)` turns what phones and scanners produce (EXIF-rotated, 16-bit, CMYK, transparent)
into an upright 8-bit image the same way for training and prediction.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

# A 6000 x 4000 camera photo (~72 MB as decoded RGB) passes; anything larger is scaled down first.
MAX_IMAGE_PIXELS = 24_000_000


def pixel_problem(image: Image.Image, limit: int = MAX_IMAGE_PIXELS) -> str:
    """'' when the header's size is within the budget, else why not (in words a person can act on)."""
    width, height = image.size
    if width * height <= limit:
        return ""
    return (f"{width:,} x {height:,} pixels ({width * height / 1e6:,.0f} megapixels); "
            f"the limit is {limit / 1e6:,.0f} megapixels: scale it down first")


def plain_image(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied), 8 bits per channel, transparency flattened onto white."""
    image = ImageOps.exif_transpose(image)  # a phone photo stored sideways is shown (and learned) upright
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float images: PIL's convert("L") clips at 255, so scale by the image's own range
        pixels = np.asarray(image, dtype=np.float32)
        low, high = float(pixels.min()), float(pixels.max())
        scaled = (pixels - low) * (255.0 / (high - low)) if high > low else np.zeros_like(pixels)
        return Image.fromarray(scaled.round().astype(np.uint8), "L")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        flattened = Image.alpha_composite(white, image.convert("RGBA")).convert("RGB")
        return flattened.convert("L") if image.mode == "LA" else flattened
    return image
