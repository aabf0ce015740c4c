"""Seeded rows with known instants, written directly so every expected number is exact.

All instants are UTC. In November Brussels is UTC+1: 08:10 UTC is 09h on the bank's clock, and
2026-11-22 23:00 UTC is already 2026-11-23 00:00 in Brussels.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.agents.records import Agent
from chat_widget.assistant.records import AssistantReviewItem
from chat_widget.claims.records import Claim
from chat_widget.domain.models import Conversation, Customer
from chat_widget.live_chat.records import ChatRequest
from chat_widget.meetings.records import MeetingAppointment
from chat_widget.supervision.period import Period

#: Monday 23 and Tuesday 24 November 2026, bank days.
PERIOD = Period(date(2026, 11, 23), date(2026, 11, 24))


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def customer(engine: Engine) -> str:
    with session_scope(engine) as s:
        row = Customer()
        s.add(row)
        s.flush()
        return row.id


def agent(
    engine: Engine,
    username: str,
    *,
    roles: tuple[str, ...] = ("agent",),
    presence: str = "offline",
    capacity: int = 3,
    active: bool = True,
) -> str:
    with session_scope(engine) as s:
        row = Agent(
            username=username,
            display_name=username.title(),
            first_name=username.title(),
            roles=list(roles),
            languages=["fr"],
            capacity=capacity,
            presence=presence,
            active=active,
        )
        s.add(row)
        s.flush()
        return row.id


def conversation(
    engine: Engine, who: str, channel: str, at: datetime, *, status: str = "open"
) -> str:
    with session_scope(engine) as s:
        row = Conversation(customer_id=who, channel=channel, status=status, created_at=at)
        s.add(row)
        s.flush()
        return row.id


def chat(
    engine: Engine,
    who: str,
    requested: datetime,
    *,
    accepted: datetime | None = None,
    closed: datetime | None = None,
    rating: int | None = None,
    source: str | None = None,
    agent_id: str | None = None,
    language: str = "fr",
    status: str | None = None,
) -> str:
    """A live chat: its conversation and its request row."""
    if status is None:
        status = "closed" if closed else ("active" if accepted else "waiting")
    conversation_id = conversation(engine, who, "live_chat", requested, status=status)
    with session_scope(engine) as s:
        s.add(
            ChatRequest(
                conversation_id=conversation_id,
                customer_id=who,
                language=language,
                requested_at=requested,
                accepted_at=accepted,
                closed_at=closed,
                rating=rating,
                source_conversation_id=source,
                agent_id=agent_id,
            )
        )
    return conversation_id


def review(engine: Engine, text: str, locale: str, reason: str, at: datetime) -> None:
    with session_scope(engine) as s:
        s.add(AssistantReviewItem(text=text, locale=locale, reason=reason, created_at=at))


def claim(
    engine: Engine, who: str, claim_type: str, status: str, submitted: datetime | None
) -> None:
    with session_scope(engine) as s:
        s.add(
            Claim(
                customer_id=who,
                type=claim_type,
                status=status,
                submitted_at=submitted,
                reference=None if submitted is None else f"SIN-{submitted:%d%H%M}-{claim_type}",
            )
        )


def meeting(engine: Engine, who: str, status: str, created: datetime) -> None:
    start = created + timedelta(days=2)
    with session_scope(engine) as s:
        s.add(
            MeetingAppointment(
                customer_id=who,
                topic="loans_mortgage",
                locale="fr",
                customer_name="Client Test",
                start_utc=start,
                end_utc=start + timedelta(minutes=30),
                staff_id="staff-claire",
                advisor_first_name="Claire",
                status=status,
                created_at=created,
            )
        )


def seed_period(engine: Engine) -> dict[str, str]:
    """The scenario every period test reads (see the expected numbers in the tests)."""
    who = customer(engine)
    ids: dict[str, str] = {}
    # Assistant conversations: A5 opens the 23rd at 00:00 bank time; A4 and A6 are just outside.
    ids["A4"] = conversation(engine, who, "assistant", utc(22, 22, 59))
    ids["A5"] = conversation(engine, who, "assistant", utc(22, 23, 0))
    ids["A1"] = conversation(engine, who, "assistant", utc(23, 8, 10))
    ids["A2"] = conversation(engine, who, "assistant", utc(23, 8, 40))
    ids["A3"] = conversation(engine, who, "assistant", utc(24, 13, 5))
    ids["A6"] = conversation(engine, who, "assistant", utc(24, 23, 0))
    conversation(engine, who, "claim", utc(23, 10, 0))
    # Live chats. L0 is before the period (its rating of 1 must not count).
    chat(
        engine,
        who,
        utc(22, 20),
        accepted=utc(22, 20, 5),
        closed=utc(22, 20, 30),
        rating=1,
        source=ids["A4"],
    )
    chat(
        engine,
        who,
        utc(23, 8, 20),
        accepted=utc(23, 8, 21),
        closed=utc(23, 8, 31),
        rating=5,
        source=ids["A1"],
    )
    chat(engine, who, utc(23, 8, 50), accepted=utc(23, 8, 53), closed=utc(23, 9, 13), rating=3)
    chat(engine, who, utc(23, 9, 30), closed=utc(23, 9, 31), source=ids["A1"])
    chat(engine, who, utc(24, 13, 10), closed=utc(24, 13, 15), source=ids["A3"])
    chat(engine, who, utc(24, 15, 0), accepted=utc(24, 15, 10))
    # The review list.
    review(engine, "Comment bloquer ma carte ?", "fr", "below_threshold", utc(23, 8, 11))
    review(engine, "comment  bloquer ma CARTE ?", "fr", "below_threshold", utc(24, 10, 0))
    review(engine, "Comment bloquer ma carte ?", "fr", "not_helpful", utc(24, 11, 0))
    review(engine, "Wat is mijn IBAN?", "nl", "below_threshold", utc(23, 12, 0))
    review(engine, "Where is <b>my</b> card", "en", "below_threshold", utc(24, 12, 0))
    review(engine, "Comment bloquer ma carte ?", "fr", "below_threshold", utc(24, 23, 0))
    # Claims, by submission time; the draft and the claim of the 22nd do not count.
    claim(engine, who, "car_glass", "submitted", utc(23, 9))
    claim(engine, who, "car_glass", "in_review", utc(24, 9))
    claim(engine, who, "home_fire", "accepted", utc(23, 14))
    claim(engine, who, "car_glass", "draft", None)
    claim(engine, who, "car_theft", "closed", utc(22, 9))
    # Meetings, by request time; the last one is the 25th in Brussels.
    meeting(engine, who, "booked", utc(23, 9))
    meeting(engine, who, "cancelled", utc(23, 10))
    meeting(engine, who, "booked", utc(24, 8))
    meeting(engine, who, "failed", utc(24, 9))
    meeting(engine, who, "pending", utc(24, 22, 30))
    meeting(engine, who, "booked", utc(24, 23, 30))
    return ids
