"""The customer side of the queue: ask for a human, see your place, leave a message, give up.

Fairness: the queue is per language and ordered by request time (longest waiting first); the
position a customer sees is the one routing will use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from chat_widget.agents.records import Agent, Presence, Role
from chat_widget.conversations import (
    append_message,
    get_conversation_for_customer,
    start_conversation,
)
from chat_widget.domain.clock import as_aware, utcnow
from chat_widget.domain.models import AuthorKind, Channel, Conversation, Message
from chat_widget.i18n import pick_locale
from chat_widget.live_chat.errors import ChatNotFound, ChatUnavailable, InvalidChatState
from chat_widget.live_chat.hours.schedule import OpeningHours, status
from chat_widget.live_chat.records import ChatRequest, LiveChatStatus
from chat_widget.live_chat.system_messages import post_system_message
from chat_widget.observability import metrics

#: Used for expected waits until enough chats have been closed to measure.
DEFAULT_HANDLING_TIME = timedelta(minutes=6)
HANDLING_SAMPLE = 50
HANDLING_LOOKBACK = timedelta(days=7)

OPEN_STATUSES = (LiveChatStatus.WAITING.value, LiveChatStatus.ACTIVE.value)


@dataclass(frozen=True)
class QueueInfo:
    status: str
    position: int | None  # 1 = next; None once accepted or ended
    waiting_ahead: int
    available_agents: int  # available agents speaking the chat's language
    expected_wait: timedelta | None  # None when no agent for this language is available
    average_handling_time: timedelta


@dataclass(frozen=True)
class QueueEntry:
    """A waiting chat as the console's queue view shows it."""

    conversation_id: str
    language: str
    topic: str | None
    page_url: str | None
    requested_at: datetime
    waited: timedelta
    has_handover_summary: bool


def get_chat_request(*, session: Session, conversation_id: str) -> ChatRequest | None:
    return session.get(ChatRequest, conversation_id)


def current_chat_for_customer(*, session: Session, customer_id: str) -> Conversation | None:
    """The customer's waiting/active live chat, so a reload or another device continues it."""
    query = (
        select(Conversation)
        .where(
            Conversation.customer_id == customer_id,
            Conversation.channel == Channel.LIVE_CHAT.value,
            col(Conversation.status).in_(OPEN_STATUSES),
        )
        .order_by(col(Conversation.created_at).desc())
    )
    return session.exec(query).first()


def request_chat(
    *,
    session: Session,
    customer_id: str,
    locale: str,
    topic: str | None = None,
    page_url: str | None = None,
    handover_summary: str | None = None,
    source_conversation_id: str | None = None,
    hours: OpeningHours | None = None,
    now: datetime | None = None,
) -> Conversation:
    """Queue the customer for a human (flushed, not committed); returns the waiting conversation.

    With ``hours`` given, refuses outside opening hours (``ChatUnavailable`` carries the
    reason and next opening). A customer who already has an open live chat gets that one back.
    """
    now = now or utcnow()
    if hours is not None:
        current = status(now, hours)
        if not current.open:
            raise ChatUnavailable(current)
    existing = current_chat_for_customer(session=session, customer_id=customer_id)
    if existing is not None:
        return existing
    language = pick_locale(locale)
    conversation = start_conversation(
        session=session,
        customer_id=customer_id,
        channel=Channel.LIVE_CHAT,
        locale=language,
        topic=topic,
        page_url=page_url,
        status=LiveChatStatus.WAITING,
    )
    session.add(
        ChatRequest(
            conversation_id=conversation.id,
            customer_id=customer_id,
            language=language,
            topic=topic,
            handover_summary=handover_summary,
            source_conversation_id=source_conversation_id,
            requested_at=now,
        )
    )
    session.flush()
    metrics.handover(source_conversation_id)
    return conversation


def _waiting_query(language: str | None = None):  # type: ignore[no-untyped-def]
    query = select(ChatRequest, Conversation).where(
        ChatRequest.conversation_id == Conversation.id,
        Conversation.status == LiveChatStatus.WAITING.value,
        col(ChatRequest.agent_id).is_(None),
    )
    if language is not None:
        query = query.where(ChatRequest.language == language)
    return query.order_by(col(ChatRequest.requested_at), col(ChatRequest.conversation_id))


def waiting_queue(
    *, session: Session, languages: list[str] | None = None, now: datetime | None = None
) -> list[QueueEntry]:
    """Waiting chats, longest waiting first; ``languages`` filters to what an agent speaks."""
    now = now or utcnow()
    query = _waiting_query()
    if languages is not None:
        query = query.where(col(ChatRequest.language).in_(languages))
    return [
        QueueEntry(
            conversation_id=req.conversation_id,
            language=req.language,
            topic=req.topic,
            page_url=conv.page_url,
            requested_at=as_aware(req.requested_at),
            waited=max(timedelta(0), now - as_aware(req.requested_at)),
            has_handover_summary=bool(req.handover_summary),
        )
        for req, conv in session.exec(query).all()
    ]


def average_handling_time(*, session: Session, now: datetime | None = None) -> timedelta:
    """Mean accepted→closed time of recent chats (falls back to a default with no data)."""
    now = now or utcnow()
    query = (
        select(ChatRequest)
        .where(
            col(ChatRequest.accepted_at).is_not(None),
            col(ChatRequest.closed_at).is_not(None),
            col(ChatRequest.closed_at) >= now - HANDLING_LOOKBACK,
        )
        .order_by(col(ChatRequest.closed_at).desc())
        .limit(HANDLING_SAMPLE)
    )
    durations = [
        as_aware(r.closed_at) - as_aware(r.accepted_at)
        for r in session.exec(query).all()
        if r.closed_at is not None and r.accepted_at is not None
    ]
    if not durations:
        return DEFAULT_HANDLING_TIME
    return sum(durations, timedelta(0)) / len(durations)


