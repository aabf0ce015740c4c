"""Slot labels in the customer's language and time zone (Babel, Belgian regional formats)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import (
    format_date,
    format_interval,
    format_skeleton,
    format_time,
    get_timezone_location,
)

from chat_widget.i18n import pick_locale
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


@dataclass(frozen=True)
class SlotDay:
    """The free slots of one day, for a day strip then time buttons."""

    day: date
    short_label: str  # "mar. 8 déc." for the strip
    label: str  # "mardi 8 décembre 2026" for the times' group name
    slots: tuple[tuple[Slot, str], ...]  # each slot with its times, "10:00–10:30"


def group_slots_by_day(
    slots: list[Slot], *, locale: str, timezone: str = BUSINESS_TZ
) -> list[SlotDay]:
    """Slots by day in the customer's time zone, days and times in order: one row per day
    instead of a list repeating the full date on every slot."""
    tz = ZoneInfo(timezone)
    loc = babel_locale(locale)
    days: dict[date, list[tuple[Slot, str]]] = {}
    for slot in sorted(slots, key=lambda s: s.start):
        start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
        hours = format_interval(start, end, skeleton="Hm", tzinfo=tz, locale=loc)
        days.setdefault(start.date(), []).append((slot, hours))
    return [
        SlotDay(
            day=day,
            short_label=format_skeleton(
                "MMMEd", datetime(day.year, day.month, day.day), locale=loc
            ),
            label=format_date(day, format="full", locale=loc),
            slots=tuple(items),
        )
        for day, items in days.items()
    ]


def time_zone_label(timezone: str, *, locale: str) -> str:
    """The zone as people say it, by its city: "Brussels time", "heure de Bruxelles"."""
    from chat_widget.meetings.texts import message

    city = get_timezone_location(timezone, locale=babel_locale(locale), return_city=True)
    if pick_locale(locale) == "fr" and city[:1].lower() in "aeiouyhâéèêîôû":
        return message("zone_city", locale).replace("de {city}", "d\u2019{city}").format(city=city)
    return message("zone_city", locale).format(city=city)
