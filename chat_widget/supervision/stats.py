"""Small statistics shared by the reports: percentiles and hour buckets counted in SQL.

Counting rows per hour is done by the database (one row per hour and key comes back, not one
per conversation), but each dialect spells "truncate to the hour" differently, and only UTC
hours are safe to ask for: the bank's hours are derived here in Python, where the zone rules
(summer time) are known. Brussels is a whole number of hours from UTC, so a UTC hour is always
exactly one bank hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement


def percentile(values: Sequence[int], q: int) -> int | None:
    """Nearest-rank percentile: always a value that was actually observed (a real chat's wait),
    which is what a supervisor expects to read; None without values."""
    if not values:
        return None
    if not 0 < q <= 100:
        raise ValueError("q is a percentage in (0, 100]")
    ordered = sorted(values)
    rank = (q * len(ordered) + 99) // 100  # ceil(q/100 * n) in integers: no float rounding
    return ordered[rank - 1]


def seconds(start: datetime, end: datetime) -> int:
    """Whole seconds from ``start`` to ``end`` (never negative: clocks of two workers may
    disagree by a little)."""
    return max(0, int((end - start).total_seconds()))


def utc_hour(column: Any, dialect: str) -> ColumnElement[Any]:
    """The start of the UTC hour of a timestamp column, as the dialect can group by it."""
    if dialect == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))
    # SQLite stores the UTC wall time as text ("2026-11-24 12:34:56.000000").
    return func.strftime("%Y-%m-%d %H:00:00", column)


def hour_start(value: object) -> datetime:
    """What :func:`utc_hour` returned, as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
