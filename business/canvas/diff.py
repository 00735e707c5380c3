"""Differences between two canvas versions, as lines added and removed per section."""
from __future__ import annotations

from dataclasses import dataclass

from business.canvas.model import BLOCKS, Canvas


@dataclass(frozen=True)
class Change:
    section: str
    kind: str  # "added" or "removed"
    text: str


def diff_canvases(old: Canvas, new: Canvas) -> list[Change]:
    """Lines in `new` but not `old` are added; in `old` but not `new`, removed. An edit is both."""
    changes: list[Change] = []
    old_lines, new_lines = canvas_lines(old), canvas_lines(new)
    for section in new_lines.keys() | old_lines.keys():
        before, after = old_lines.get(section, []), new_lines.get(section, [])
        changes += [Change(section, "removed", line) for line in before if line not in after]
        changes += [Change(section, "added", line) for line in after if line not in before]
    order = list(canvas_lines(Canvas()).keys())
    return sorted(changes, key=lambda c: (order.index(c.section), c.kind != "removed"))


def canvas_lines(canvas: Canvas) -> dict[str, list[str]]:
    """Each section of the canvas as readable one-line entries (also used by the Markdown export)."""
    lines = {
        block.title: [_item_line(i) for i in canvas.items(block.key)] for block in BLOCKS
    }
    lines["Value proposition details"] = [
        f"{p.name} (for {p.segment}): job {p.job_to_be_done!r}; problems {p.problems!r}; "
        f"alternatives {p.alternatives!r}; benefits {p.benefits!r}; offer {p.offer!r}; "
        f"different because {p.differentiator!r}"
        for p in canvas.value_propositions
    ]
    lines["Revenue stream details"] = [_stream_line(s) for s in canvas.revenue_streams]
    return lines


def _item_line(item) -> str:
    note = f" (note: {item.note})" if item.note else ""
    return f"{item.text} [{item.evidence.value}]{note}"


def _stream_line(s) -> str:
    line = f"{s.name} (for {s.segment}, {s.stream_type.value}): {s.price_usd} USD per {s.unit}, billed {s.billing_period.value}"
    if s.included_usage is not None:
        line += f"; includes {s.included_usage} {s.unit}"
    if s.overage_price_usd is not None:
        line += f"; overage {s.overage_price_usd} USD"
    return line
