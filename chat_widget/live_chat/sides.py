"""Use cases the chat views call: start/resume, send through the privacy guard, sync a view.

Plain Python over a ``sqlmodel.Session`` (the Reflex layer runs them with ``run_db``). Every
read is scoped: a customer only ever reaches their own conversation, an agent only the chats
they hold (``require_role`` is checked by the caller on every console event).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache

from sqlalchemy import BindParameter, Integer, Update, bindparam, func, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from chat_widget.agents.records import Agent, Presence, Role
from chat_widget.conversations import (
    get_conversation,
    get_conversation_for_customer,
    messages_since,
)
from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import Conversation, Message
from chat_widget.guard import engine as guard
from chat_widget.live_chat.errors import ChatNotFound, NotAssignedAgent
from chat_widget.live_chat.hours.schedule import OpeningHours
from chat_widget.live_chat.messaging import (
    mark_read,
    post_agent_message,
    post_customer_message,
    read_states,
)
from chat_widget.live_chat.queue import (
    QueueEntry,
    QueueInfo,
    current_chat_for_customer,
    get_chat_request,
    queue_info,
    request_chat,
    waiting_queue,
)
from chat_widget.live_chat.records import ChatRequest, ReadState
from chat_widget.live_chat.routing import active_chats_for_agent
from chat_widget.live_chat.waiting import waiting_since_by_chat
from chat_widget.observability import metrics

#: the live key of the waiting queue (``realtime.QUEUE``; not imported: no asyncio here)
QUEUE_KEY = "queue"


@dataclass(frozen=True)
class Sent:
    """What became of a message: stored (maybe masked) or blocked by the guard (not stored)."""

    message: Message | None
    blocked_kinds: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CustomerView:
    conversation_id: str
    status: str
    messages: list[Message]
    queue: QueueInfo | None
    agent_read_seq: int
    rating: int | None


def start_chat(
    *,
    session: Session,
    customer_id: str,
    locale: str,
    topic: str | None,
    page_url: str | None,
    handover_from: str | None,
    hours: OpeningHours,
) -> str:
    """Queue the customer (or return their open chat); the assistant's summary goes along."""
    summary = None
    if handover_from:
        source = get_conversation_for_customer(
            session=session, customer_id=customer_id, conversation_id=handover_from
        )
        summary = source.summary if source is not None else None
        handover_from = source.id if source is not None else None
    conversation = request_chat(
        session=session,
        customer_id=customer_id,
        locale=locale,
        topic=topic or None,
        page_url=page_url or None,
        handover_summary=summary,
        source_conversation_id=handover_from,
        hours=hours,
    )
    session.commit()
    return conversation.id


def open_chat_id(*, session: Session, customer_id: str) -> str | None:
    chat = current_chat_for_customer(session=session, customer_id=customer_id)
    return chat.id if chat is not None else None


def customer_view(
    *, session: Session, customer_id: str, conversation_id: str, after_seq: int
) -> CustomerView:
    """What the widget is missing since ``after_seq``, plus queue place and read receipt."""
    conversation = get_conversation_for_customer(
        session=session, customer_id=customer_id, conversation_id=conversation_id
    )
    request = get_chat_request(session=session, conversation_id=conversation_id)
    if conversation is None or request is None:
        raise ChatNotFound(conversation_id)
    session.refresh(conversation)
    session.refresh(request)
    messages = messages_since(session=session, conversation_id=conversation_id, after_seq=after_seq)
    queue = (
        queue_info(session=session, conversation_id=conversation_id)
        if conversation.status == "waiting"
        else None
    )
    return CustomerView(
        conversation_id=conversation_id,
        status=conversation.status,
        messages=messages,
        queue=queue,
        agent_read_seq=read_states(session=session, conversation_id=conversation_id).get(
            "agent", 0
        ),
        rating=request.rating,
    )


def conversation_versions(
    *, session: Session, conversation_ids: list[str]
) -> dict[str, tuple[int, str, int]]:
    """``(last seq, status, agent's read seq)`` per conversation: what moves when a customer
    view has something new to show (messages, joins and closes, the read receipt). Two
    queries for any number of conversations, so one poll per process can watch them all."""
    versions: dict[str, tuple[int, str, int]] = {}
    for start in range(0, len(conversation_ids), 500):
        part = conversation_ids[start : start + 500]
        reads = {
            cid: int(seq or 0)
            for cid, seq in session.exec(
                select(ReadState.conversation_id, func.max(ReadState.last_read_seq))
                .where(col(ReadState.conversation_id).in_(part))
                .where(ReadState.participant_kind == "agent")
                .group_by(col(ReadState.conversation_id))
            ).all()
        }
        rows = session.exec(
            select(Conversation.id, Conversation.last_seq, Conversation.status).where(
                col(Conversation.id).in_(part)
            )
        ).all()
        for cid, seq, status in rows:
            versions[cid] = (seq, status, reads.get(cid, 0))
    return versions


