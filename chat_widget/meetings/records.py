"""The meeting appointments we booked (or are still trying to book).

The row is written *before* Graph is called, with status ``pending``: if Graph is down, slow or
the process dies, the request is still there for :func:`retry_pending` to finish. ``id`` is our
booking id, also stored in the Bookings appointment so a lost answer can be reconciled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import or_, update
from sqlmodel import Field, Session, SQLModel, col, select

from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import new_id


class AppointmentStatus(StrEnum):
    PENDING = "pending"
    BOOKED = "booked"
    CANCELLED = "cancelled"
    FAILED = "failed"


class MeetingAppointment(SQLModel, table=True):
    __tablename__ = "meeting_appointment"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=32)
    topic: str = Field(max_length=32)
    locale: str = Field(max_length=5)
    customer_time_zone: str = Field(default="Europe/Brussels", max_length=64)
    customer_name: str = Field(max_length=200)
    customer_email: str | None = Field(default=None, max_length=320)
    start_utc: datetime = Field(index=True)
    end_utc: datetime
    staff_id: str = Field(max_length=64)
    advisor_first_name: str = Field(max_length=100)
    #: What the customer opens: Bookings' ``anonymousJoinWebUrl`` when there is one, else the
    #: Teams ``joinWebUrl``.
    join_url: str | None = Field(default=None, max_length=2048)
    #: The Teams ``joinWebUrl`` (carries the organizer's object id; finds the meeting's options).
    teams_join_url: str | None = Field(default=None, max_length=2048)
    status: str = Field(default=AppointmentStatus.PENDING, max_length=16, index=True)
    graph_appointment_id: str | None = Field(default=None, max_length=512)
    attempts: int = Field(default=0)
    # Set while one worker is calling Graph for this booking, so no other worker does too.
    locked_until: datetime | None = Field(default=None)
    # Teams lobby/recording options: pending until applied (or "not_configured").
    meeting_options: str = Field(default="pending", max_length=16)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MeetingCustomer(SQLModel, table=True):
    """The one Bookings customer (``bookingCustomer``) of a widget customer, reused by every
    booking so that erasure and retention have exactly one Graph record to delete."""

    __tablename__ = "meeting_customer"

    customer_id: str = Field(foreign_key="customer.id", primary_key=True, max_length=32)
    graph_customer_id: str = Field(max_length=512)
    created_at: datetime = Field(default_factory=utcnow)


class CleanupKind(StrEnum):
    CANCEL_APPOINTMENT = "cancel_appointment"  # graph_id: the appointment id
    CANCEL_UNCONFIRMED = "cancel_unconfirmed"  # payload: what find_appointment needs
    DELETE_CUSTOMER = "delete_customer"  # graph_id: the bookingCustomer id


class CleanupStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class GraphCleanup(SQLModel, table=True):
    """Work left in Microsoft Bookings after local rows were erased or purged.

    Written in the same transaction that deletes the rows holding the Graph ids, so an erased
    customer's appointments and Bookings customer can never be forgotten; carried out (and
    retried) by the pending-bookings job. Holds Graph ids only, no name or e-mail, except the
    ``payload`` of an unconfirmed booking (service, advisor, times and the Bookings customer id).
    """

    __tablename__ = "graph_cleanup"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    graph_id: str | None = Field(default=None, max_length=512)
    payload: str | None = Field(default=None, max_length=2000)
    reason: str = Field(max_length=32)  # "erasure" | "retention"
    status: str = Field(default=CleanupStatus.PENDING, max_length=16, index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = Field(default=None)


def get_meeting_customer(*, session: Session, customer_id: str) -> MeetingCustomer | None:
    return session.get(MeetingCustomer, customer_id)


def enqueue_cleanup(
    *,
    session: Session,
    kind: CleanupKind,
    reason: str,
    graph_id: str | None = None,
    payload: str | None = None,
) -> GraphCleanup:
    row = GraphCleanup(kind=kind, graph_id=graph_id, payload=payload, reason=reason)
    session.add(row)
    session.flush()
    return row


def list_cleanup(*, session: Session, limit: int = 50) -> Sequence[GraphCleanup]:
    """Pending cleanup work, oldest first (appointments before the customer they belong to)."""
    return session.exec(
        select(GraphCleanup)
        .where(GraphCleanup.status == CleanupStatus.PENDING)
        .order_by(col(GraphCleanup.id))
        .limit(limit)
    ).all()


def create_appointment_record(
    *, session: Session, record: MeetingAppointment
) -> MeetingAppointment:
    session.add(record)
    session.flush()
    return record


def get_appointment_record(
    *, session: Session, booking_id: str, customer_id: str | None = None
) -> MeetingAppointment | None:
    """With ``customer_id`` a customer can only ever reach their own bookings."""
    query = select(MeetingAppointment).where(MeetingAppointment.id == booking_id)
    if customer_id is not None:
        query = query.where(MeetingAppointment.customer_id == customer_id)
    return session.exec(query).first()


def list_customer_appointments(
    *, session: Session, customer_id: str
) -> Sequence[MeetingAppointment]:
    return session.exec(
        select(MeetingAppointment)
        .where(MeetingAppointment.customer_id == customer_id)
        .order_by(col(MeetingAppointment.start_utc))
    ).all()


def list_upcoming(
    *, session: Session, after: datetime, limit: int = 200
) -> Sequence[MeetingAppointment]:
    """Booked and pending meetings from ``after`` on, soonest first (employee console)."""
    return session.exec(
        select(MeetingAppointment)
        .where(col(MeetingAppointment.start_utc) >= after)
        .where(col(MeetingAppointment.status).in_(("booked", "pending")))
        .order_by(col(MeetingAppointment.start_utc))
        .limit(limit)
    ).all()


def list_pending(*, session: Session, max_attempts: int, limit: int = 50) -> Sequence[str]:
    return session.exec(
        select(MeetingAppointment.id)
        .where(
            MeetingAppointment.status == AppointmentStatus.PENDING,
            col(MeetingAppointment.attempts) < max_attempts,
        )
        .order_by(col(MeetingAppointment.created_at))
        .limit(limit)
    ).all()


def list_options_pending(*, session: Session, after: datetime, limit: int = 50) -> Sequence[str]:
    """Booked meetings still to come whose Teams options are not set yet."""
    return session.exec(
        select(MeetingAppointment.id)
        .where(
            MeetingAppointment.status == AppointmentStatus.BOOKED,
            MeetingAppointment.meeting_options == "pending",
            col(MeetingAppointment.start_utc) > after,
        )
        .order_by(col(MeetingAppointment.start_utc))
        .limit(limit)
    ).all()


def claim(*, session: Session, booking_id: str, now: datetime, lease_until: datetime) -> bool:
    """Takes the booking for one worker until ``lease_until``; false if someone else holds it.

    A single conditional UPDATE, so two workers (or the widget and the retry job) can never both
    hold it; an expired lease (a crashed worker) can be taken over.
    """
    result = session.execute(
        update(MeetingAppointment)
        .where(
            col(MeetingAppointment.id) == booking_id,
            col(MeetingAppointment.status) == AppointmentStatus.PENDING,
            or_(
                col(MeetingAppointment.locked_until).is_(None),
                col(MeetingAppointment.locked_until) < now,
            ),
        )
        .values(locked_until=lease_until, updated_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
