"""Conversation volume per hour and channel, live-chat wait and handle times, ratings.

Definitions (also the ones the console and the CSV explain):

* volume: conversations *started* in the period (any channel), by the bank hour they started;
* a live chat belongs to the period it was *requested* in;
* wait: request → acceptance by an agent, over the chats an agent answered;
* handle: acceptance → close, over answered chats that are closed;
* unanswered: closed without ever being accepted (the customer left, left a message or went
  back to the assistant);
* ratings: the 1–5 stars given to chats of the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from chat_widget.domain.clock import as_aware
from chat_widget.domain.models import Channel, Conversation
from chat_widget.live_chat.records import ChatRequest
from chat_widget.supervision.period import bank_day, bank_hour, days_between
from chat_widget.supervision.stats import hour_start, percentile, seconds, utc_hour

HOURS = tuple(range(24))
STARS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class HourlyVolume:
    channels: tuple[str, ...]
    #: ``counts[hour][i]``: conversations of ``channels[i]`` started in that bank hour
    counts: tuple[tuple[int, ...], ...]

    def by_channel(self) -> tuple[int, ...]:
        return tuple(sum(row[i] for row in self.counts) for i in range(len(self.channels)))

    @property
    def total(self) -> int:
        return sum(sum(row) for row in self.counts)


def conversations_per_hour(*, session: Session, since: datetime, until: datetime) -> HourlyVolume:
    since, until = as_aware(since), as_aware(until)
    bucket = utc_hour(Conversation.created_at, session.get_bind().dialect.name)
    rows = session.exec(
        select(bucket, Conversation.channel, func.count())
        .where(col(Conversation.created_at) >= since, col(Conversation.created_at) < until)
        .group_by(bucket, Conversation.channel)
    ).all()
    known = [c.value for c in Channel]
    channels = tuple(known + sorted({str(r[1]) for r in rows} - set(known)))
    grid = [[0] * len(channels) for _ in HOURS]
    for start, channel, count in rows:
        grid[bank_hour(hour_start(start))][channels.index(str(channel))] += int(count)
    return HourlyVolume(channels, tuple(tuple(row) for row in grid))


@dataclass(frozen=True)
class TimesLine:
    """One bank day (``day``) or the whole period (``day`` None). Times in seconds."""

    day: date | None
    requested: int
    answered: int
    unanswered: int
    wait_p50: int | None
    wait_p90: int | None
    handle_p50: int | None
    handle_p90: int | None


@dataclass(frozen=True)
class ChatTimes:
    days: tuple[TimesLine, ...]
    total: TimesLine


def _line(day: date | None, requests: list[ChatRequest]) -> TimesLine:
    waits = [
        seconds(as_aware(r.requested_at), as_aware(r.accepted_at))
        for r in requests
        if r.accepted_at is not None
    ]
    handles = [
        seconds(as_aware(r.accepted_at), as_aware(r.closed_at))
        for r in requests
        if r.accepted_at is not None and r.closed_at is not None
    ]
    unanswered = sum(1 for r in requests if r.accepted_at is None and r.closed_at is not None)
    return TimesLine(
        day=day,
        requested=len(requests),
        answered=len(waits),
        unanswered=unanswered,
        wait_p50=percentile(waits, 50),
        wait_p90=percentile(waits, 90),
        handle_p50=percentile(handles, 50),
        handle_p90=percentile(handles, 90),
    )


def _requests(session: Session, since: datetime, until: datetime) -> list[ChatRequest]:
    return list(
        session.exec(
            select(ChatRequest).where(
                col(ChatRequest.requested_at) >= as_aware(since),
                col(ChatRequest.requested_at) < as_aware(until),
            )
        ).all()
    )


def chat_times(*, session: Session, since: datetime, until: datetime) -> ChatTimes:
    """Per bank day and for the whole period (percentiles of the period, not of the days)."""
    requests = _requests(session, since, until)
    per_day: dict[date, list[ChatRequest]] = {d: [] for d in days_between(since, until)}
    for request in requests:
        per_day.setdefault(bank_day(request.requested_at), []).append(request)
    return ChatTimes(
        days=tuple(_line(day, rows) for day, rows in sorted(per_day.items())),
        total=_line(None, requests),
    )


@dataclass(frozen=True)
class Ratings:
    counts: tuple[int, ...]  # chats rated 1, 2, 3, 4, 5 stars
    answered_closed: int  # chats an agent answered and that ended: those asked for a rating

    @property
    def rated(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        if not self.rated:
            return None
        return sum(star * n for star, n in zip(STARS, self.counts, strict=True)) / self.rated


def ratings(*, session: Session, since: datetime, until: datetime) -> Ratings:
    requests = _requests(session, since, until)
    counts = [0] * len(STARS)
    for request in requests:
        if request.rating is not None and 1 <= request.rating <= len(STARS):
            counts[request.rating - 1] += 1
    closed = sum(1 for r in requests if r.accepted_at is not None and r.closed_at is not None)
    return Ratings(tuple(counts), closed)
