"""Timestamps as a person reads them: local date and time with the zone, never a raw ISO string.

The store and run cards keep UTC ISO strings ("2026-11-30T09:05:00+00:00", "2026-11-30T09:05:00Z");
pages and exports show them through `local_time_text` ("30 Nov 2026, 10:05"), in the zone of the
machine that serves the app. One helper, so every page and export says a time the same way (ui.text's
`local_time`, for pages, writes the same format).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

UNKNOWN_TIME = "unknown time"


def local_datetime(value: str | datetime) -> datetime | None:
    """A stored timestamp in this machine's zone; naive ones are read as UTC (how the store writes them).
    None when the text is not a timestamp."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone()


def local_time_text(value: str | datetime) -> str:
    """"30 Nov 2026, 10:05": minutes are enough for a person reading a stamp."""
    moment = local_datetime(value)
    if moment is None:
        return str(value).strip() or UNKNOWN_TIME
    return f"{moment:%d %b %Y, %H:%M}"


def local_date(value: str | datetime) -> date | None:
    """The local calendar day of a stored timestamp (the day a founder saved something)."""
    moment = local_datetime(value)
    return moment.date() if moment else None
