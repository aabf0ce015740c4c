"""The assistant: how many conversations it handled alone, and what it did not understand.

* containment: assistant conversations started in the period (one starts with the customer's
  first question) that were *not* handed over to a live-chat agent, i.e. no chat request names
  them as its source;
* misunderstood questions: the review list (``assistant_review_item``), grouped by text with
  case and spacing ignored. The text was masked by the privacy guard before it was stored
  (``assistant.review.record_misunderstood``); it is customer text all the same and is only
  ever shown as text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from chat_widget.assistant.dialogue import ReviewReason
from chat_widget.assistant.records import AssistantReviewItem
from chat_widget.domain.clock import as_aware
from chat_widget.domain.models import Channel, Conversation
from chat_widget.live_chat.records import ChatRequest
from chat_widget.supervision.period import bank_day, days_between
from chat_widget.supervision.stats import hour_start, utc_hour

TOP_QUESTIONS = 10


@dataclass(frozen=True)
class ContainmentLine:
    day: date | None  # None: the whole period
    conversations: int
    handed_over: int

    @property
    def contained(self) -> int:
        return self.conversations - self.handed_over

    @property
    def rate(self) -> float | None:
        """Percentage of conversations the assistant kept (None without conversations)."""
        return 100 * self.contained / self.conversations if self.conversations else None


@dataclass(frozen=True)
class Containment:
    days: tuple[ContainmentLine, ...]
    total: ContainmentLine


def assistant_containment(*, session: Session, since: datetime, until: datetime) -> Containment:
    since, until = as_aware(since), as_aware(until)
    bucket = utc_hour(Conversation.created_at, session.get_bind().dialect.name)
    in_period = (
        Conversation.channel == Channel.ASSISTANT.value,
        col(Conversation.created_at) >= since,
        col(Conversation.created_at) < until,
    )
    started = session.exec(select(bucket, func.count()).where(*in_period).group_by(bucket)).all()
    handed = session.exec(
        select(bucket, func.count(func.distinct(Conversation.id)))
        .where(*in_period, ChatRequest.source_conversation_id == Conversation.id)
        .group_by(bucket)
    ).all()
    totals: dict[date, list[int]] = {d: [0, 0] for d in days_between(since, until)}
    for index, rows in ((0, started), (1, handed)):
        for start, count in rows:
            totals.setdefault(bank_day(hour_start(start)), [0, 0])[index] += int(count)
    days = tuple(ContainmentLine(d, c, h) for d, (c, h) in sorted(totals.items()))
    return Containment(
        days=days,
        total=ContainmentLine(
            None, sum(x.conversations for x in days), sum(x.handed_over for x in days)
        ),
    )


@dataclass(frozen=True)
class MisunderstoodQuestion:
    text: str  # the most frequent spelling of the question (masked when stored)
    asked: int
    not_understood: int  # below the confidence threshold
    not_helpful: int  # answered, but the customer said it did not help
    locales: tuple[str, ...]
    last_asked: datetime


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def misunderstood_questions(
    *, session: Session, since: datetime, until: datetime, limit: int = TOP_QUESTIONS
) -> tuple[MisunderstoodQuestion, ...]:
    """The ``limit`` most frequent, most asked first (then the most recent, then by text)."""
    # Five columns: beyond sqlmodel's typed select, so SQLAlchemy's own.
    rows = session.execute(
        sql_select(
            col(AssistantReviewItem.text),
            col(AssistantReviewItem.locale),
            col(AssistantReviewItem.reason),
            func.count(),
            func.max(AssistantReviewItem.created_at),
        )
        .where(
            col(AssistantReviewItem.created_at) >= as_aware(since),
            col(AssistantReviewItem.created_at) < as_aware(until),
        )
        .group_by(AssistantReviewItem.text, AssistantReviewItem.locale, AssistantReviewItem.reason)
    ).all()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    locales: dict[str, set[str]] = defaultdict(set)
    last: dict[str, datetime] = {}
    for text, locale, reason, count, latest in rows:
        key = _key(text)
        if not key:
            continue
        spellings[key][" ".join(text.split())] += int(count)
        reasons[key][reason] += int(count)
        locales[key].add(locale)
        moment = as_aware(latest)
        last[key] = max(last.get(key, moment), moment)
    found = [
        MisunderstoodQuestion(
            text=min(spellings[k].items(), key=lambda s: (-s[1], s[0]))[0],
            asked=sum(reasons[k].values()),
            not_understood=reasons[k][ReviewReason.BELOW_THRESHOLD.value],
            not_helpful=reasons[k][ReviewReason.NOT_HELPFUL.value],
            locales=tuple(sorted(locales[k])),
            last_asked=last[k],
        )
        for k in spellings
    ]
    found.sort(key=lambda q: (-q.asked, -q.last_asked.timestamp(), q.text))
    return tuple(found[:limit])
