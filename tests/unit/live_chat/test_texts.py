from __future__ import annotations

from datetime import UTC, datetime

from chat_widget import i18n
from chat_widget.i18n import pick_locale, translations
from chat_widget.live_chat.hours import belgian_public_holidays, parse_opening_hours, status
from chat_widget.live_chat.texts import describe_closed


def test_every_holiday_has_a_name() -> None:
    for reason in set(belgian_public_holidays(2026).values()):
        assert translations.has("live_chat", f"holiday.{reason}")


def test_unknown_locale_falls_back_to_french() -> None:
    assert pick_locale("xx") == "fr"


def test_closed_message_has_reason_next_opening_and_other_channels() -> None:
    hours = parse_opening_hours({"weekly": {"tue": [["08:00", "20:00"]]}})
    closed = status(datetime(2026, 5, 25, 10, 0, tzinfo=UTC), hours)  # Whit Monday
    lines = describe_closed(closed, "en")
    assert lines[0] == "Chat is closed today: Whit Monday."
    # The same format as the home view's "opens ..." line (chat_widget.i18n.format_when).
    assert "Tuesday 26 May, 08:00" in lines[1]
    assert i18n.format_when(closed.next_open, "en") in lines[1]  # type: ignore[arg-type]
    assert "digital assistant" in lines[2]
    assert len(describe_closed(closed, "nl")) == 3
