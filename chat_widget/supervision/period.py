"""The period a supervisor looks at: whole days on the bank's calendar, as UTC bounds.

Reports take explicit ``since``/``until`` instants (``since <= t < until``) so they can be
tested against any data; the console and the CSV route choose those instants from two bank
dates, so "Monday" means Monday in Brussels whatever the server's zone, including the days the
clocks change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from chat_widget.domain.clock import BANK_ZONE, as_aware

#: A longer period makes the hourly charts meaningless and the queries heavy; three months
#: covers the quarterly review.
MAX_DAYS = 92
DEFAULT_DAYS = 7


class PeriodError(ValueError):
    """The asked period is not a usable one (reversed, too long, not dates)."""


def bank_midnight(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in Brussels."""
    return datetime.combine(day, time(), BANK_ZONE).astimezone(UTC)


def bank_day(moment: datetime) -> date:
    return as_aware(moment).astimezone(BANK_ZONE).date()


def bank_hour(moment: datetime) -> int:
    return as_aware(moment).astimezone(BANK_ZONE).hour


def days_between(since: datetime, until: datetime) -> list[date]:
    """Every bank day that overlaps ``[since, until)``, in order."""
    first = bank_day(since)
    last = bank_day(as_aware(until) - timedelta(microseconds=1))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class Period:
    """From the start of ``first`` to the end of ``last`` (both bank days, inclusive)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError("the period ends before it starts")
        if (self.last - self.first).days + 1 > MAX_DAYS:
            raise PeriodError(f"a period is at most {MAX_DAYS} days")

    @property
    def since(self) -> datetime:
        return bank_midnight(self.first)

    @property
    def until(self) -> datetime:
        return bank_midnight(self.last + timedelta(days=1))


def default_period(today: date) -> Period:
    """The last seven bank days, today included."""
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def parse_period(raw_first: object, raw_last: object) -> Period:
    """Two ``YYYY-MM-DD`` strings (a date input's value, a query parameter)."""
    try:
        first = date.fromisoformat(str(raw_first or "")[:10])
        last = date.fromisoformat(str(raw_last or "")[:10])
    except ValueError as exc:
        raise PeriodError("dates are YYYY-MM-DD") from exc
    return Period(first, last)
