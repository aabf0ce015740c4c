"""Slot labels in the customer's language and time zone (Babel, Belgian regional formats)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval, format_time

from chat_widget.meetings._data import pick_locale
from chat_widget.meetings.slots import BUSINESS_TZ, Slot


def babel_locale(locale: str) -> str:
    """fr → fr_BE etc.: Belgian conventions for every widget language."""
    return f"{pick_locale(locale)}_BE"


def format_slot(slot: Slot, *, locale: str, timezone: str = BUSINESS_TZ) -> str:
    """E.g. ``mardi 31 mars 2026 10:00–10:30`` — date and times in the customer's time zone."""
    tz = ZoneInfo(timezone)
    start = slot.start.astimezone(tz)
    end = slot.end.astimezone(tz)
    loc = babel_locale(locale)
    day = format_date(start.date(), format="full", locale=loc)
    hours = format_interval(start, end, skeleton="Hm", tzinfo=tz, locale=loc)
    return f"{day} {hours}"


def format_moment(moment: datetime, *, locale: str, timezone: str = BUSINESS_TZ) -> str:
    """E.g. ``lundi 30 mars 2026 10:00`` in the customer's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    loc = babel_locale(locale)
    return f"{format_date(local.date(), format='full', locale=loc)} {format_time(local, format='short', locale=loc)}"
