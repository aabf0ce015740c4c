"""The employees' agenda of video meetings: read model, and cancel/move on a customer's behalf.

Plain Python for the meetings console. The agenda is told in the employee's language and time
zone (the browser's, checked against the zone database; the bank's otherwise), with the
customer's own time beside it when they are elsewhere, because "10:00" on the phone must mean
the same for both. It shows the customer's name: every agenda shown is audited with the
bookings it showed, and so is every cancel or move an employee makes.

Outcomes are catalog keys (``meetings.done.*``), so the console says them in its own language;
the customer is told by Microsoft Bookings in theirs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from chat_widget.audit import record
from chat_widget.domain.clock import BANK_ZONE, as_aware
from chat_widget.domain.meeting_errors import BookingNotFound, GatewayError
from chat_widget.i18n import t
from chat_widget.meetings.booking import BookingService, OutcomeStatus
from chat_widget.meetings.formatting import format_slot
from chat_widget.meetings.records import AppointmentStatus, MeetingAppointment
from chat_widget.meetings.slots import Slot
from chat_widget.meetings.topics import UnknownTopic, get_topic

SessionFactory = Callable[[], AbstractContextManager[Session]]
EMPLOYEE = "employee"
SHOWN = (AppointmentStatus.BOOKED, AppointmentStatus.PENDING)


class AgendaView(StrEnum):
    TODAY = "today"
    WEEK = "week"
    UPCOMING = "upcoming"


@dataclass
class AgendaRow:
    booking_id: str
    when: str
    #: the customer's own clock when their time zone differs from the employee's, else ""
    customer_when: str
    customer: str
    topic: str
    advisor: str
    status: str
    #: still ahead: only those can be cancelled or moved
    changeable: bool


@dataclass
class MoveProposal:
    #: ISO start of the first free time after the current one; "" when there is none
    start: str
    label: str


def agent_zone(raw: object) -> str:
    """A real IANA zone name from the browser, else the bank's zone (never trusted blindly)."""
    name = str(raw or "")[:64]
    if "/" in name or name == "UTC":
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return name
    return str(BANK_ZONE)


def window(view: AgendaView, now: datetime, zone: str) -> tuple[datetime, datetime | None]:
    """Today (midnight to midnight) or this week (Monday to Monday) on the employee's clock;
    "upcoming" is everything from now on."""
    if view is AgendaView.UPCOMING:
        return now, None
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    first = today if view is AgendaView.TODAY else today - timedelta(days=today.weekday())
    days = 1 if view is AgendaView.TODAY else 7
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(first + timedelta(days=days), time(), tz)
    return as_aware(start), as_aware(end)


def _topic(key: str, locale: str) -> str:
    try:
        return get_topic(key).label(locale)
    except UnknownTopic:
        return key


def _row(row: MeetingAppointment, *, zone: str, locale: str, now: datetime) -> AgendaRow:
    start, end = as_aware(row.start_utc), as_aware(row.end_utc)
    theirs = ""
    if row.customer_time_zone != zone:
        local = start.astimezone(ZoneInfo(row.customer_time_zone))
        theirs = t(
            locale,
            "meetings.customer_time",
            time=local.strftime("%H:%M"),
            zone=row.customer_time_zone,
        )
    return AgendaRow(
        booking_id=row.id,
        when=format_slot(Slot(start, end, (row.staff_id,)), locale=locale, timezone=zone),
        customer_when=theirs,
        customer=row.customer_name,
        topic=_topic(row.topic, locale),
        advisor=row.advisor_first_name,
        status=t(locale, f"meetings.status.{row.status}"),
        changeable=start > now,
    )


