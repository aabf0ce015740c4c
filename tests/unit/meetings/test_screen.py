"""The video screen's rules without a browser: consent first, the slot picker, outcomes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chat_widget.meetings import AppointmentView, BookingOutcome, OutcomeStatus, Recording, screen
from chat_widget.meetings.slots import Slot

BXL = ZoneInfo("Europe/Brussels")
MONDAY = datetime(2026, 3, 30, 9, tzinfo=BXL)


def slot(start: datetime) -> Slot:
    return Slot(start, start + timedelta(minutes=30), ("a",))


def appointment(status: str = "booked") -> AppointmentView:
    return AppointmentView(
        booking_id="b1",
        status=status,
        topic="mortgage",
        topic_label="Mortgage",
        start=MONDAY,
        end=MONDAY + timedelta(minutes=30),
        when_label="Monday 30 March 2026 09:00",
        advisor_first_name="Ann",
        join_url=None,
        recording=Recording.NONE,
        recording_reminder="",
    )


def test_the_notice_comes_first_and_devices_only_after_consent() -> None:
    assert screen.first_step(consented=False) == "notice"
    assert screen.first_step(consented=True) == "topic"
    assert screen.step_after_consent(granted=True) == "topic"
    assert screen.step_after_consent(granted=False) == "declined"
    assert not screen.may_test_devices("notice") and not screen.may_test_devices("declined")
    assert all(screen.may_test_devices(step) for step in ("topic", "slot", "done"))


@pytest.mark.parametrize(
    ("result", "status"),
    [("ok", "ok"), ("denied", "denied"), ("missing", "missing"), ("boom", "error"), (3, "error")],
)
def test_an_unexpected_device_result_is_an_error(result: object, status: str) -> None:
    assert screen.device_status(result) == status


def test_slots_are_grouped_by_day_and_capped() -> None:
    found = [slot(MONDAY + timedelta(days=d, hours=h)) for d in range(5) for h in range(6)]
    picker = screen.slot_picker(found, locale="en", timezone="Europe/Brussels", current_day="")
    assert len(picker.times) == screen.MAX_SLOTS_SHOWN == len(picker.by_key)
    assert [d.key for d in picker.days] == ["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"]
    assert picker.day == "2026-03-30"  # nothing chosen yet: the first day
    first = picker.days[0].times[0]
    assert first.value == MONDAY.isoformat() and first.label.startswith("09:00")


def test_the_day_on_screen_stays_while_it_has_slots() -> None:
    found = [slot(MONDAY), slot(MONDAY + timedelta(days=1))]
    kept = screen.slot_picker(found, locale="en", timezone="UTC", current_day="2026-03-31")
    gone = screen.slot_picker(found, locale="en", timezone="UTC", current_day="2026-04-09")
    empty = screen.slot_picker([], locale="en", timezone="UTC", current_day="2026-03-31")
    assert (kept.day, gone.day, empty.day) == ("2026-03-31", "2026-03-30", "")


@pytest.mark.parametrize(
    ("status", "kind", "clears"),
    [
        (OutcomeStatus.BOOKED, "booked", True),
        (OutcomeStatus.RESCHEDULED, "rescheduled", True),
        (OutcomeStatus.PENDING, "pending", False),
    ],
)
def test_a_confirmed_outcome_leads_to_its_confirmation(
    status: OutcomeStatus, kind: str, clears: bool
) -> None:
    after = screen.after_booking(BookingOutcome(status, "ok", appointment()))
    assert (after.done_kind, after.rescheduling_done, after.pick_again) == (kind, clears, False)
    assert after.booked is not None


def test_a_taken_or_refused_slot_means_picking_again() -> None:
    alternatives = (slot(MONDAY),)
    taken = screen.after_booking(BookingOutcome(OutcomeStatus.SLOT_TAKEN, "taken"))
    refused = screen.after_booking(BookingOutcome(OutcomeStatus.FAILED, "no", None, alternatives))
    failed = screen.after_booking(BookingOutcome(OutcomeStatus.FAILED, "no"))
    assert taken.pick_again and taken.alternatives == ()
    assert refused.pick_again and refused.alternatives == alternatives
    assert failed == screen.AfterBooking()  # nothing to pick from: the message says it all


def test_only_meetings_still_to_come_are_listed() -> None:
    listed = screen.listed_meetings(
        [appointment("booked"), appointment("cancelled"), appointment("pending")], "en"
    )
    assert [m.status for m in listed] == ["booked", "pending"]
    assert listed[0].advisor.endswith("Ann") and listed[0].join_url == ""


@pytest.mark.parametrize(
    ("value", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("Mars/Olympus", None),
        ("", None),
        (None, None),
        ("x" * 65, None),
        ("../etc/passwd", None),
    ],
)
def test_a_time_zone_from_the_host_page_is_checked(value: object, zone: str | None) -> None:
    assert screen.valid_time_zone(value) == zone
