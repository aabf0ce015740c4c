from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chat_widget.meetings.formatting import format_slot, group_slots_by_day, time_zone_label
from chat_widget.meetings.slots import Slot

BXL = ZoneInfo("Europe/Brussels")
SLOT = Slot(
    datetime(2026, 3, 30, 10, tzinfo=BXL), datetime(2026, 3, 30, 10, 30, tzinfo=BXL), ("a",)
)


@pytest.mark.parametrize(
    ("locale", "weekday", "month"),
    [
        ("fr", "lundi", "mars"),
        ("nl", "maandag", "maart"),
        ("en", "Monday", "March"),
        ("de", "Montag", "März"),
    ],
)
def test_slot_label_in_each_language(locale: str, weekday: str, month: str) -> None:
    label = format_slot(SLOT, locale=locale)
    assert weekday in label and month in label and "10:00" in label and "10:30" in label


def test_slot_label_in_customer_time_zone() -> None:
    label = format_slot(SLOT, locale="en", timezone="Europe/London")
    assert "09:00" in label and "09:30" in label
    assert "10:00" not in label


def test_unknown_locale_falls_back_to_french() -> None:
    assert "lundi" in format_slot(SLOT, locale="es-ES")


def _slot(day: int, hour: int) -> Slot:
    start = datetime(2026, 12, day, hour, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    return dataclasses.replace(SLOT, start=start, end=start + timedelta(minutes=30))


def test_slots_grouped_by_day_in_the_customer_zone() -> None:
    slots = [_slot(9, 14), _slot(8, 10), _slot(8, 9), _slot(9, 23)]
    days = group_slots_by_day(slots, locale="fr", timezone="Europe/Brussels")
    assert [d.short_label for d in days] == ["mar. 8 déc.", "mer. 9 déc."]
    assert days[0].label == "mardi 8 décembre 2026"
    assert [hours.replace("\u2009", "") for _, hours in days[0].slots] == [
        "09:00–09:30",
        "10:00–10:30",
    ]
    # 23:00 in Brussels is already the next day in Helsinki.
    helsinki = group_slots_by_day(slots, locale="en", timezone="Europe/Helsinki")
    assert [len(d.slots) for d in helsinki] == [2, 1, 1]


@pytest.mark.parametrize(
    ("locale", "zone", "said"),
    [
        ("en", "Europe/Brussels", "Brussels time"),
        ("fr", "Europe/Brussels", "heure de Bruxelles"),
        ("fr", "Europe/Amsterdam", "heure d’Amsterdam"),
        ("nl", "Europe/Brussels", "tijd in Brussel"),
        ("de", "Europe/Brussels", "Ortszeit Brüssel"),
    ],
)
def test_time_zone_named_by_its_city(locale: str, zone: str, said: str) -> None:
    assert time_zone_label(zone, locale=locale) == said
