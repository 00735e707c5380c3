"""Differences between two canvas versions, as lines added and removed per block.

The lines come from `blocks.block_lines`, so a value proposition or revenue stream saved on its form
shows up under its block, in full detail, like any item.
"""
from __future__ import annotations

from dataclasses import dataclass

from business.canvas.blocks import block_lines
from business.canvas.model import BLOCKS, Canvas


@dataclass(frozen=True)
class Change:
    section: str
    kind: str  # "added" or "removed"
    text: str


def diff_canvases(old: Canvas, new: Canvas) -> list[Change]:
    """Lines in `new` but not `old` are added; in `old` but not `new`, removed. An edit is both."""
    changes: list[Change] = []
    old_lines, new_lines = block_lines(old), block_lines(new)
    for section in new_lines.keys() | old_lines.keys():
        before, after = old_lines.get(section, []), new_lines.get(section, [])
        changes += [Change(section, "removed", line) for line in before if line not in after]
        changes += [Change(section, "added", line) for line in after if line not in before]
    order = [block.title for block in BLOCKS]
    return sorted(changes, key=lambda c: (order.index(c.section), c.kind != "removed"))
