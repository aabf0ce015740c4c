"""Live chat opening hours: ``status(now)`` answers open/closed, why, and the next opening."""

from __future__ import annotations

from chat_widget.live_chat.hours.holidays import belgian_public_holidays, easter_sunday, holiday_on
from chat_widget.live_chat.hours.schedule import (
    DEFAULT_PATH,
    Closure,
    Interval,
    OpeningHours,
    OpenStatus,
    add_closure,
    is_open,
    load_opening_hours,
    opening_hours_to_dict,
    parse_opening_hours,
    remove_closure,
    save_opening_hours,
    set_day,
    status,
)

__all__ = [
    "DEFAULT_PATH",
    "Closure",
    "Interval",
    "OpenStatus",
    "OpeningHours",
    "add_closure",
    "belgian_public_holidays",
    "easter_sunday",
    "holiday_on",
    "is_open",
    "load_opening_hours",
    "opening_hours_to_dict",
    "parse_opening_hours",
    "remove_closure",
    "save_opening_hours",
    "set_day",
    "status",
]
