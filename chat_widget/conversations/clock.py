"""UTC helpers that tolerate both naive-UTC and aware values coming back from the database."""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_aware(value: datetime) -> datetime:
    """Naive values are UTC by project convention; aware ones are converted to UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
