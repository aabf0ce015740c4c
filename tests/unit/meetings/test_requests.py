"""The booking form's rules and what a refused request tells the customer."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from chat_widget.domain.meeting_errors import (
    BookingNotFound,
    ConsentRequired,
    GatewayError,
    RecordingTickRequired,
)
from chat_widget.i18n import catalog
from chat_widget.meetings import BookingOutcome, BookingService, OutcomeStatus, message
from chat_widget.meetings import requests as rq
from chat_widget.meetings.slots import Slot

START = datetime(2026, 3, 30, 9, tzinfo=ZoneInfo("Europe/Brussels"))
SLOT = Slot(START, START + timedelta(minutes=30), ("a",))
SLOTS = {START.isoformat(): SLOT}
EN = catalog("en")


def read(form: dict[str, Any], *, rescheduling: bool = False) -> rq.BookingForm | rq.Refusal:
    return rq.read_booking_form(form, SLOTS, rescheduling=rescheduling, locale="en")


def test_a_complete_form_is_read() -> None:
    form = {"slot": START.isoformat(), "name": "  Ann  ", "email": "a@b.be", "recording_tick": "on"}
    assert read(form) == rq.BookingForm(SLOT, "Ann", "a@b.be", True)
    assert read({"slot": START.isoformat(), "name": "Ann"}) == rq.BookingForm(
        SLOT, "Ann", "", False
    )


@pytest.mark.parametrize(
    ("form", "key"),
    [
        ({"name": "Ann"}, "video.pick_slot"),
        ({"slot": "2026-01-01T00:00:00+00:00", "name": "Ann"}, "video.pick_slot"),
        ({"slot": START.isoformat(), "name": "   "}, "video.name_required"),
        ({"slot": START.isoformat(), "name": "Ann", "email": "ann@"}, "video.email_invalid"),
        ({"name": "", "email": "bad"}, "video.pick_slot"),  # in reading order: the slot first
    ],
)
def test_a_form_is_refused_with_the_first_thing_to_fix(form: dict[str, Any], key: str) -> None:
    assert read(form) == rq.Refusal(EN[key])


def test_moving_a_meeting_does_not_ask_for_the_name_again() -> None:
    assert isinstance(read({"slot": START.isoformat()}, rescheduling=True), rq.BookingForm)


def test_long_fields_are_cut() -> None:
    form = read({"slot": START.isoformat(), "name": "x" * 500})
    assert isinstance(form, rq.BookingForm) and len(form.name) == rq.MAX_NAME


class FakeService:
    """Only what the requests call; ``error`` is raised by every call when set."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def _call(self, name: str, **kwargs: Any) -> BookingOutcome:
        self.calls.append((name, kwargs))
        if self.error is not None:
            raise self.error
        return BookingOutcome(OutcomeStatus.BOOKED, f"{name} done")

    async def book(self, **kwargs: Any) -> BookingOutcome:
        return await self._call("book", **kwargs)

    async def reschedule(self, **kwargs: Any) -> BookingOutcome:
        return await self._call("reschedule", **kwargs)

    async def cancel(self, **kwargs: Any) -> BookingOutcome:
        return await self._call("cancel", **kwargs)

    def ics(self, **kwargs: Any) -> str:
        if self.error is not None:
            raise self.error
        return "BEGIN:VCALENDAR"


def book(service: FakeService, rescheduling: str = "") -> BookingOutcome | rq.Refusal:
    return asyncio.run(
        rq.book_from_form(
            cast(BookingService, service),
            rq.BookingForm(SLOT, "Ann", "", False),
            rescheduling=rescheduling,
            customer_id="c1",
            topic="insurance",
            locale="en",
            time_zone="Europe/Brussels",
            request_id="r1",
        )
    )


def test_a_new_meeting_is_booked_and_a_moved_one_rescheduled() -> None:
    service = FakeService()
    assert isinstance(book(service), BookingOutcome)
    assert isinstance(book(service, rescheduling="b1"), BookingOutcome)
    (first, new), (second, moved) = service.calls
    assert first == "book" and new["customer_email"] is None and new["request_id"] == "r1"
    assert second == "reschedule" and moved == {
        "booking_id": "b1",
        "slot": SLOT,
        "customer_id": "c1",
    }


@pytest.mark.parametrize(
    ("error", "refusal"),
    [
        (ConsentRequired(), rq.Refusal("", step="notice")),
        (RecordingTickRequired(), rq.Refusal(message("recording_tick_required", "en"))),
        (BookingNotFound("b1"), rq.Refusal(message("not_found", "en"), stop_rescheduling=True)),
        (GatewayError("down"), rq.Refusal(EN["video.unavailable"])),
        (ValueError("slot"), rq.Refusal(EN["video.pick_slot"])),
    ],
)
def test_a_refused_booking_says_why(error: Exception, refusal: rq.Refusal) -> None:
    assert book(FakeService(error)) == refusal


def test_cancelling_someone_elses_meeting_says_it_is_not_found() -> None:
    def cancel(service: FakeService) -> tuple[bool, str]:
        return asyncio.run(
            rq.cancel_meeting(
                cast(BookingService, service), booking_id="b1", customer_id="c1", locale="en"
            )
        )

    assert cancel(FakeService()) == (True, "cancel done")
    assert cancel(FakeService(BookingNotFound("b1"))) == (False, message("not_found", "en"))


def test_no_calendar_file_is_none_rather_than_an_error() -> None:
    def ics(service: FakeService) -> str | None:
        return asyncio.run(
            rq.meeting_ics(cast(BookingService, service), booking_id="b1", customer_id="c1")
        )

    assert ics(FakeService()) == "BEGIN:VCALENDAR"
    assert ics(FakeService(BookingNotFound("b1"))) is None
