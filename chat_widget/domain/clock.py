"""The one clock every "now" in the application comes from.

Why one: whether a meeting is still in the future, a session expired or a claim belongs to
this year's numbering must be decided against the same instant everywhere, and tests must be
able to move that instant (``pinned``) instead of depending on the day they run. Code never
calls ``datetime.now()`` itself; it calls :func:`utcnow` (or takes ``now`` as a parameter that
defaults to it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BANK_ZONE = ZoneInfo("Europe/Brussels")
"""The bank's legal time zone: business days, opening hours and year boundaries follow it."""


def _system() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system


def utcnow() -> datetime:
    """Aware UTC. SQLModel's datetime columns refuse naive values and read back aware UTC on
    both SQLite and PostgreSQL, so every stored datetime is aware UTC."""
    return as_aware(_source())


def bank_today() -> date:
    """Today's date on the bank's wall clock (Brussels), not the server's."""
    return utcnow().astimezone(BANK_ZONE).date()


def as_aware(value: datetime) -> datetime:
    """Naive values are UTC by project convention; aware ones are converted to UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def epoch_ms(value: datetime) -> int:
    """Milliseconds since the epoch, as browsers count (``Date.now()``)."""
    return int(as_aware(value).timestamp() * 1000)


def from_epoch_ms(value: int) -> datetime:
    """The aware UTC moment of :func:`epoch_ms`'s count (to the millisecond)."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replace the clock (None restores the system clock). For tests and replay tools."""
    global _source
    _source = source or _system


@contextmanager
def pinned(at: datetime) -> Iterator[None]:
    """Within the block, ``utcnow()`` answers ``at`` (a fixed instant)."""
    previous = _source
    fixed = as_aware(at)
    set_source(lambda: fixed)
    try:
        yield
    finally:
        set_source(previous)
