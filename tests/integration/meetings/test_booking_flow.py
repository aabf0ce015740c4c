"""The booking use-case end to end: database + real msgraph-sdk + fake Graph over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.domain.meeting_errors import (
    BookingNotFound,
    ConsentRequired,
    RecordingTickRequired,
)
from chat_widget.meetings.booking import BookingService, OutcomeStatus
from chat_widget.meetings.records import AppointmentStatus, get_appointment_record
from chat_widget.meetings.slots import Slot
from chat_widget.meetings.texts import message
from chat_widget.meetings.topics import Recording
from tests.conftest import ManualClock
from tests.fakes.fake_graph import FakeGraph, StaticTokenCredential, running_fake

from .conftest import (
    ADVISORS,
    CLIENT_TIMEOUT,
    NOW,
    SERVICE_IDS,
    TOKEN,
    fake_kwargs,
    graph_settings,
    make_customer,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


@asynccontextmanager
async def graph_service(
    engine: Engine, **fake_changes: Any
) -> AsyncIterator[tuple[BookingService, FakeGraph]]:
    """A booking service on its own fake Graph configured with ``fake_changes``."""
    from chat_widget.adapters.graph import GraphMeetingGateway
    from chat_widget.meetings.booking import BookingSettings
    from chat_widget.meetings.slots import SlotRules

    fakes = running_fake(**fake_kwargs(**fake_changes))
    fake = next(fakes)
    gateway = GraphMeetingGateway(
        settings=graph_settings(fake), credential=StaticTokenCredential(TOKEN)
    )
    try:
        yield (
            BookingService(
                gateway=gateway,
                sessions=partial(session_scope, engine),
                settings=BookingSettings(rules=SlotRules(), advisors=ADVISORS),
                service_ids=SERVICE_IDS,
            ),
            fake,
        )
    finally:
        await gateway.aclose()
        next(fakes, None)


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
    # The customer's link is Bookings' anonymous join link (no Teams account needed).
    assert view.join_url and view.join_url.startswith("https://visit.teams.microsoft.com/")
    assert view.recording is Recording.NONE and "pas enregistré" in view.recording_reminder
    assert view.start == slots[0].start
    assert view.when_label.startswith("vendredi 27 mars 2026")  # first slot: Friday 27 March
    [stored] = fake_graph.live_appointments()
    assert stored["anonymousJoinWebUrl"] == view.join_url
    assert stored["additionalInformation"] is None  # nothing of ours mailed to the customer
    stored_row = row(db_engine, view.booking_id)
    assert stored_row.teams_join_url == stored["joinWebUrl"]
    meeting = fake_graph.online_meeting(stored["joinWebUrl"])
    # Bookings' meeting is organised by the business mailbox: found by its object id.
    assert meeting is not None and meeting["_organizer"] == fake_graph.business_object_id
    assert meeting["lobbyBypassSettings"]["isDialInBypassEnabled"] is False
    assert meeting["allowRecording"] is False and meeting["recordAutomatically"] is False
    assert stored_row.meeting_options == "applied"
    # One Bookings customer for this customer, reused below.
    assert len(fake_graph.customers()) == 1

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

    again = await service.book(
        customer_id=customer_id,
        topic="daily_banking",
        locale="fr",
        slot=slots[1],
        customer_name="Jean Dupont",
        customer_email="jean@example.be",
    )
    assert again.status is OutcomeStatus.BOOKED
    assert len(fake_graph.customers()) == 1
    assert (
        fake_graph.live_appointments()[0]["customers"][0]["customerId"]
        == (fake_graph.customers()[0]["id"])
    )


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
    assert outcome.appointment.join_url == stored["anonymousJoinWebUrl"]
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
        row(db_engine, result.appointment.booking_id).teams_join_url
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
    assert slot.staff_ids == ("staff-ines",)  # the investment pool only
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
    assert outcome.appointment.advisor_first_name == "Inès"
    [stored] = fake_graph.live_appointments()
    meeting = fake_graph.online_meeting(stored["joinWebUrl"])
    # Sound-only legal recording comes from the Teams compliance policy, not cloud recording.
    assert meeting is not None and meeting["allowRecording"] is False
    assert meeting["lobbyBypassSettings"]["scope"] == "organization"


async def test_meeting_options_failure_keeps_booking_and_is_retried(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service)
    fake_graph.fail("online_meetings.patch", 503, times=3)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="Jean"
    )
    assert outcome.status is OutcomeStatus.BOOKED and outcome.appointment is not None
    booking_id = outcome.appointment.booking_id
    assert row(db_engine, booking_id).meeting_options == "pending"
    teams_url = row(db_engine, booking_id).teams_join_url
    assert teams_url is not None
    meeting = fake_graph.online_meeting(teams_url)
    assert meeting is not None and meeting["allowedPresenters"] == "everyone"
    assert await service.retry_pending() == []
    assert row(db_engine, booking_id).meeting_options == "applied"
    meeting = fake_graph.online_meeting(teams_url)
    assert meeting is not None and meeting["allowedPresenters"] == "organization"
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
    fake_graph.fail("appointments.delete", 503, times=2)  # least privilege: cancel = delete
    result = await service.cancel(
        booking_id=outcome.appointment.booking_id, customer_id=customer_id
    )
    assert result.status is OutcomeStatus.CHANGE_FAILED
    assert row(db_engine, outcome.appointment.booking_id).status == AppointmentStatus.BOOKED
    assert len(fake_graph.live_appointments()) == 1


async def test_slow_availability_raises_for_the_ui(
    service: BookingService, fake_graph: FakeGraph
) -> None:
    from chat_widget.domain.meeting_errors import GatewayUnavailable

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

    from .conftest import ADVISORS, SERVICE_IDS

    service = BookingService(
        gateway=gateway,
        sessions=partial(session_scope, db_engine),
        settings=BookingSettings(
            rules=SlotRules(), advisors=ADVISORS, create_attempts=1, max_pending_attempts=2
        ),
        service_ids=SERVICE_IDS,
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


# ----- issue 12: what a real tenant does ----------------------------------------------------


async def test_slots_follow_the_bookings_business_not_local_constants(
    db_engine: Engine, clock_at_now: ManualClock
) -> None:
    """Opening hours 09–17 (not the staff's 08–18, no Saturday), 45-minute service on a 15-minute
    grid, 2 h minimum lead time, 5 days maximum advance: all read from Graph."""
    async with graph_service(
        db_engine, duration="PT45M", time_slot_interval="PT15M", maximum_advance="P5D"
    ) as (service, _fake):
        slots = await service.free_slots(topic="daily_banking", locale="fr")
    assert slots
    for slot in slots:
        local_start, local_end = slot.start.astimezone(BRUSSELS), slot.end.astimezone(BRUSSELS)
        assert slot.end - slot.start == timedelta(minutes=45)
        assert local_start.weekday() < 5
        assert local_start.time() >= time(9) and local_end.time() <= time(17)
        assert local_start.minute % 15 == 0
        assert slot.start >= NOW + timedelta(hours=2)
        assert slot.start <= NOW + timedelta(days=5)
    starts = [s.start.astimezone(BRUSSELS) for s in slots]
    assert starts[0] == datetime(2026, 3, 27, 9, 0, tzinfo=BRUSSELS)
    assert starts[1] == datetime(2026, 3, 27, 9, 15, tzinfo=BRUSSELS)


async def test_overlapping_create_answering_500_offers_the_next_free_slots(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    """Someone books Claire through another channel between our check and our create: Graph
    answers 500 (no 409 is documented); availability then shows why."""
    slots = await service.free_slots(topic="daily_banking", locale="fr")
    taken = slots[0]
    fake_graph.on_next(
        "appointments.create", lambda: fake_graph.add_busy("staff-claire", taken.start, taken.end)
    )
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=taken, customer_name="J"
    )
    assert outcome.status is OutcomeStatus.SLOT_TAKEN
    assert [c.status for c in fake_graph.calls("appointments.create")] == [500]
    assert outcome.alternatives and taken.start not in {s.start for s in outcome.alternatives}
    assert await service.retry_pending() == []  # nothing left pending


async def test_unexplained_500_fails_with_alternatives_instead_of_pending_for_ever(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    slot = await first_slot(service)
    fake_graph.fail("appointments.create", 500, times=10)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="J"
    )
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.alternatives
    assert outcome.appointment is not None
    assert row(db_engine, outcome.appointment.booking_id).status == AppointmentStatus.FAILED
    assert await service.retry_pending() == []
    assert fake_graph.live_appointments() == []


async def test_business_without_staff_selection_books_without_staff_ids(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    """allowStaffSelection false: staffMemberIds would be refused; Bookings picks the staff."""
    fake_graph.set_policy(allowStaffSelection=False)
    slot = await first_slot(service)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="J"
    )
    assert outcome.status is OutcomeStatus.BOOKED and outcome.appointment is not None
    [stored] = fake_graph.live_appointments()
    assert stored["staffMemberIds"]  # chosen by Bookings
    chosen = row(db_engine, outcome.appointment.booking_id)
    assert chosen.staff_id == stored["staffMemberIds"][0]


async def test_cancel_inside_the_minimum_lead_time_says_call_us(
    service: BookingService,
    fake_graph: FakeGraph,
    customer_id: str,
    db_engine: Engine,
    clock_at_now: ManualClock,
) -> None:
    slot = await first_slot(service)
    outcome = await service.book(
        customer_id=customer_id, topic="daily_banking", locale="fr", slot=slot, customer_name="J"
    )
    assert outcome.appointment is not None
    clock_at_now.set(slot.start - timedelta(hours=1))  # lead time is 2 h
    result = await service.cancel(
        booking_id=outcome.appointment.booking_id, customer_id=customer_id
    )
    assert result.status is OutcomeStatus.CHANGE_FAILED
    assert result.message == message("too_late", "fr")
    assert fake_graph.calls("appointments.cancel") == fake_graph.calls("appointments.delete") == []
    assert len(fake_graph.live_appointments()) == 1


def test_an_advisor_serving_recorded_and_unrecorded_topics_is_refused(db_engine: Engine) -> None:
    from chat_widget.meetings.booking import BookingSettings
    from chat_widget.meetings.slots import Advisor, RecordingPoolError, SlotRules

    mixed = Advisor("staff-x", "X", frozenset({"investments", "insurance"}), frozenset({"fr"}))
    with pytest.raises(RecordingPoolError, match="staff-x"):
        BookingService(
            gateway=None,  # type: ignore[arg-type]
            sessions=partial(session_scope, db_engine),
            settings=BookingSettings(rules=SlotRules(), advisors=(mixed,)),
        )
