"""Small builders for canvases used across tests."""
from __future__ import annotations

from business.canvas.model import Canvas, make_item, with_block


def canvas_with_segments(*segments: str) -> Canvas:
    return with_block(Canvas(), "customer_segments", [make_item(s) for s in segments])
