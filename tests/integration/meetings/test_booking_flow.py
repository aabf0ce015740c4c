"""The booking use-case end to end: database + real msgraph-sdk + fake Graph over HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.meetings.booking import BookingService, OutcomeStatus
from chat_widget.meetings.errors import BookingNotFound, ConsentRequired, RecordingTickRequired
from chat_widget.meetings.records import AppointmentStatus, get_appointment_record
from chat_widget.meetings.slots import Slot
from chat_widget.meetings.texts import message
from chat_widget.meetings.topics import Recording
from tests.fakes.fake_graph import FakeGraph

from .conftest import CLIENT_TIMEOUT, make_customer


def row(engine: Engine, booking_id: str):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        found = get_appointment_record(session=session, booking_id=booking_id)
    assert found is not None
    return found


async def first_slot(
    service: BookingService, topic: str = "daily_banking", locale: str = "fr"
) -> Slot:
    slots = await service.free_slots(topic=topic, locale=locale)
    assert slots
    return slots[0]


async def test_happy_path(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slots = await service.free_slots(topic="daily_banking", locale="fr")
    assert {sid for s in slots for sid in s.staff_ids} == {"staff-claire"}  # fr + daily_banking
    outcome = await service.book(
        customer_id=customer_id,
        topic="daily_banking",
        locale="fr",
        slot=slots[0],
        customer_name="Jean Dupont",
        customer_email="jean@example.be",
    )
    assert outcome.status is OutcomeStatus.BOOKED
    view = outcome.appointment
    assert view is not None and view.advisor_first_name == "Claire"
    assert view.join_url and view.join_url.startswith("https://teams.microsoft.com/")
    assert view.recording is Recording.NONE and "pas enregistré" in view.recording_reminder
    assert view.start == slots[0].start
    assert view.when_label.startswith("vendredi 27 mars 2026")  # first slot: Friday 27 March
    [stored] = fake_graph.live_appointments()
    assert stored["joinWebUrl"] == view.join_url
    meeting = fake_graph.online_meeting(view.join_url)
    assert meeting is not None and meeting["_organizer"] == "staff-claire@contoso.example"
    assert meeting["lobbyBypassSettings"]["scope"] == "organizer"
    assert meeting["lobbyBypassSettings"]["isDialInBypassEnabled"] is False
    assert meeting["allowRecording"] is False and meeting["recordAutomatically"] is False
    assert row(db_engine, view.booking_id).meeting_options == "applied"

    # The booked slot is no longer offered.
    assert slots[0].start not in {
        s.start for s in await service.free_slots(topic="daily_banking", locale="fr")
    }

    assert service.get(booking_id=view.booking_id, customer_id=customer_id).status == "booked"
    ics = service.ics(booking_id=view.booking_id, customer_id=customer_id)
    assert "BEGIN:VEVENT" in ics and "teams.microsoft.com" in ics.replace("\r\n ", "")

    new_slot = slots[5]
    moved = await service.reschedule(
        booking_id=view.booking_id, customer_id=customer_id, slot=new_slot
    )
    assert moved.status is OutcomeStatus.RESCHEDULED
    [stored] = fake_graph.live_appointments()
    assert stored["startDateTime"]["dateTime"].startswith(
        new_slot.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    )
    assert row(db_engine, view.booking_id).start_utc == new_slot.start

    cancelled = await service.cancel(booking_id=view.booking_id, customer_id=customer_id)
    assert cancelled.status is OutcomeStatus.CANCELLED
    assert fake_graph.live_appointments() == []
    assert row(db_engine, view.booking_id).status == AppointmentStatus.CANCELLED
    assert "STATUS:CANCELLED" in service.ics(booking_id=view.booking_id, customer_id=customer_id)


async def test_503_then_success_books_exactly_once(
    service: BookingService, fake_graph: FakeGraph, customer_id: str
) -> None:
    slot = await first_slot(service)
    fake_graph.fail("appointments.create", 503, retry_after=0)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.status is OutcomeStatus.BOOKED
    assert len(fake_graph.all_appointments()) == 1
    assert [c.status for c in fake_graph.calls("appointments.create")] == [503, 201]


@pytest.mark.parametrize("lost", ["503_after_commit", "timeout_after_commit"])
async def test_lost_response_is_reconciled_not_rebooked(
    lost: str, service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service)
    if lost == "503_after_commit":
        fake_graph.lose_response("appointments.create", status=503)
    else:
        fake_graph.lose_response("appointments.create", seconds=CLIENT_TIMEOUT + 1)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.status is OutcomeStatus.BOOKED
    [stored] = fake_graph.all_appointments()
    assert outcome.appointment is not None
    assert outcome.appointment.join_url == stored["joinWebUrl"]
    assert len(fake_graph.calls("appointments.create")) == 1
    assert row(db_engine, outcome.appointment.booking_id).graph_appointment_id == stored["id"]


async def test_graph_down_keeps_request_pending_then_retry_books_once(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service, locale="en")
    fake_graph.fail("appointments.create", 503, times=10)
    fake_graph.fail("calendar_view", 503, times=10)  # reconciliation fails too
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="en", slot=slot, customer_name="Jean"
    )
    assert outcome.status is OutcomeStatus.PENDING
    assert outcome.message == message("pending", "en")
    assert outcome.appointment is not None
    booking_id = outcome.appointment.booking_id
    pending = row(db_engine, booking_id)
    assert (
        pending.status == AppointmentStatus.PENDING and pending.attempts == 3 and pending.last_error
    )
    assert fake_graph.live_appointments() == []

    fake_graph.clear_faults()
    results = await service.retry_pending()
    assert [r.status for r in results] == [OutcomeStatus.BOOKED]
    assert len(fake_graph.live_appointments()) == 1
    assert row(db_engine, booking_id).status == AppointmentStatus.BOOKED
    assert await service.retry_pending() == []
    assert len(fake_graph.all_appointments()) == 1


async def test_pending_after_lost_response_is_found_not_rebooked(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service)
    fake_graph.lose_response("appointments.create", status=503)
    fake_graph.fail("appointments.create", 503, times=2)
    fake_graph.fail("calendar_view", 503, times=10)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.status is OutcomeStatus.PENDING
    assert len(fake_graph.all_appointments()) == 1  # created server-side, unknown to us
    fake_graph.clear_faults()
    posts_before = len(fake_graph.calls("appointments.create"))
    [result] = await service.retry_pending()
    assert result.status is OutcomeStatus.BOOKED
    assert len(fake_graph.all_appointments()) == 1
    assert len(fake_graph.calls("appointments.create")) == posts_before
    assert result.appointment is not None
    assert (
        row(db_engine, result.appointment.booking_id).join_url
        == fake_graph.all_appointments()[0]["joinWebUrl"]
    )


async def test_forbidden_keeps_request_pending(
    service: BookingService, fake_graph: FakeGraph, customer_id: str
) -> None:
    slot = await first_slot(service)
    fake_graph.fail("appointments.create", 403, times=3)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.status is OutcomeStatus.PENDING
    assert fake_graph.live_appointments() == []


async def test_slot_taken_offers_next_free_slots(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slots = await service.free_slots(topic="daily_banking", locale="fr")
    taken = slots[0]
    # Someone else books Claire at that time through another channel.
    fake_graph.add_busy("staff-claire", taken.start, taken.end)
    outcome = await service.book(
        customer_id=customer_id,
        topic="daily_banking",
        locale="fr",
        slot=taken,
        customer_name="Jean",
    )
    assert outcome.status is OutcomeStatus.SLOT_TAKEN
    assert outcome.message == message("slot_taken", "fr")
    assert outcome.alternatives
    assert taken.start not in {s.start for s in outcome.alternatives}
    assert all(s.start > taken.start for s in outcome.alternatives)
    assert fake_graph.live_appointments() == []
    retry = await service.book(
        customer_id=customer_id,
        topic="daily_banking",
        locale="fr",
        slot=outcome.alternatives[0],
        customer_name="Jean",
    )
    assert retry.status is OutcomeStatus.BOOKED
    assert len(fake_graph.live_appointments()) == 1


async def test_consent_first(
    service: BookingService, fake_graph: FakeGraph, db_engine: Engine
) -> None:
    no_consent = make_customer(db_engine, consent=False)
    slot = await first_slot(service)
    with pytest.raises(ConsentRequired):
        await service.book(
            customer_id=no_consent, topic="daily_banking", locale="fr", slot=slot, customer_name="X"
        )
    assert fake_graph.calls("appointments.create") == []


async def test_investments_need_the_recording_tick(
    service: BookingService, fake_graph: FakeGraph, customer_id: str
) -> None:
    slot = await first_slot(service, topic="investments", locale="nl-BE")
    assert slot.staff_ids == ("staff-joris",)
    with pytest.raises(RecordingTickRequired):
        await service.book(
            customer_id=customer_id,
            topic="investments",
            locale="nl-BE",
            slot=slot,
            customer_name="Jan",
        )
    outcome = await service.book(
        customer_id=customer_id,
        topic="investments",
        locale="nl-BE",
        slot=slot,
        customer_name="Jan",
        recording_tick=True,
    )
    assert outcome.message == message("booked", "nl")
    assert outcome.appointment is not None and "geluid" in outcome.appointment.recording_reminder
    assert outcome.status is OutcomeStatus.BOOKED and outcome.appointment is not None
    assert outcome.appointment.recording is Recording.AUDIO_ONLY
    assert outcome.appointment.advisor_first_name == "Joris"
    assert outcome.appointment.join_url is not None
    meeting = fake_graph.online_meeting(outcome.appointment.join_url)
    # Sound-only legal recording comes from the Teams compliance policy, not cloud recording.
    assert meeting is not None and meeting["allowRecording"] is False
    assert meeting["lobbyBypassSettings"]["scope"] == "organizer"


async def test_meeting_options_failure_keeps_booking_and_is_retried(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service)
    fake_graph.fail("online_meetings.patch", 403)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.status is OutcomeStatus.BOOKED and outcome.appointment is not None
    booking_id = outcome.appointment.booking_id
    assert row(db_engine, booking_id).meeting_options == "pending"
    assert outcome.appointment.join_url is not None
    meeting = fake_graph.online_meeting(outcome.appointment.join_url)
    assert meeting is not None and meeting["lobbyBypassSettings"]["scope"] == "organization"
    assert await service.retry_pending() == []
    assert row(db_engine, booking_id).meeting_options == "applied"
    meeting = fake_graph.online_meeting(outcome.appointment.join_url)
    assert meeting is not None and meeting["lobbyBypassSettings"]["scope"] == "organizer"
    assert len(fake_graph.all_appointments()) == 1


async def test_customers_only_reach_their_own_bookings(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.appointment is not None
    other = make_customer(db_engine)
    with pytest.raises(BookingNotFound):
        await service.cancel(booking_id=outcome.appointment.booking_id, customer_id=other)
    # The employee console passes no customer id.
    done = await service.cancel(booking_id=outcome.appointment.booking_id)
    assert done.status is OutcomeStatus.CANCELLED
    assert fake_graph.live_appointments() == []


async def test_reschedule_to_taken_slot_keeps_booking(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slots = await service.free_slots(topic="daily_banking", locale="fr")
    outcome = await service.book(
        customer_id=customer_id,
        topic="daily_banking",
        locale="fr",
        slot=slots[0],
        customer_name="Jean",
    )
    assert outcome.appointment is not None
    fake_graph.add_busy("staff-claire", slots[3].start, slots[3].end)
    moved = await service.reschedule(
        booking_id=outcome.appointment.booking_id, customer_id=customer_id, slot=slots[3]
    )
    assert moved.status is OutcomeStatus.SLOT_TAKEN and moved.alternatives
    assert row(db_engine, outcome.appointment.booking_id).start_utc == slots[0].start


async def test_graph_down_during_cancel_changes_nothing(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.appointment is not None
    fake_graph.fail("appointments.cancel", 503, times=2)
    result = await service.cancel(
        booking_id=outcome.appointment.booking_id, customer_id=customer_id
    )
    assert result.status is OutcomeStatus.CHANGE_FAILED
    assert row(db_engine, outcome.appointment.booking_id).status == AppointmentStatus.BOOKED
    assert len(fake_graph.live_appointments()) == 1


async def test_slow_availability_raises_for_the_ui(
    service: BookingService, fake_graph: FakeGraph
) -> None:
    from chat_widget.meetings.errors import GatewayUnavailable

    fake_graph.delay("availability", CLIENT_TIMEOUT + 1)
    with pytest.raises(GatewayUnavailable):
        await service.free_slots(topic="daily_banking", locale="fr")


async def test_slot_outside_the_pool_is_refused(
    service: BookingService, fake_graph: FakeGraph, customer_id: str
) -> None:
    slot = await first_slot(service, topic="insurance", locale="de")
    assert slot.staff_ids == ("staff-jonas",)
    forged = Slot(slot.start, slot.end, ("staff-jonas",))
    with pytest.raises(ValueError):
        await service.book(
            customer_id=customer_id,
            topic="daily_banking",
            locale="fr",
            slot=forged,
            customer_name="X",
        )
    wrong_length = Slot(slot.start, slot.end + timedelta(minutes=30), ("staff-claire",))
    with pytest.raises(ValueError):
        await service.book(
            customer_id=customer_id,
            topic="daily_banking",
            locale="fr",
            slot=wrong_length,
            customer_name="X",
        )
    assert fake_graph.calls("appointments.create") == []


async def test_double_submit_with_request_id_books_once(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service)
    request_id = "f" * 32
    first = await service.book(
        customer_id=customer_id,
        topic="daily_banking",
        locale="fr",
        slot=slot,
        customer_name="Jean",
        request_id=request_id,
    )
    again = await service.book(
        customer_id=customer_id,
        topic="daily_banking",
        locale="fr",
        slot=slot,
        customer_name="Jean",
        request_id=request_id,
    )
    assert first.status is again.status is OutcomeStatus.BOOKED
    assert again.appointment is not None and again.appointment.booking_id == request_id
    assert len(fake_graph.all_appointments()) == 1
    other = make_customer(db_engine)
    with pytest.raises(ValueError):
        await service.book(
            customer_id=other,
            topic="daily_banking",
            locale="fr",
            slot=slot,
            customer_name="X",
            request_id=request_id,
        )


async def test_two_retry_jobs_at_once_book_once(
    service: BookingService, fake_graph: FakeGraph, customer_id: str
) -> None:
    slot = await first_slot(service)
    fake_graph.fail("appointments.create", 503, times=10)
    fake_graph.fail("calendar_view", 503, times=10)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.status is OutcomeStatus.PENDING
    fake_graph.clear_faults()
    first, second = await asyncio.gather(service.retry_pending(), service.retry_pending())
    statuses = sorted(r.status.value for r in first + second)
    assert OutcomeStatus.BOOKED.value in statuses
    assert len(fake_graph.all_appointments()) == 1
    # Only one of the two jobs got to call Graph.
    assert [c.status for c in fake_graph.calls("appointments.create")][-1] == 201
    assert sum(1 for c in fake_graph.calls("appointments.create") if c.status == 201) == 1


async def test_pending_whose_slot_was_taken_meanwhile_fails_with_alternatives(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service)
    fake_graph.fail("appointments.create", 503, times=10)
    fake_graph.fail("calendar_view", 503, times=10)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.status is OutcomeStatus.PENDING and outcome.appointment is not None
    fake_graph.clear_faults()
    fake_graph.add_busy("staff-claire", slot.start, slot.end)
    [result] = await service.retry_pending()
    assert result.status is OutcomeStatus.SLOT_TAKEN and result.alternatives
    assert row(db_engine, outcome.appointment.booking_id).status == AppointmentStatus.FAILED
    assert fake_graph.all_appointments() == []


async def test_customer_details_are_checked_before_anything_is_stored(
    service: BookingService, fake_graph: FakeGraph, customer_id: str
) -> None:
    slot = await first_slot(service)
    with pytest.raises(ValueError):
        await service.book(
            customer_id=customer_id,
            topic="daily_banking",
            locale="fr",
            slot=slot,
            customer_name="  ",
        )
    with pytest.raises(ValueError):
        await service.book(
            customer_id=customer_id,
            topic="daily_banking",
            locale="fr",
            slot=slot,
            customer_name="Jean",
            customer_email="nope",
        )
    assert service.list_for_customer(customer_id=customer_id) == []
    assert fake_graph.calls("appointments.create") == []


async def test_gives_up_after_max_attempts(
    fake_graph: FakeGraph,
    gateway,
    db_engine: Engine,  # type: ignore[no-untyped-def]
) -> None:
    from functools import partial

    from chat_widget.meetings.booking import BookingSettings
    from chat_widget.meetings.slots import SlotRules

    from .conftest import ADVISORS, NOW

    service = BookingService(
        gateway=gateway,
        sessions=partial(session_scope, db_engine),
        settings=BookingSettings(
            rules=SlotRules(), advisors=ADVISORS, create_attempts=1, max_pending_attempts=2
        ),
        clock=lambda: NOW,
        sleep=lambda _: asyncio.sleep(0),
    )
    customer = make_customer(db_engine)
    slot = await first_slot(service)
    fake_graph.fail("appointments.create", 503, times=10)
    fake_graph.fail("calendar_view", 503, times=10)
    first = await service.book(
        customer_id=customer, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert first.status is OutcomeStatus.PENDING
    [second] = await service.retry_pending()
    assert second.status is OutcomeStatus.FAILED
    assert await service.retry_pending() == []
    assert second.appointment is not None
    assert row(db_engine, second.appointment.booking_id).last_error == "gave up after 2 attempts"
