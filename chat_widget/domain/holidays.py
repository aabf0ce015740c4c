"""Belgian public holidays, computed rather than typed in so no year is ever forgotten."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def easter_sunday(year: int) -> date:
    """Gregorian Easter (anonymous Gregorian algorithm, a.k.a. Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def belgian_public_holidays(year: int) -> dict[date, str]:
    """The ten national public holidays of ``year`` → a reason key for the UI catalog."""
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): "new_year",
        easter + timedelta(days=1): "easter_monday",
        date(year, 5, 1): "labour_day",
        easter + timedelta(days=39): "ascension",
        easter + timedelta(days=50): "whit_monday",
        date(year, 7, 21): "national_day",
        date(year, 8, 15): "assumption",
        date(year, 11, 1): "all_saints",
        date(year, 11, 11): "armistice",
        date(year, 12, 25): "christmas",
    }


def holiday_on(day: date) -> str | None:
    return belgian_public_holidays(day.year).get(day)
