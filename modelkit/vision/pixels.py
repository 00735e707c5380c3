"""The pixel budget of one image, checked on its header before any pixel is decoded.

A 0.42 MB PNG can declare 12,000 x 12,000 pixels and take over a gigabyte once decoded. `Image.open`
reads only the header, so `pixel_problem(image)` right after it (and before `load()`, `convert()`
or `verify()`) refuses such a file for the price of reading its header. Used by every image path:
the demo and batch predictor (modelkit.vision.predict) and training data (modelkit.vision.data).
"""
from __future__ import annotations

from PIL import Image

# A 6000 x 4000 camera photo (~72 MB as decoded RGB) passes; anything larger is scaled down first.
MAX_IMAGE_PIXELS = 24_000_000


def pixel_problem(image: Image.Image, limit: int = MAX_IMAGE_PIXELS) -> str:
    """'' when the header's size is within the budget, else why not (in words a person can act on)."""
    width, height = image.size
    if width * height <= limit:
        return ""
    return (f"{width:,} x {height:,} pixels ({width * height / 1e6:,.0f} megapixels); "
            f"the limit is {limit / 1e6:,.0f} megapixels: scale it down first")
