"""What the founder should do next: completeness and consistency checks over a canvas."""
from __future__ import annotations

import re
from dataclasses import dataclass

from business.canvas.blocks import block_entries
from business.canvas.model import BLOCKS, Canvas, Evidence

# Words that show the cost structure accounts for compute, the cost AI startups most often forget.
_COMPUTE_WORDS = re.compile(r"\b(compute|gpu|gpus|inference|training|cloud|server|servers|hosting|tokens?|api)\b", re.I)


@dataclass(frozen=True)
class Advice:
    severity: str  # "missing" (a gap to fill) or "check" (something inconsistent or weak)
    block: str
    message: str


def review_canvas(canvas: Canvas) -> list[Advice]:
    """Advice in the order a founder should act on it: empty blocks first, then inconsistencies."""
    advice = [
        Advice("missing", block.title, f"{block.title} is empty. Start with: {block.questions[0]}")
        for block in BLOCKS if not block_entries(canvas, block.key)
    ]
    advice += _value_proposition_advice(canvas)
    advice += _revenue_advice(canvas)
    advice += _cost_advice(canvas)
    advice += _evidence_advice(canvas)
    return advice


def completeness(canvas: Canvas) -> float:
    """Share of the nine blocks that hold at least one entry (an item, or a form's entry), 0..1."""
    return sum(1 for block in BLOCKS if block_entries(canvas, block.key)) / len(BLOCKS)


def _value_proposition_advice(canvas: Canvas) -> list[Advice]:
    segments = set(canvas.segment_names())
    out = []
    if segments and not canvas.value_propositions:
        out.append(Advice("missing", "Value Propositions", "No value proposition written out yet: use the form."))
    covered = {p.segment for p in canvas.value_propositions}
    for segment in sorted(segments - covered):
        if canvas.value_propositions:
            out.append(Advice("check", "Value Propositions", f"Segment {segment!r} has no value proposition."))
    for p in canvas.value_propositions:
        if p.segment not in segments:
            out.append(Advice("check", "Value Propositions",
                              f"Value proposition {p.name!r} is for segment {p.segment!r}, which is no longer on the canvas."))
    return out


def _revenue_advice(canvas: Canvas) -> list[Advice]:
    segments = set(canvas.segment_names())
    out = []
    if segments and not canvas.revenue_streams:
        out.append(Advice("missing", "Revenue Streams", "No revenue stream priced yet: use the form."))
    for stream in canvas.revenue_streams:
        if stream.segment not in segments:
            out.append(Advice("check", "Revenue Streams",
                              f"Revenue stream {stream.name!r} has no segment on the canvas ({stream.segment!r} is gone)."))
    paying = {s.segment for s in canvas.revenue_streams}
    for segment in sorted(segments - paying):
        if canvas.revenue_streams:
            out.append(Advice("check", "Revenue Streams", f"Segment {segment!r} pays through no revenue stream."))
    return out


def _cost_advice(canvas: Canvas) -> list[Advice]:
    costs = canvas.items("cost_structure")
    if costs and not any(_COMPUTE_WORDS.search(f"{i.text} {i.note}") for i in costs):
        return [Advice("check", "Cost Structure",
                       "The cost structure never mentions compute (training, inference, GPUs, cloud): "
                       "price it on the Costs page.")]
    return []


def _evidence_advice(canvas: Canvas) -> list[Advice]:
    items = [i for block in BLOCKS for i in canvas.items(block.key)]
    if items and all(i.evidence is Evidence.HYPOTHESIS for i in items):
        return [Advice("check", "Evidence",
                       f"All {len(items)} items are still hypotheses: validate the riskiest one "
                       "(usually a segment's willingness to pay) with customers.")]
    return []
