"""Belgian legal public holidays for the slot grid (one computation, in chat_widget.domain)."""

from __future__ import annotations

from datetime import date

from chat_widget.domain.holidays import belgian_public_holidays as _named_holidays
from chat_widget.domain.holidays import easter_sunday

__all__ = ["belgian_public_holidays", "easter_sunday", "is_belgian_public_holiday"]


def belgian_public_holidays(year: int) -> frozenset[date]:
    """The ten legal holidays (Royal Decree of 18 April 1974) for ``year``."""
    return frozenset(_named_holidays(year))


def is_belgian_public_holiday(day: date) -> bool:
    return day in _named_holidays(day.year)