def customer_read_receipt(*, session: Session, customer_id: str, conversation_id: str) -> int:
    """The agent's read seq in the customer's own conversation (0 for another's): what a
    read-receipt wake-up reads instead of the whole view."""
    seq = session.exec(
        select(func.max(ReadState.last_read_seq))
        .join(Conversation, col(Conversation.id) == col(ReadState.conversation_id))
        .where(
            ReadState.conversation_id == conversation_id,
            ReadState.participant_kind == "agent",
            Conversation.customer_id == customer_id,
        )
    ).one()
    return int(seq or 0)


def live_versions(*, session: Session, keys: list[str]) -> dict[str, Hashable]:
    """A cheap version per live key, for noticing other processes' writes on SQLite
    (``realtime.ExternalWrites``): a conversation id -> ``(last seq, status, agent's read
    seq, customer's read seq)``, ``queue`` -> the waiting chats, ``agent:<id>`` -> presence
    and the chats held. A few queries for any number of keys."""
    found: dict[str, Hashable] = {}
    conversation_ids = [k for k in keys if k != QUEUE_KEY and not k.startswith("agent:")]
    for start in range(0, len(conversation_ids), 500):
        part = conversation_ids[start : start + 500]
        reads: dict[tuple[str, str], int] = {}
        for cid, kind, seq in session.exec(
            select(
                ReadState.conversation_id,
                ReadState.participant_kind,
                func.max(ReadState.last_read_seq),
            )
            .where(col(ReadState.conversation_id).in_(part))
            .group_by(col(ReadState.conversation_id), col(ReadState.participant_kind))
        ).all():
            reads[(cid, kind)] = int(seq or 0)
        for cid, last_seq, status in session.exec(
            select(Conversation.id, Conversation.last_seq, Conversation.status).where(
                col(Conversation.id).in_(part)
            )
        ).all():
            found[cid] = (
                last_seq,
                status,
                reads.get((cid, "agent"), 0),
                reads.get((cid, "customer"), 0),
            )
    if QUEUE_KEY in keys:
        waiting = sorted(
            session.exec(
                select(ChatRequest.conversation_id).where(
                    col(ChatRequest.agent_id).is_(None), col(ChatRequest.closed_at).is_(None)
                )
            ).all()
        )
        found[QUEUE_KEY] = tuple(waiting)
    agent_ids = [k.removeprefix("agent:") for k in keys if k.startswith("agent:")]
    if agent_ids:
        held: dict[str, list[str]] = {a: [] for a in agent_ids}
        for agent_id, cid in session.exec(
            select(ChatRequest.agent_id, ChatRequest.conversation_id).where(
                col(ChatRequest.agent_id).in_(agent_ids), col(ChatRequest.closed_at).is_(None)
            )
        ).all():
            held.setdefault(str(agent_id), []).append(cid)
        presence = dict(
            session.exec(select(Agent.id, Agent.presence).where(col(Agent.id).in_(agent_ids))).all()
        )
        for agent_id in agent_ids:
            found[f"agent:{agent_id}"] = (presence.get(agent_id), tuple(sorted(held[agent_id])))
    return found


def _send(
    *, side: str, text: str, locale: str, post: Callable[[str], tuple[Message, bool]]
) -> Sent:
    """Both sides send the same way: the guard screens the text first (a blocked message is
    never stored), then ``post`` stores what it let through and the metric counts it. Only the
    author check differs, so each side passes its own ``post``."""
    stored, blocked = guard.screen(text, locale)
    if stored is None:
        return Sent(None, blocked)
    message, created = post(stored)
    metrics.chat_message(side, created=created)
    return Sent(message)


def customer_send(
    *,
    session: Session,
    customer_id: str,
    conversation_id: str,
    client_msg_id: str,
    text: str,
    locale: str,
) -> Sent:
    return _send(
        side="customer",
        text=text,
        locale=locale,
        post=lambda body: post_customer_message(
            session=session,
            customer_id=customer_id,
            conversation_id=conversation_id,
            client_msg_id=client_msg_id,
            body=body,
        ),
    )


def agent_send(
    *,
    session: Session,
    agent_id: str,
    conversation_id: str,
    client_msg_id: str,
    text: str,
    locale: str,
) -> Sent:
    return _send(
        side="agent",
        text=text,
        locale=locale,
        post=lambda body: post_agent_message(
            session=session,
            agent_id=agent_id,
            conversation_id=conversation_id,
            client_msg_id=client_msg_id,
            body=body,
        ),
    )


