"""Limits on what a visitor may send: text length, upload and table sizes, rows, predictions per minute.

Pure functions over plain values, so the pages and the tests share them; each refusal is a
`LimitError` whose message says the value, the limit, and what to do. Sizes are in binary units (MiB,
GiB) everywhere, in limits and in messages, as Streamlit's uploader counts its "MB" too: a file the page
says is within the limit is within it.
"""
from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024
GIB = 1024 * MIB
MAX_DEMO_TEXT_CHARS = 2_000
MAX_DEMO_IMAGE_BYTES = 5 * MIB
# A labelled table (text page upload, `python -m modelkit check|train --data`): the page's uploader, its help
# text and the loader all take this one number.
MAX_TABLE_BYTES = 200 * MIB
MAX_BATCH_ROWS = 500
# Each demo prediction runs a model on the server: enough to try it, not enough to use it as a free API.
DEMO_PREDICTIONS = 20
DEMO_WINDOW_S = 600.0


class LimitError(ValueError):
    """A request over a limit; the message names the value and the limit."""


@dataclass(frozen=True)
class RateLimit:
    max_calls: int = DEMO_PREDICTIONS
    window_s: float = DEMO_WINDOW_S

    def admit(self, earlier: tuple[float, ...], now: float) -> tuple[float, ...]:
        """The call times to remember after admitting one more at `now`; LimitError when over the limit."""
        recent = tuple(t for t in earlier if now - t < self.window_s)
        if len(recent) >= self.max_calls:
            wait_s = self.window_s - (now - min(recent))
            raise LimitError(f"{len(recent)} demo predictions in the last {self.window_s / 60:.0f} minutes is the "
                             f"limit for one session; try again in {wait_s:.0f} s.")
        return recent + (now,)


# Shared across sessions (business.rate_limits): a new browser session does not start again at zero.
# An account and an address get more than a session (two tabs, an office behind one address), still few.
DEMO_LIMITS = {"session": RateLimit(DEMO_PREDICTIONS, DEMO_WINDOW_S), "account": RateLimit(60, DEMO_WINDOW_S),
               "address": RateLimit(60, DEMO_WINDOW_S)}
# bcrypt makes each guess slow; these cap guesses. Per account also counts names that do not exist,
# so the answer never says which names do.
SIGN_IN_LIMITS = {"session": RateLimit(5, 300.0), "account": RateLimit(10, 900.0), "address": RateLimit(20, 900.0)}


def check_text(text: str, limit: int = MAX_DEMO_TEXT_CHARS) -> str:
    clean = text.strip()
    if not clean:
        raise LimitError("The text is empty: type a sentence to classify.")
    if len(clean) > limit:
        raise LimitError(f"The text is {len(clean):,} characters; the demo takes at most {limit:,}.")
    return clean


def binary_size(size_bytes: float) -> str:
    """'201 MiB', '5.7 MiB', '1 GiB': whole numbers as such, else one decimal (200.4 MiB is not 200 MiB)."""
    unit, scale = ("GiB", GIB) if size_bytes >= GIB else ("MiB", MIB) if size_bytes >= MIB / 10 else ("KiB", 1024)
    value = round(size_bytes / scale, 1)
    return f"{value:,.0f} {unit}" if value == int(value) else f"{value:,.1f} {unit}"


def check_upload(size_bytes: int, limit: int = MAX_DEMO_IMAGE_BYTES, what: str = "image") -> None:
    if size_bytes > limit:
        raise LimitError(f"The {what} is {binary_size(size_bytes)}; the limit is {binary_size(limit)}.")


def check_rows(rows: int, limit: int = MAX_BATCH_ROWS) -> None:
    if rows > limit:
        raise LimitError(f"The batch has {rows:,} rows; batch predictions take at most {limit:,} rows.")
