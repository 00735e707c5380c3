"""Where a figure came from, carried with the figure from business/ to every page and export.

A figure is typed by the founder (on a date), estimated by a named method from named inputs, measured by
a named run, or published (a source with its date). `Sourced(value, unit, provenance)` is what pages and
exports render, so a number cannot be shown without its origin; `source_text` / `with_source` are the one
way a page or an export writes a source beside a figure. Stored documents keep the provenance as a plain
dict (`to_dict` / `provenance_from_dict`), checked on load like any untrusted input; documents from before
provenance had a free "source" text, read by `provenance_from_legacy_text`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, Union

Kind = Literal["typed", "estimated", "measured", "published"]
KINDS: tuple[str, ...] = ("typed", "estimated", "measured", "published")
MAX_TEXT = 400
# How older documents (a free "source" string instead of a provenance) wrote their origin.
_LEGACY_ESTIMATE = re.compile(r"^\s*estimate(?:d)?\b\s*[:,]?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_LEGACY_MEASURED = re.compile(r"^\s*measured(?: run card| by run)?\s+(\S+)\s*(.*)$", re.IGNORECASE | re.DOTALL)


class ProvenanceError(ValueError):
    """A stored provenance that cannot be read back (unknown kind, bad date, text too long)."""


@dataclass(frozen=True)
class Provenance:
    kind: Kind
    method: str = ""  # estimated: how ("cost estimator: MiniLM-L6 fp32 on RunPod L40S"); published: the source
    inputs: tuple[tuple[str, str], ...] = ()  # estimated: the named inputs the method used
    run_id: str = ""  # measured: the run that measured it
    on: date | None = None  # when it was typed, estimated, measured or published

    def __post_init__(self) -> None:
        # Clipped here, not refused: every Provenance can then be saved and read back.
        object.__setattr__(self, "method", _clip(self.method))
        object.__setattr__(self, "run_id", _clip(self.run_id))
        object.__setattr__(self, "inputs", tuple((_clip(str(n)), _clip(str(v))) for n, v in self.inputs))

    def label(self) -> str:
        """One line a person reads next to the figure: who or what produced it, and when."""
        when = f" on {self.on.isoformat()}" if self.on else ""
        if self.kind == "typed":
            return f"entered by you{when}" + (f" ({self.method})" if self.method else "")
        if self.kind == "measured":
            return f"measured by run {self.run_id}{when}" + (f" ({self.method})" if self.method else "")
        if self.kind == "published":
            return f"published: {self.method}" + (f" ({self.on.isoformat()})" if self.on else "")
        inputs = "; ".join(f"{name} {value}" for name, value in self.inputs)
        return f"estimated{when}: {self.method}" + (f" ({inputs})" if inputs else "")

    def short_label(self) -> str:
        """The label without an estimate's inputs or a measurement's detail, for a figure derived from it."""
        if self.kind in ("typed", "published"):
            return self.label()
        return Provenance(self.kind, method="" if self.kind == "measured" else self.method, run_id=self.run_id,
                          on=self.on).label()

    def to_dict(self) -> dict:
        return {"kind": self.kind, "method": self.method, "inputs": [list(pair) for pair in self.inputs],
                "run_id": self.run_id, "on": self.on.isoformat() if self.on else None}


@dataclass(frozen=True)
class Sourced:
    """A value with its unit and its provenance; `value` None means "not available", said in `note`."""
    value: Union[Decimal, float, int, None]
    unit: str
    provenance: Provenance
    note: str = field(default="")


def source_text(provenance: Provenance | None, note: str = "") -> str:
    """Where a figure came from, in words: the one function every page and export writes a source with.

    `note` says why a figure is missing, or adds what the provenance cannot (how a result was derived).
    """
    parts = [provenance.label()] if provenance is not None else []
    return "; ".join(parts + ([note] if note else [])) or "source unknown"


def with_source(value: str, provenance: Provenance | None, note: str = "") -> str:
    """A figure and its source on one line: "$5.00 per 1,000 requests (entered by you on 2026-11-30)"."""
    return f"{value} ({source_text(provenance, note)})"


def typed(on: date | None, note: str = "") -> Provenance:
    """Entered by the founder on `on` (the day of the save); `note` keeps what they wrote about it."""
    return Provenance("typed", method=note, on=on)


def estimated(method: str, inputs: dict[str, object] | None = None, on: date | None = None) -> Provenance:
    pairs = tuple((str(name), str(value)) for name, value in (inputs or {}).items())
    return Provenance("estimated", method=method, inputs=pairs, on=on)


def measured(run_id: str, on: date | None = None, method: str = "") -> Provenance:
    return Provenance("measured", method=method, run_id=run_id, on=on)


def published(source: str, on: date | None = None) -> Provenance:
    return Provenance("published", method=source, on=on)


def provenance_from_legacy_text(text: object, on: date | None = None) -> Provenance:
    """Read an older document's free "source" text: "estimate: ..." stays an estimate with its method,
    "measured run card <id> ..." a measurement by that run, anything else was written by the founder
    (so typed, saved on `on`, keeping their words). Nothing the old text said is lost."""
    words = " ".join(str(text or "").split())
    if estimate := _LEGACY_ESTIMATE.match(words):
        return estimated(estimate.group(1) or "method not recorded (an older document)", on=on)
    if run := _LEGACY_MEASURED.match(words):
        return measured(run.group(1), on=on, method=run.group(2))
    return typed(on, note=words)


def provenance_from_dict(data: object) -> Provenance:
    """The inverse of `Provenance.to_dict`, refusing anything that is not exactly that shape."""
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        raise ProvenanceError(f"provenance must be a dict with a kind in {KINDS}; got {data!r:.80}")
    texts = [data.get("method", ""), data.get("run_id", "")]
    if not all(isinstance(text, str) and len(text) <= MAX_TEXT for text in texts):
        raise ProvenanceError(f"provenance method and run_id must be text of at most {MAX_TEXT} characters")
    inputs = data.get("inputs", [])
    if not isinstance(inputs, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) and len(s) <= MAX_TEXT for s in pair)
            for pair in inputs):
        raise ProvenanceError("provenance inputs must be a list of [name, value] text pairs")
    return Provenance(data["kind"], method=texts[0], inputs=tuple(tuple(pair) for pair in inputs),
                      run_id=texts[1], on=_date_or_none(data.get("on")))


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _date_or_none(value: object) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise ProvenanceError(f"provenance date {value!r:.40} is not an ISO date (YYYY-MM-DD)") from error