def agenda(
    *,
    session: Session,
    agent_id: str,
    view: AgendaView,
    zone: str,
    locale: str,
    now: datetime,
    limit: int = 200,
) -> list[AgendaRow]:
    """Booked and pending meetings of the view, soonest first; audited (names are shown)."""
    start, end = window(view, now, zone)
    query = select(MeetingAppointment).where(
        col(MeetingAppointment.start_utc) >= start, col(MeetingAppointment.status).in_(SHOWN)
    )
    if end is not None:
        query = query.where(col(MeetingAppointment.start_utc) < end)
    rows = session.exec(query.order_by(col(MeetingAppointment.start_utc)).limit(limit)).all()
    record(
        session=session,
        actor_kind=EMPLOYEE,
        actor_id=agent_id,
        action="meeting.list",
        target_type="meeting",
        target_id="*",
        details={"view": view.value, "booking_ids": [r.id for r in rows]},
    )
    return [_row(r, zone=zone, locale=locale, now=now) for r in rows]


def _audit(
    sessions: SessionFactory, agent_id: str, action: str, booking_id: str, **details: str
) -> None:
    with sessions() as session:
        record(
            session=session,
            actor_kind=EMPLOYEE,
            actor_id=agent_id,
            action=action,
            target_type="meeting",
            target_id=booking_id,
            details=details,
        )


_DONE = {
    OutcomeStatus.CANCELLED: "meetings.done.cancelled",
    OutcomeStatus.RESCHEDULED: "meetings.done.moved",
    OutcomeStatus.SLOT_TAKEN: "meetings.done.slot_taken",
}


async def cancel(
    service: BookingService, sessions: SessionFactory, *, booking_id: str, agent_id: str
) -> str:
    """Cancel in Bookings (the customer is told), then here; the catalog key of the outcome."""
    try:
        outcome = await service.cancel(booking_id=booking_id, customer_id=None)
    except BookingNotFound:
        return "meetings.done.not_found"
    key = _DONE.get(outcome.status, "meetings.done.failed")
    if outcome.status is OutcomeStatus.CANCELLED:
        await asyncio.to_thread(_audit, sessions, agent_id, "meeting.cancel", booking_id)
    return key


def _current(sessions: SessionFactory, booking_id: str) -> MeetingAppointment | None:
    with sessions() as session:
        row = session.get(MeetingAppointment, booking_id)
        if row is not None:
            session.expunge(row)
        return row


async def _later_slots(service: BookingService, row: MeetingAppointment) -> list[Slot]:
    # The advisor pool depends on the customer's language, not the employee's.
    slots = await service.free_slots(topic=row.topic, locale=row.locale)
    return [s for s in slots if s.start > as_aware(row.start_utc)]


async def propose_move(
    service: BookingService, sessions: SessionFactory, *, booking_id: str, zone: str, locale: str
) -> MoveProposal | str:
    """The first free time after the meeting's own, to be confirmed; else an outcome key."""
    row = await asyncio.to_thread(_current, sessions, booking_id)
    if row is None or row.status not in SHOWN:
        return "meetings.done.not_found"
    try:
        later = await _later_slots(service, row)
    except GatewayError:
        return "meetings.done.failed"
    if not later:
        return "meetings.done.no_slot"
    slot = later[0]
    return MoveProposal(
        start=slot.start.isoformat(), label=format_slot(slot, locale=locale, timezone=zone)
    )


async def move(
    service: BookingService,
    sessions: SessionFactory,
    *,
    booking_id: str,
    start: str,
    agent_id: str,
) -> str:
    """Move to the proposed time if it is still free (else say it was taken meanwhile)."""
    row = await asyncio.to_thread(_current, sessions, booking_id)
    if row is None:
        return "meetings.done.not_found"
    try:
        wanted = datetime.fromisoformat(start)
        slot = next((s for s in await _later_slots(service, row) if s.start == wanted), None)
        if slot is None:
            return "meetings.done.slot_taken"
        outcome = await service.reschedule(booking_id=booking_id, slot=slot, customer_id=None)
    except BookingNotFound:
        return "meetings.done.not_found"
    except (GatewayError, ValueError):
        return "meetings.done.failed"
    if outcome.status is OutcomeStatus.RESCHEDULED:
        await asyncio.to_thread(
            _audit, sessions, agent_id, "meeting.move", booking_id, to=slot.start.isoformat()
        )
    return _DONE.get(outcome.status, "meetings.done.failed")
