from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from chat_widget.meetings.ics import build_ics, escape_text, fold_line

JOIN = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%22Tid%22%7d"


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ics_structure_and_utc_times() -> None:
    start = datetime(2026, 3, 30, 10, tzinfo=ZoneInfo("Europe/Brussels"))
    end = datetime(2026, 3, 30, 10, 30, tzinfo=ZoneInfo("Europe/Brussels"))
    text = build_ics(
        uid="abc@chat-widget",
        start=start,
        end=end,
        summary="Placements, avec Claire; 30 min",
        description="Rappel\nligne 2",
        join_url=JOIN,
        now=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    assert "DTSTART:20260330T080000Z" in lines and "DTEND:20260330T083000Z" in lines
    assert "SUMMARY:Placements\\, avec Claire\\; 30 min" in lines
    assert f"URL:{JOIN}" in lines
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert "Rappel\\nligne 2" in description and JOIN.replace(",", "\\,") in description
    for raw in text.split("\r\n"):
        assert len(raw.encode("utf-8")) <= 75


def test_escaping_and_folding_of_multibyte_text() -> None:
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    folded = fold_line("SUMMARY:" + "é" * 100)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "SUMMARY:" + "é" * 100


def test_cancelled_event() -> None:
    text = build_ics(
        uid="x",
        start=datetime(2026, 1, 5, 9, tzinfo=UTC),
        end=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        summary="s",
        description="",
        join_url=None,
        cancelled=True,
    )
    assert "STATUS:CANCELLED" in text and "METHOD:CANCEL" in text and "URL:" not in text
