from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chat_widget.meetings.formatting import format_slot
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