def customer_read(*, session: Session, customer_id: str, conversation_id: str, seq: int) -> None:
    if (
        get_conversation_for_customer(
            session=session, customer_id=customer_id, conversation_id=conversation_id
        )
        is None
    ):
        raise ChatNotFound(conversation_id)
    mark_read(
        session=session,
        conversation_id=conversation_id,
        participant_kind="customer",
        participant_id=customer_id,
        seq=seq,
    )


@dataclass(frozen=True)
class AgentChat:
    """One chat the agent holds (a tab in the console)."""

    conversation_id: str
    language: str
    topic: str | None
    status: str
    unread: int = 0  # messages after the last one the agent has seen
    #: the customer's first unanswered message (live_chat.waiting); None when answered
    waiting_since: datetime | None = None
    #: the chat's last message seq when read: a noted message after it adds to ``unread``
    last_seq: int = 0


@dataclass(frozen=True)
class AgentView:
    presence: str
    queue: list[QueueEntry]
    chats: list[AgentChat]
    #: for the selected conversation (None when none is selected or it is not the agent's)
    status: str | None = None
    language: str | None = None
    messages: list[Message] = field(default_factory=list)
    customer_read_seq: int = 0
    #: (agent id, display name) of colleagues a chat can be transferred to right now
    colleagues: list[tuple[str, str]] = field(default_factory=list)


def agent_view(
    *, session: Session, agent_id: str, conversation_id: str | None, after_seq: int
) -> AgentView:
    """The console's live data: the queue in the agent's languages, their chats, and what the
    selected conversation gained since ``after_seq`` (only if the agent holds it)."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotAssignedAgent(agent_id)
    session.refresh(agent)
    queue = waiting_queue(session=session, languages=list(agent.languages))
    held = active_chats_for_agent(session=session, agent_id=agent_id)
    chats = []
    for chat in held:
        session.refresh(chat)
        seen = read_states(session=session, conversation_id=chat.id).get("agent", 0)
        unread = max(0, chat.last_seq - seen)
        chats.append(
            AgentChat(chat.id, chat.locale, chat.topic, chat.status, unread, last_seq=chat.last_seq)
        )
    people = [(a.id, a.display_name) for a in colleagues(session=session, agent_id=agent_id)]
    view = AgentView(presence=agent.presence, queue=queue, chats=chats, colleagues=people)
    if not conversation_id:
        return view
    request = get_chat_request(session=session, conversation_id=conversation_id)
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    if request is None or conversation is None:
        return view
    session.refresh(request)
    session.refresh(conversation)
    if request.agent_id != agent_id:
        return view
    messages = messages_since(session=session, conversation_id=conversation_id, after_seq=after_seq)
    return AgentView(
        presence=agent.presence,
        queue=queue,
        chats=chats,
        status=conversation.status,
        language=request.language,
        messages=messages,
        customer_read_seq=read_states(session=session, conversation_id=conversation_id).get(
            "customer", 0
        ),
        colleagues=people,
    )


@dataclass(frozen=True)
class AgentDelta:
    """What a console wake-up read: only the parts asked for (None = not read)."""

    presence: str | None = None
    queue: list[QueueEntry] | None = None
    colleagues: list[tuple[str, str]] | None = None
    chats: list[AgentChat] | None = None
    #: the selected conversation's news (None when not read, or not the agent's)
    status: str | None = None
    language: str | None = None
    messages: list[Message] = field(default_factory=list)
    customer_read_seq: int | None = None


def _held_chats(session: Session, agent_id: str) -> list[AgentChat]:
    """The agent's chats with their unread counts and waits: three queries, whatever their number."""
    held = active_chats_for_agent(session=session, agent_id=agent_id)
    ids = [c.id for c in held]
    seen: dict[str, int] = {}
    if ids:
        for cid, seq in session.exec(_agent_reads(), params={"b_ids": ids}).all():
            seen[cid] = int(seq or 0)
    waits = waiting_since_by_chat(session=session, conversation_ids=ids)
    return [
        AgentChat(
            c.id,
            c.locale,
            c.topic,
            c.status,
            max(0, c.last_seq - seen.get(c.id, 0)),
            waits.get(c.id),
            c.last_seq,
        )
        for c in held
    ]


@cache
def _agent_reads() -> Select[str, int | None]:
    """How far the agent read each chat; built once (the console runs it at every wake-up)."""
    ids: BindParameter[list[str]] = bindparam("b_ids", expanding=True)
    return (
        select(ReadState.conversation_id, func.max(ReadState.last_read_seq))
        .where(col(ReadState.conversation_id).in_(ids), ReadState.participant_kind == "agent")
        .group_by(col(ReadState.conversation_id))
    )


