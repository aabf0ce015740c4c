"""``format_clock`` formats directly what Babel's "HH:mm" gives in the four languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_time

from chat_widget.i18n import _BABEL_LOCALE, _tz, format_clock

# Both 2026 daylight-saving changes in Brussels, midnight and noon, a naive (UTC) moment.
MOMENTS = [
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 5, tzinfo=UTC),
    datetime(2026, 6, 1, 11, 30),
]


@pytest.mark.parametrize("locale", ["fr", "nl", "en", "de"])
@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_same_as_babel(locale: str, moment: datetime) -> None:
    babel = format_time(
        moment, "HH:mm", tzinfo=_tz("Europe/Brussels"), locale=_BABEL_LOCALE[locale]
    )
    assert format_clock(moment, locale) == babel


def test_every_minute_of_a_day_in_the_banks_zone() -> None:
    start = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    shown = [format_clock(start + timedelta(minutes=m), "fr") for m in range(6 * 60)]
    assert shown[0] == "23:00"  # UTC+1 before the change
    assert "03:00" in shown and "02:30" not in shown  # 02:00-03:00 does not exist that night