def active_chat_count(*, session: Session, agent_id: str) -> int:
    query = (
        select(func.count())
        .select_from(ChatRequest)
        .where(ChatRequest.agent_id == agent_id, col(ChatRequest.closed_at).is_(None))
    )
    return int(session.exec(query).one())


def _available_for(session: Session, language: str) -> list[Agent]:
    agents = session.exec(
        select(Agent).where(Agent.presence == Presence.AVAILABLE.value, col(Agent.active).is_(True))
    ).all()
    return [a for a in agents if language in a.languages and Role.AGENT.value in a.roles]


def queue_info(*, session: Session, conversation_id: str, now: datetime | None = None) -> QueueInfo:
    """Position and expected wait for one chat (poll it or push it to the widget)."""
    now = now or utcnow()
    request = session.get(ChatRequest, conversation_id)
    conversation = session.get(Conversation, conversation_id)
    if request is None or conversation is None:
        raise ChatNotFound(conversation_id)
    aht = average_handling_time(session=session, now=now)
    agents = _available_for(session, request.language)
    if conversation.status != LiveChatStatus.WAITING or request.agent_id is not None:
        return QueueInfo(conversation.status, None, 0, len(agents), None, aht)
    ahead = 0
    for other, _ in session.exec(_waiting_query(request.language)).all():
        if other.conversation_id == conversation_id:
            break
        ahead += 1
    position = ahead + 1
    expected: timedelta | None = None
    if agents:
        capacity = sum(a.capacity for a in agents)
        free = sum(
            max(0, a.capacity - active_chat_count(session=session, agent_id=a.id)) for a in agents
        )
        if free >= position:
            expected = timedelta(0)
        else:
            expected = aht * math.ceil((position - free) / max(1, capacity))
    return QueueInfo(conversation.status, position, ahead, len(agents), expected, aht)


def _own_waiting(session: Session, customer_id: str, conversation_id: str) -> Conversation:
    conversation = get_conversation_for_customer(
        session=session, customer_id=customer_id, conversation_id=conversation_id
    )
    if conversation is None or conversation.channel != Channel.LIVE_CHAT:
        raise ChatNotFound(conversation_id)
    if conversation.status != LiveChatStatus.WAITING:
        raise InvalidChatState(f"chat is {conversation.status}")
    return conversation


def leave_message(
    *,
    session: Session,
    customer_id: str,
    conversation_id: str,
    client_msg_id: str,
    body: str,
    now: datetime | None = None,
) -> Message:
    """Stop waiting and leave a message for the bank to answer later (commits).

    The chat leaves the queue closed with reason ``left_message``; back office finds these with
    ``left_messages``. A resend with the same ``client_msg_id`` is harmless.
    """
    now = now or utcnow()
    conversation = get_conversation_for_customer(
        session=session, customer_id=customer_id, conversation_id=conversation_id
    )
    if conversation is None:
        raise ChatNotFound(conversation_id)
    if conversation.status != LiveChatStatus.WAITING:
        stored = session.exec(
            select(Message).where(
                Message.conversation_id == conversation_id, Message.client_msg_id == client_msg_id
            )
        ).first()
        if stored is not None:
            return stored  # the resend of a message that already closed the chat
        raise InvalidChatState(f"chat is {conversation.status}")
    message, _ = append_message(
        session=session,
        conversation_id=conversation_id,
        client_msg_id=client_msg_id,
        author_kind=AuthorKind.CUSTOMER,
        author_id=customer_id,
        body=body,
        meta={"left_message": True},
    )
    _finish_waiting(session, conversation, LiveChatStatus.CLOSED, "left_message", customer_id, now)
    post_system_message(session=session, conversation_id=conversation_id, event="left_message")
    return message


def switch_to_assistant(
    *, session: Session, customer_id: str, conversation_id: str, now: datetime | None = None
) -> Conversation:
    """The customer leaves the queue for the assistant: the chat ends as ``abandoned`` (commits)."""
    conversation = _own_waiting(session, customer_id, conversation_id)
    _finish_waiting(
        session,
        conversation,
        LiveChatStatus.ABANDONED,
        "switched_to_assistant",
        customer_id,
        now or utcnow(),
    )
    post_system_message(
        session=session, conversation_id=conversation_id, event="switched_to_assistant"
    )
    return conversation


def _finish_waiting(
    session: Session,
    conversation: Conversation,
    new_status: str,
    reason: str,
    by: str,
    now: datetime,
) -> None:
    request = session.get(ChatRequest, conversation.id)
    if request is None:
        raise ChatNotFound(conversation.id)
    request.closed_at = now
    request.close_reason = reason
    request.closed_by = f"customer:{by}"
    request.left_message = reason == "left_message"
    conversation.status = str(new_status)
    conversation.closed_at = utcnow()
    session.add_all([request, conversation])
    session.flush()


def left_messages(*, session: Session, language: str | None = None) -> list[ChatRequest]:
    """Chats the customer gave up on with a message, oldest first, for back-office follow-up."""
    query = select(ChatRequest).where(col(ChatRequest.left_message).is_(True))
    if language is not None:
        query = query.where(ChatRequest.language == language)
    return list(session.exec(query.order_by(col(ChatRequest.requested_at))).all())