@cache
def _open_chat() -> Select[str | None, str, str]:
    """Who holds the open chat, its language and status; built once."""
    return (
        select(ChatRequest.agent_id, ChatRequest.language, Conversation.status)
        .join(Conversation, col(Conversation.id) == col(ChatRequest.conversation_id))
        .where(col(ChatRequest.conversation_id) == bindparam("b_conversation_id"))
    )


@cache
def _customer_read() -> SelectOfScalar[int]:
    """How far the customer read the open chat; built once."""
    return select(func.max(ReadState.last_read_seq)).where(
        col(ReadState.conversation_id) == bindparam("b_conversation_id"),
        ReadState.participant_kind == "customer",
    )


def agent_delta(
    *,
    session: Session,
    agent_id: str,
    conversation_id: str | None,
    after_seq: int,
    queue: bool,
    chats: bool,
    current: bool,
) -> AgentDelta:
    """The console's news since its last read, only the parts a wake-up concerns: the queue
    (and who is available), the agent's chats (presence, unread counts), the selected
    conversation's messages after ``after_seq`` (only if the agent holds it)."""
    presence: str | None = None
    if queue or chats:
        agent = session.get(Agent, agent_id)
        if agent is None:
            raise NotAssignedAgent(agent_id)
        presence = agent.presence
    waiting = people = None
    if queue:
        assert agent is not None
        waiting = waiting_queue(session=session, languages=list(agent.languages))
        people = [(a.id, a.display_name) for a in colleagues(session=session, agent_id=agent_id)]
    held = _held_chats(session, agent_id) if chats else None
    delta = AgentDelta(presence=presence, queue=waiting, colleagues=people, chats=held)
    if not (current and conversation_id):
        return delta
    params = {"b_conversation_id": conversation_id}
    row = session.exec(_open_chat(), params=params).first()
    if row is None or row[0] != agent_id:
        return delta
    customer_seq = session.exec(_customer_read(), params=params).one()
    return replace(
        delta,
        status=row[2],
        language=row[1],
        messages=messages_since(
            session=session, conversation_id=conversation_id, after_seq=after_seq
        ),
        customer_read_seq=int(customer_seq or 0),
    )


@cache
def _agent_read_statement() -> Update:
    """``UPDATE readstate SET last_read_seq = :seq … WHERE`` the agent's own row is behind
    ``seq`` ``AND EXISTS`` (the chat is theirs): the console marks every message it shows, and
    two ORM reads and a flush cost more CPU than the commit. Built once (see
    ``conversations.messages._bump_statement``)."""
    held = (
        select(ChatRequest.conversation_id)
        .where(
            col(ChatRequest.conversation_id) == bindparam("b_conversation_id"),
            col(ChatRequest.agent_id) == bindparam("b_agent_id"),
        )
        .exists()
    )
    return (
        update(ReadState)
        .where(
            col(ReadState.conversation_id) == bindparam("b_conversation_id"),
            col(ReadState.participant_kind) == "agent",
            col(ReadState.participant_id) == bindparam("b_agent_id"),
            col(ReadState.last_read_seq) < bindparam("b_seq", type_=Integer),
            held,
        )
        .values(
            last_read_seq=bindparam("b_seq", type_=Integer),
            updated_at=bindparam("b_updated_at", type_=ReadState.__table__.c.updated_at.type),  # type: ignore[attr-defined]
        )
    )


def agent_read(*, session: Session, agent_id: str, conversation_id: str, seq: int) -> None:
    """The agent has seen up to ``seq`` of a chat they hold (``NotAssignedAgent`` otherwise).
    The usual case, their row behind ``seq``, is one statement; the rest (no row yet, nothing
    new, not their chat) goes the ORM way."""
    moved = session.connection().execute(
        _agent_read_statement(),
        {
            "b_conversation_id": conversation_id,
            "b_agent_id": agent_id,
            "b_seq": seq,
            "b_updated_at": utcnow(),
        },
    )
    if moved.rowcount == 1:
        return
    request = get_chat_request(session=session, conversation_id=conversation_id)
    if request is None or request.agent_id != agent_id:
        raise NotAssignedAgent(agent_id)
    mark_read(
        session=session,
        conversation_id=conversation_id,
        participant_kind="agent",
        participant_id=agent_id,
        seq=seq,
    )


def colleagues(*, session: Session, agent_id: str) -> list[Agent]:
    """Who a chat can be transferred to: active agents who are not offline, except oneself."""
    query = (
        select(Agent)
        .where(col(Agent.active).is_(True), Agent.presence != Presence.OFFLINE.value)
        .order_by(col(Agent.username))
    )
    return [
        a for a in session.exec(query).all() if a.id != agent_id and Role.AGENT.value in a.roles
    ]
