from __future__ import annotations

from datetime import date

import pytest

from chat_widget.meetings.holidays import (
    belgian_public_holidays,
    easter_sunday,
    is_belgian_public_holiday,
)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_2026_movable_holidays() -> None:
    holidays = belgian_public_holidays(2026)
    assert date(2026, 4, 6) in holidays  # Easter Monday
    assert date(2026, 5, 14) in holidays  # Ascension
    assert date(2026, 5, 25) in holidays  # Whit Monday
    assert len(holidays) == 10


def test_fixed_holidays_and_ordinary_days() -> None:
    for day in (
        date(2026, 1, 1),
        date(2026, 5, 1),
        date(2026, 7, 21),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 25),
    ):
        assert is_belgian_public_holiday(day)
    assert not is_belgian_public_holiday(date(2026, 12, 26))  # Boxing Day is not a Belgian one
    assert not is_belgian_public_holiday(date(2026, 4, 5))  # Easter Sunday itself is a Sunday
