from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chat_widget.meetings.slots import (
    Advisor,
    Interval,
    SlotRules,
    StaffSchedule,
    advisor_pool,
    compute_free_slots,
    slots_after,
)

BXL = ZoneInfo("Europe/Brussels")


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BXL)


def starts_on(slots, day: date) -> list[time]:  # type: ignore[no-untyped-def]
    return [s.start.astimezone(BXL).time() for s in slots if s.start.astimezone(BXL).date() == day]


def test_slots_are_aware_and_in_business_hours() -> None:
    slots = compute_free_slots(
        now=local(2026, 6, 1, 7), rules=SlotRules(), schedules=[StaffSchedule("a")]
    )
    assert slots
    for slot in slots:
        assert slot.start.tzinfo is not None and slot.end.tzinfo is not None
        start, end = slot.start.astimezone(BXL), slot.end.astimezone(BXL)
        assert start.weekday() < 5
        assert time(9) <= start.time() and end.time() <= time(17)
        assert end - start == timedelta(minutes=30)
    # 16 half-hour slots a day.
    assert len(starts_on(slots, date(2026, 6, 2))) == 16


def test_spring_dst_week_keeps_local_hours() -> None:
    # DST starts on Sunday 29 March 2026: 09:00 is 08:00 UTC on Friday, 07:00 UTC on Monday.
    slots = compute_free_slots(
        now=local(2026, 3, 26, 18), rules=SlotRules(), schedules=[StaffSchedule("a")]
    )
    friday = [s for s in slots if s.start.astimezone(BXL).date() == date(2026, 3, 27)]
    monday = [s for s in slots if s.start.astimezone(BXL).date() == date(2026, 3, 30)]
    assert friday[0].start.astimezone(UTC).hour == 8
    assert monday[0].start.astimezone(UTC).hour == 7
    assert (
        friday[0].start.astimezone(BXL).time() == monday[0].start.astimezone(BXL).time() == time(9)
    )
    assert len(friday) == len(monday) == 16


def test_autumn_dst_week_keeps_local_hours() -> None:
    # DST ends on Sunday 25 October 2026.
    slots = compute_free_slots(
        now=local(2026, 10, 22, 18), rules=SlotRules(), schedules=[StaffSchedule("a")]
    )
    friday = [s for s in slots if s.start.astimezone(BXL).date() == date(2026, 10, 23)]
    monday = [s for s in slots if s.start.astimezone(BXL).date() == date(2026, 10, 26)]
    assert friday[0].start.astimezone(UTC).hour == 7
    assert monday[0].start.astimezone(UTC).hour == 8
    assert (
        friday[-1].end.astimezone(BXL).time() == monday[-1].end.astimezone(BXL).time() == time(17)
    )


def test_busy_in_utc_blocks_the_right_local_slot_after_dst_change() -> None:
    # Monday 30 March 2026, 10:00 Brussels (CEST) == 08:00 UTC.
    busy = Interval(datetime(2026, 3, 30, 8, tzinfo=UTC), datetime(2026, 3, 30, 8, 30, tzinfo=UTC))
    slots = compute_free_slots(
        now=local(2026, 3, 26, 18), rules=SlotRules(), schedules=[StaffSchedule("a", busy=(busy,))]
    )
    monday = starts_on(slots, date(2026, 3, 30))
    assert time(10) not in monday
    assert time(9, 30) in monday and time(10, 30) in monday


def test_buffers_keep_the_advisor_free_around_meetings() -> None:
    busy = Interval(local(2026, 6, 2, 10), local(2026, 6, 2, 10, 30))
    rules = SlotRules(step_minutes=15, buffer_before_minutes=15, buffer_after_minutes=15)
    slots = compute_free_slots(
        now=local(2026, 6, 1, 7), rules=rules, schedules=[StaffSchedule("a", busy=(busy,))]
    )
    tuesday = starts_on(slots, date(2026, 6, 2))
    assert time(9, 15) in tuesday  # ends 9:45, +15 after = 10:00: touches, no overlap
    assert time(9, 30) not in tuesday  # ends 10:00 but needs 15 min after
    assert time(10, 30) not in tuesday  # needs 15 min before
    assert time(10, 45) in tuesday


def test_public_holidays_and_weekends_have_no_slots() -> None:
    slots = compute_free_slots(
        now=local(2026, 4, 2, 7), rules=SlotRules(), schedules=[StaffSchedule("a")]
    )
    days = {s.start.astimezone(BXL).date() for s in slots}
    assert date(2026, 4, 6) not in days  # Easter Monday
    assert date(2026, 4, 4) not in days and date(2026, 4, 5) not in days
    assert date(2026, 4, 7) in days
    slots = compute_free_slots(
        now=local(2026, 11, 9, 7), rules=SlotRules(), schedules=[StaffSchedule("a")]
    )
    assert date(2026, 11, 11) not in {s.start.astimezone(BXL).date() for s in slots}


