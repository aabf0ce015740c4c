from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chat_widget.live_chat.hours import (
    add_closure,
    belgian_public_holidays,
    easter_sunday,
    is_open,
    load_opening_hours,
    parse_opening_hours,
    remove_closure,
    save_opening_hours,
    set_day,
    status,
)
from chat_widget.live_chat.hours.__main__ import main as hours_cli

BRU = ZoneInfo("Europe/Brussels")
WEEKDAYS = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
HOURS = parse_opening_hours(
    {"timezone": "Europe/Brussels", "weekly": {**WEEKDAYS, "sat": [["09:00", "17:00"]]}}
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BRU)  # type: ignore[misc,arg-type]


def test_easter_and_movable_holidays() -> None:
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2038) == date(2038, 4, 25)
    h = belgian_public_holidays(2026)
    assert h[date(2026, 4, 6)] == "easter_monday"
    assert h[date(2026, 5, 14)] == "ascension"
    assert h[date(2026, 5, 25)] == "whit_monday"
    assert h[date(2026, 7, 21)] == "national_day"
    assert len(h) == 10


def test_open_inside_weekday_hours_with_closing_time() -> None:
    s = status(local(2026, 11, 24, 10, 0), HOURS)
    assert s.open and s.reason is None and s.next_open is None
    assert s.closes_at == local(2026, 11, 24, 20, 0)
    assert not is_open(local(2026, 11, 24, 20, 0), HOURS)  # end is exclusive
    assert is_open(local(2026, 11, 24, 8, 0), HOURS)


def test_next_opening_across_a_weekend() -> None:
    s = status(local(2026, 11, 28, 17, 30), HOURS)  # Saturday after closing
    assert (s.open, s.reason) == (False, "outside_hours")
    assert s.next_open == local(2026, 11, 30, 8, 0)  # Monday


def test_dst_weekends_keep_local_hours() -> None:
    # Sunday 29 March 2026 clocks go forward: Monday 08:00 is 06:00 UTC, Saturday 09:00 was 08:00 UTC.
    s = status(local(2026, 3, 28, 18, 0), HOURS)
    assert s.next_open == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert not is_open(datetime(2026, 3, 28, 7, 30, tzinfo=UTC), HOURS)  # 08:30 CET
    assert is_open(datetime(2026, 3, 30, 6, 30, tzinfo=UTC), HOURS)  # 08:30 CEST
    # Sunday 25 October 2026 clocks go back: Monday 08:00 is 07:00 UTC again.
    s = status(local(2026, 10, 24, 18, 0), HOURS)
    assert s.next_open == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)
    assert not is_open(datetime(2026, 10, 26, 6, 30, tzinfo=UTC), HOURS)  # 07:30 CET


def test_holidays_close_and_point_to_next_day() -> None:
    s = status(local(2026, 5, 25, 11, 0), HOURS)  # Whit Monday
    assert (s.open, s.reason, s.detail) == (False, "holiday", "whit_monday")
    assert s.next_open == local(2026, 5, 26, 8, 0)
    # Easter Monday after a Saturday evening: skips Sunday and the holiday.
    assert status(local(2026, 4, 4, 18, 0), HOURS).next_open == local(2026, 4, 7, 8, 0)
    no_holidays = parse_opening_hours({"weekly": WEEKDAYS, "public_holidays": False})
    assert is_open(local(2026, 5, 25, 11, 0), no_holidays)


def test_closure_spanning_days() -> None:
    hours, closure = add_closure(
        HOURS,
        start=datetime(2026, 12, 2, 14, 0),
        end=datetime(2026, 12, 4, 12, 0),
        reason="it_migration",
    )
    before = status(local(2026, 12, 2, 10, 0), hours)
    assert before.open and before.closes_at == local(2026, 12, 2, 14, 0)
    during = status(local(2026, 12, 3, 10, 0), hours)
    assert (during.open, during.reason, during.detail) == (False, "closure", "it_migration")
    assert during.next_open == local(2026, 12, 4, 12, 0)
    assert is_open(local(2026, 12, 4, 12, 0), hours)
    assert is_open(local(2026, 12, 3, 10, 0), remove_closure(hours, closure.id))
    with pytest.raises(KeyError):
        remove_closure(hours, "missing")


def test_closure_covering_a_whole_window_moves_on() -> None:
    hours, _ = add_closure(
        HOURS,
        start=datetime(2026, 11, 27, 0, 0),
        end=datetime(2026, 11, 28, 0, 0),
        reason="strike",
    )
    assert status(local(2026, 11, 26, 21, 0), hours).next_open == local(2026, 11, 28, 9, 0)


def test_rejects_naive_now_and_bad_data() -> None:
    with pytest.raises(ValueError):
        status(datetime(2026, 11, 24, 10, 0), HOURS)
    with pytest.raises(ValueError):
        parse_opening_hours({"weekly": {"mon": [["10:00", "09:00"]]}})
    with pytest.raises(ValueError):
        parse_opening_hours({"weekly": {"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}})
    with pytest.raises(ValueError):
        parse_opening_hours({"weekly": {"monday": []}})
    with pytest.raises(ValueError):
        set_day(HOURS, "xyz", [])


def test_default_file_loads() -> None:
    hours = load_opening_hours()
    assert hours.timezone == "Europe/Brussels"
    assert hours.weekly["sun"] == ()


def test_save_and_cli_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "hours.json"
    save_opening_hours(HOURS, path)
    assert hours_cli(["--file", str(path), "set-day", "sun", "10:00-12:00"]) == 0
    assert (
        hours_cli(
            [
                "--file",
                str(path),
                "add-closure",
                "--start",
                "2026-12-31T12:00",
                "--end",
                "2027-01-02T00:00",
                "--reason",
                "new_year_eve",
                "--id",
                "nye",
            ]
        )
        == 0
    )
    data = json.loads(path.read_text())
    assert data["weekly"]["sun"] == [["10:00", "12:00"]]
    assert data["closures"][0]["id"] == "nye"
    assert (
        hours_cli(
            [
                "--file",
                str(path),
                "add-closure",
                "--start",
                "2026-12-31T12:00",
                "--end",
                "2026-12-30T00:00",
                "--reason",
                "x",
            ]
        )
        == 2
    )
    assert hours_cli(["--file", str(path), "remove-closure", "nye"]) == 0
    assert hours_cli(["--file", str(path), "set-day", "sun", "closed"]) == 0
    assert hours_cli(["--file", str(path), "show"]) == 0
    reloaded = load_opening_hours(path)
    assert reloaded.closures == () and reloaded.weekly["sun"] == ()
