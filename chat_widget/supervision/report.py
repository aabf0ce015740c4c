"""Every period figure of the supervisor view in one call (one database session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from chat_widget.domain.clock import as_aware
from chat_widget.supervision.assistant import (
    Containment,
    MisunderstoodQuestion,
    assistant_containment,
    misunderstood_questions,
)
from chat_widget.supervision.chats import (
    ChatTimes,
    HourlyVolume,
    Ratings,
    chat_times,
    conversations_per_hour,
    ratings,
)
from chat_widget.supervision.claims import ClaimsMatrix, claims_by_type_and_status
from chat_widget.supervision.meetings import Meetings, meetings_booked_cancelled


@dataclass(frozen=True)
class PeriodReport:
    since: datetime
    until: datetime
    volume: HourlyVolume
    times: ChatTimes
    ratings: Ratings
    containment: Containment
    questions: tuple[MisunderstoodQuestion, ...]
    claims: ClaimsMatrix
    meetings: Meetings


def period_report(*, session: Session, since: datetime, until: datetime) -> PeriodReport:
    if as_aware(until) <= as_aware(since):
        raise ValueError("until must be after since")
    s, a, b = session, since, until
    return PeriodReport(
        since=as_aware(since),
        until=as_aware(until),
        volume=conversations_per_hour(session=s, since=a, until=b),
        times=chat_times(session=s, since=a, until=b),
        ratings=ratings(session=s, since=a, until=b),
        containment=assistant_containment(session=s, since=a, until=b),
        questions=misunderstood_questions(session=s, since=a, until=b),
        claims=claims_by_type_and_status(session=s, since=a, until=b),
        meetings=meetings_booked_cancelled(session=s, since=a, until=b),
    )