def test_horizon_and_minimum_notice() -> None:
    now = local(2026, 6, 1, 9, 10)
    rules = SlotRules(min_notice_minutes=60, horizon_days=14)
    slots = compute_free_slots(now=now, rules=rules, schedules=[StaffSchedule("a")])
    assert slots[0].start == local(2026, 6, 1, 10, 30)
    assert all(s.end <= now + timedelta(days=14) for s in slots)
    # Monday 15 June 09:00-09:30 ends after now + 14 days (09:10): the last day is Friday 12.
    assert max(s.start for s in slots).date() == date(2026, 6, 12)


def test_available_windows_restrict_slots() -> None:
    window = Interval(local(2026, 6, 2, 13), local(2026, 6, 2, 17))
    slots = compute_free_slots(
        now=local(2026, 6, 1, 7),
        rules=SlotRules(),
        schedules=[StaffSchedule("a", available=(window,))],
    )
    assert {s.start.astimezone(BXL).date() for s in slots} == {date(2026, 6, 2)}
    assert min(starts_on(slots, date(2026, 6, 2))) == time(13)


def test_pools_by_topic_and_language() -> None:
    advisors = [
        Advisor(
            "fr1", "Claire", frozenset({"investments", "daily_banking"}), frozenset({"fr", "en"})
        ),
        Advisor("nl1", "Joris", frozenset({"investments"}), frozenset({"nl"})),
        Advisor("de1", "Jonas", frozenset({"insurance"}), frozenset({"de", "fr"})),
    ]
    assert [a.staff_id for a in advisor_pool(advisors, topic="investments", language="nl")] == [
        "nl1"
    ]
    assert [a.staff_id for a in advisor_pool(advisors, topic="investments", language="fr")] == [
        "fr1"
    ]
    assert advisor_pool(advisors, topic="insurance", language="nl") == []
    busy_nl = Interval(local(2026, 6, 2, 9), local(2026, 6, 2, 12))
    schedules = [StaffSchedule("fr1"), StaffSchedule("nl1", busy=(busy_nl,)), StaffSchedule("de1")]
    nl_slots = compute_free_slots(
        now=local(2026, 6, 1, 7), rules=SlotRules(), schedules=schedules, staff_ids=["nl1"]
    )
    assert time(9) not in starts_on(nl_slots, date(2026, 6, 2))
    assert all(s.staff_ids == ("nl1",) for s in nl_slots)
    both = compute_free_slots(
        now=local(2026, 6, 1, 7), rules=SlotRules(), schedules=schedules, staff_ids=["fr1", "nl1"]
    )
    nine = next(s for s in both if s.start == local(2026, 6, 2, 9))
    assert nine.staff_ids == ("fr1",)


def test_advisor_without_schedule_is_not_free() -> None:
    slots = compute_free_slots(
        now=local(2026, 6, 1, 7), rules=SlotRules(), schedules=[], staff_ids=["ghost"]
    )
    assert slots == []


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        compute_free_slots(now=datetime(2026, 6, 1, 7), rules=SlotRules(), schedules=[])


def test_slots_after() -> None:
    slots = compute_free_slots(
        now=local(2026, 6, 1, 7), rules=SlotRules(), schedules=[StaffSchedule("a")]
    )
    nxt = slots_after(slots, local(2026, 6, 3, 16, 30), limit=3)
    assert [s.start for s in nxt] == [
        local(2026, 6, 3, 16, 30),
        local(2026, 6, 4, 9),
        local(2026, 6, 4, 9, 30),
    ]


def test_recording_pools_keep_recorded_advisors_apart() -> None:
    from chat_widget.meetings.slots import Advisor, RecordingPoolError, check_recording_pools

    invest = Advisor("a", "A", frozenset({"investments"}), frozenset({"fr"}))
    daily = Advisor("b", "B", frozenset({"daily_banking", "insurance"}), frozenset({"fr"}))
    check_recording_pools([invest, daily], ["investments"])
    both = Advisor("c", "C", frozenset({"investments", "daily_banking"}), frozenset({"fr"}))
    with pytest.raises(RecordingPoolError, match="c"):
        check_recording_pools([invest, daily, both], ["investments"])


def test_the_shipped_advisors_file_keeps_investment_advisors_apart() -> None:
    from chat_widget.meetings.advisors import SHIPPED_ADVISORS, load_advisors
    from chat_widget.meetings.slots import check_recording_pools

    check_recording_pools(load_advisors(SHIPPED_ADVISORS), ["investments"])


def test_maximum_advance_bounds_the_last_start() -> None:
    from datetime import UTC, datetime

    from chat_widget.meetings.slots import SlotRules, candidate_slots

    now = datetime(2026, 3, 26, 17, 0, tzinfo=UTC)
    slots = candidate_slots(now=now, rules=SlotRules(max_advance_minutes=3 * 24 * 60))
    assert slots and max(s.start for s in slots) <= datetime(2026, 3, 29, 17, 0, tzinfo=UTC)
