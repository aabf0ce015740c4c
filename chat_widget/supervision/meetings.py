"""Video meetings requested in the period, per bank day of the request and current status.

A request is ``pending`` while Microsoft Bookings is being asked, then ``booked`` or
``failed``; a booked meeting may later be ``cancelled`` (by the customer or the console). So
"booked" and "cancelled" here count the requests of that day that now stand booked or
cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from chat_widget.domain.clock import as_aware
from chat_widget.meetings.records import AppointmentStatus, MeetingAppointment
from chat_widget.supervision.period import bank_day, days_between
from chat_widget.supervision.stats import hour_start, utc_hour

STATUSES = (
    AppointmentStatus.BOOKED.value,
    AppointmentStatus.CANCELLED.value,
    AppointmentStatus.PENDING.value,
    AppointmentStatus.FAILED.value,
)


@dataclass(frozen=True)
class MeetingsLine:
    day: date | None  # None: the whole period
    booked: int
    cancelled: int
    pending: int
    failed: int

    @property
    def requested(self) -> int:
        return self.booked + self.cancelled + self.pending + self.failed


@dataclass(frozen=True)
class Meetings:
    days: tuple[MeetingsLine, ...]
    total: MeetingsLine


def meetings_booked_cancelled(*, session: Session, since: datetime, until: datetime) -> Meetings:
    since, until = as_aware(since), as_aware(until)
    bucket = utc_hour(MeetingAppointment.created_at, session.get_bind().dialect.name)
    rows = session.exec(
        select(bucket, MeetingAppointment.status, func.count())
        .where(
            col(MeetingAppointment.created_at) >= since,
            col(MeetingAppointment.created_at) < until,
        )
        .group_by(bucket, MeetingAppointment.status)
    ).all()
    per_day: dict[date, list[int]] = {d: [0] * len(STATUSES) for d in days_between(since, until)}
    for start, status, count in rows:
        if status in STATUSES:
            day = per_day.setdefault(bank_day(hour_start(start)), [0] * len(STATUSES))
            day[STATUSES.index(status)] += int(count)
    days = tuple(MeetingsLine(d, *counts) for d, counts in sorted(per_day.items()))
    return Meetings(
        days=days,
        total=MeetingsLine(None, *(sum(getattr(x, s) for x in days) for s in STATUSES)),
    )
