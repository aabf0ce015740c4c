"""The employees' agenda: today's and this week's meetings in the employee's time zone, the
customer's name and clock, translated statuses, audited reads; cancel and move with a proposal
first. The clock is pinned (conftest: Thursday 26 March 2026, 17:00 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.domain.models import AuditEvent
from chat_widget.meetings import console
from chat_widget.meetings.booking import BookingService, OutcomeStatus
from chat_widget.meetings.console import AgendaView, MoveProposal, agent_zone, window
from chat_widget.meetings.records import MeetingAppointment
from tests.fakes.fake_graph import FakeGraph
from tests.integration.meetings.conftest import NOW, make_customer


def add(engine: Engine, start: datetime, *, status: str = "booked", **kw: str) -> str:
    customer = make_customer(engine)
    with session_scope(engine) as session:
        row = MeetingAppointment(
            customer_id=customer,
            topic=kw.get("topic", "insurance"),
            locale=kw.get("locale", "fr"),
            customer_time_zone=kw.get("zone", "Europe/Brussels"),
            customer_name=kw.get("name", "Jean Dupont"),
            start_utc=start,
            end_utc=start + timedelta(minutes=30),
            staff_id="staff-claire",
            advisor_first_name="Claire",
            status=status,
        )
        session.add(row)
        session.flush()
        return row.id


def test_today_and_this_week_follow_the_employees_clock() -> None:
    start, end = window(AgendaView.TODAY, NOW, "Europe/Brussels")
    assert (start, end) == (
        datetime(2026, 3, 25, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 26, 23, 0, tzinfo=UTC),
    )
    start, end = window(AgendaView.WEEK, NOW, "Europe/Brussels")
    # Monday 23 March to Monday 30 March, across the change to summer time on the 29th.
    assert (start, end) == (
        datetime(2026, 3, 22, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
    )
    late_evening = NOW + timedelta(hours=6)  # 23:00 UTC: Friday in Brussels, Thursday in New York
    assert window(AgendaView.TODAY, late_evening, "America/New_York")[0].day == 26
    assert window(AgendaView.TODAY, late_evening, "Europe/Brussels")[0].day == 26
    assert window(AgendaView.UPCOMING, NOW, "Europe/Brussels") == (NOW, None)


def test_only_real_zones_are_taken_from_the_browser() -> None:
    assert agent_zone("Europe/London") == "Europe/London"
    assert agent_zone("UTC") == "UTC"
    for bad in ("", None, "Mars/Olympus", "../../etc/passwd", "x" * 200, 7):
        assert agent_zone(bad) == "Europe/Brussels"


def test_agenda_shows_names_topics_and_both_clocks_and_is_audited(db_engine: Engine) -> None:
    earlier = add(db_engine, NOW - timedelta(hours=3), name="Morning Customer")
    tonight = add(db_engine, NOW + timedelta(hours=1), zone="Europe/London", name="Ann Smith")
    tomorrow = add(db_engine, NOW + timedelta(days=1), status="pending", topic="daily_banking")
    next_week = add(db_engine, NOW + timedelta(days=5))
    add(db_engine, NOW + timedelta(hours=2), status="cancelled")

    def shown(view: AgendaView, zone: str = "Europe/Brussels") -> list[console.AgendaRow]:
        with session_scope(db_engine) as session:
            return console.agenda(
                session=session, agent_id="emp-1", view=view, zone=zone, locale="en", now=NOW
            )

    today = shown(AgendaView.TODAY)
    assert [r.booking_id for r in today] == [earlier, tonight]
    first, second = today
    assert (first.customer, first.topic, first.status) == (
        "Morning Customer",
        "Insurance",
        "Booked",
    )
    assert not first.changeable and second.changeable  # the morning one is over
    assert second.when.startswith("Thursday, 26 March 2026 19:00")  # Brussels: UTC+1
    assert second.customer_when == "customer: 18:00 (Europe/London)"
    assert first.customer_when == ""
    week = shown(AgendaView.WEEK)
    assert [r.booking_id for r in week] == [earlier, tonight, tomorrow]
    assert week[2].status == "Being booked"
    assert [r.booking_id for r in shown(AgendaView.UPCOMING)] == [tonight, tomorrow, next_week]
    in_london = shown(AgendaView.TODAY, "Europe/London")
    assert in_london[1].when.startswith("Thursday, 26 March 2026 18:00")
    assert in_london[1].customer_when == ""
    with session_scope(db_engine) as session:
        audited = session.exec(select(AuditEvent).where(AuditEvent.action == "meeting.list")).all()
    # The pinned clock gives every event the same instant: compare without order.
    assert sorted(e.details["view"] for e in audited) == ["today", "today", "upcoming", "week"]
    assert {tuple(e.details["booking_ids"]) for e in audited if e.details["view"] == "today"} == {
        (earlier, tonight)
    }
    assert {e.actor_id for e in audited} == {"emp-1"}


async def test_move_is_proposed_then_done_and_cancel_tells_the_outcome(
    service: BookingService, fake_graph: FakeGraph, customer_id: str, db_engine: Engine
) -> None:
    sessions = partial(session_scope, db_engine)
    slots = await service.free_slots(topic="daily_banking", locale="fr")
    booked = await service.book(
        customer_id=customer_id,
        topic="daily_banking",
        locale="fr",
        slot=slots[0],
        customer_name="Jean Dupont",
        customer_email="jean@example.be",
    )
    assert booked.status is OutcomeStatus.BOOKED and booked.appointment is not None
    booking_id = booked.appointment.booking_id

    proposal = await console.propose_move(
        service, sessions, booking_id=booking_id, zone="Europe/Brussels", locale="nl"
    )
    assert isinstance(proposal, MoveProposal)
    assert datetime.fromisoformat(proposal.start) == slots[1].start
    assert proposal.label.startswith("vrijdag 27 maart 2026")
    moved = await console.move(
        service, sessions, booking_id=booking_id, start=proposal.start, agent_id="emp-2"
    )
    assert moved == "meetings.done.moved"
    with session_scope(db_engine) as session:
        row = session.get(MeetingAppointment, booking_id)
        assert row is not None and row.start_utc == slots[1].start
    # A time that is not free (the meeting's own old one is behind it now): refused as taken.
    taken = await console.move(
        service, sessions, booking_id=booking_id, start=slots[0].start.isoformat(), agent_id="e"
    )
    assert taken == "meetings.done.slot_taken"

    done = await console.cancel(service, sessions, booking_id=booking_id, agent_id="emp-2")
    assert done == "meetings.done.cancelled"
    assert fake_graph.live_appointments() == []
    gone = await console.propose_move(
        service, sessions, booking_id=booking_id, zone="Europe/Brussels", locale="fr"
    )
    assert gone == "meetings.done.not_found"
    assert (
        await console.cancel(service, sessions, booking_id="f" * 32, agent_id="emp-2")
        == "meetings.done.not_found"
    )
    with session_scope(db_engine) as session:
        changes = session.exec(select(AuditEvent).where(AuditEvent.target_id == booking_id)).all()
    assert sorted((e.action, e.actor_id) for e in changes) == [
        ("meeting.cancel", "emp-2"),
        ("meeting.move", "emp-2"),
    ]
