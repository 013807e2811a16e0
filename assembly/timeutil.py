"""Time in one place, so every timestamp is timezone-aware UTC, and every date a person sees or
a rule counts (a report's day, a round's due date, "prepared on") is the date in Thailand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

THAI_TIME = timezone(timedelta(hours=7), "ICT")
"""Thai time (no daylight saving): the hall's clock, and the day a report counts for. A report
sent at 18:00 UTC on 15 January is sent on 16 January in Thailand."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; treat them as the UTC they were stored as."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def thai_date(moment: datetime) -> date:
    """The date in Thailand at a moment (a naive moment is the UTC it was stored as)."""
    return as_utc(moment).astimezone(THAI_TIME).date()


def thai_today() -> date:
    """Today in Thailand, whatever the server's own time zone."""
    return thai_date(utcnow())
