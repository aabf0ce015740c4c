"""The agent side of the queue: accept, assign, route, transfer, close.

Every change of hands goes through a conditional UPDATE on ``chatrequest.agent_id`` and checks
the row count, so concurrent clicks, two console tabs or two workers cannot hand one chat to
two agents. Functions that change what the customer sees post a system message, which commits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from chat_widget.agents.records import Agent, Presence, Role
from chat_widget.audit import record
from chat_widget.domain.clock import as_aware, utcnow
from chat_widget.domain.models import AuditEvent, Conversation, Message
from chat_widget.live_chat.errors import (
    AgentUnavailable,
    ChatNotFound,
    InvalidChatState,
    NotAssignedAgent,
)
from chat_widget.live_chat.messaging import mark_read
from chat_widget.live_chat.queue import active_chat_count, waiting_queue
from chat_widget.live_chat.records import ChatRequest, LiveChatStatus
from chat_widget.live_chat.system_messages import post_system_message
from chat_widget.observability import metrics

#: The audit action of a chat an agent sent back to the queue (live_chat.handoff).
REQUEUE = "chat.requeue"

#: Reasons an agent may pick when closing; free text goes in an internal note.
CLOSE_REASONS = ("resolved", "customer_left", "no_response", "redirected", "other")


def _agent(session: Session, agent_id: str) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None or not agent.active or Role.AGENT.value not in agent.roles:
        raise AgentUnavailable(agent_id)
    return agent


def _ensure_room(session: Session, agent: Agent, *, need_available: bool) -> None:
    if agent.presence == Presence.OFFLINE or (
        need_available and agent.presence != Presence.AVAILABLE
    ):
        raise AgentUnavailable(f"{agent.username} is {agent.presence}")
    if active_chat_count(session=session, agent_id=agent.id) >= agent.capacity:
        raise AgentUnavailable(f"{agent.username} is at capacity")


def _claim(session: Session, conversation_id: str, agent_id: str, now: datetime) -> bool:
    statement = (
        update(ChatRequest)
        .where(
            col(ChatRequest.conversation_id) == conversation_id,
            col(ChatRequest.agent_id).is_(None),
            col(ChatRequest.closed_at).is_(None),
        )
        .values(agent_id=agent_id, accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    won = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
    if not won:
        session.rollback()
    return won


def _start(session: Session, conversation_id: str, agent: Agent) -> Message:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise ChatNotFound(conversation_id)
    session.refresh(conversation)
    conversation.status = LiveChatStatus.ACTIVE.value
    conversation.updated_at = utcnow()
    session.add(conversation)
    request = session.get(ChatRequest, conversation_id)
    if request is not None:
        session.refresh(request)
        metrics.chat_wait((utcnow() - as_aware(request.requested_at)).total_seconds())
    return post_system_message(
        session=session,
        conversation_id=conversation_id,
        event="agent_joined",
        name=agent.first_name,
    )


def accept(
    *, session: Session, agent_id: str, conversation_id: str, now: datetime | None = None
) -> bool:
    """Take a waiting chat. True for the one agent who won it, False if someone was faster.

    Commits on success (claim, status and the "joined" notice together). The agent who accepts
    opens the chat at once, so everything up to their own "joined" notice counts as read: a
    chat they turn away from within a second never shows their own notice as new.
    """
    agent = _agent(session, agent_id)
    _ensure_room(session, agent, need_available=False)
    if session.get(ChatRequest, conversation_id) is None:
        raise ChatNotFound(conversation_id)
    if not _claim(session, conversation_id, agent.id, now or utcnow()):
        return False
    joined = _start(session, conversation_id, agent)
    mark_read(
        session=session,
        conversation_id=conversation_id,
        participant_kind="agent",
        participant_id=agent.id,
        seq=joined.seq,
    )
    session.commit()
    return True


def assign(
    *,
    session: Session,
    by_agent_id: str,
    conversation_id: str,
    to_agent_id: str,
    now: datetime | None = None,
) -> bool:
    """A supervisor (admin role) hands a waiting chat to an agent; audited. Same race rules."""
    supervisor = session.get(Agent, by_agent_id)
    if supervisor is None or Role.ADMIN.value not in supervisor.roles:
        raise NotAssignedAgent("only an admin may assign chats")
    agent = _agent(session, to_agent_id)
    _ensure_room(session, agent, need_available=False)
    if session.get(ChatRequest, conversation_id) is None:
        raise ChatNotFound(conversation_id)
    if not _claim(session, conversation_id, agent.id, now or utcnow()):
        return False
    record(
        session=session,
        actor_kind="agent",
        actor_id=by_agent_id,
        action="chat.assign",
        target_type="conversation",
        target_id=conversation_id,
        details={"to": to_agent_id},
    )
    _start(session, conversation_id, agent)
    return True


def next_for_agent(*, session: Session, agent_id: str) -> str | None:
    """The chat this agent should take next: longest waiting in one of their languages."""
    agent = _agent(session, agent_id)
    entries = waiting_queue(session=session, languages=list(agent.languages))
    return entries[0].conversation_id if entries else None


@dataclass(frozen=True, slots=True)
class _Candidate:
    id: str
    capacity: int
    languages: frozenset[str]
    since: datetime


def route_waiting(*, session: Session, now: datetime | None = None) -> list[tuple[str, str]]:
    """Auto-route: give each waiting chat, oldest first, to the least-loaded available agent
    who speaks its language and has room (ties: the one who became available earliest).
    Returns ``(conversation_id, agent_id)`` pairs actually claimed.

    The queue is read first (a pass runs every second; usually nobody waits), then agents
    and their loads once per pass.
    """
    now = now or utcnow()
    waiting = waiting_queue(session=session, now=now)
    if not waiting:
        return []  # the usual case: a round every second must cost one query then
    # Plain snapshots: every routed chat commits, which would expire ORM rows and re-read them.
    agents = [
        _Candidate(a.id, a.capacity, frozenset(a.languages), a.presence_changed_at)
        for a in session.exec(
            select(Agent).where(
                Agent.presence == Presence.AVAILABLE.value, col(Agent.active).is_(True)
            )
        ).all()
        if Role.AGENT.value in a.roles and a.capacity > 0
    ]
    load = {a.id: active_chat_count(session=session, agent_id=a.id) for a in agents}
    agents = [a for a in agents if load[a.id] < a.capacity]
    routed: list[tuple[str, str]] = []
    if not agents:
        return routed
    # A chat an agent sent back to the queue must not bounce straight back to them.
    released = released_by(session=session, conversation_ids=[e.conversation_id for e in waiting])
    for entry in waiting:
        candidates = [
            a
            for a in agents
            if entry.language in a.languages
            and load[a.id] < a.capacity
            and a.id != released.get(entry.conversation_id)
        ]
        if not candidates:
            continue
        chosen = min(candidates, key=lambda a: (load[a.id] / a.capacity, a.since, a.id))
        if _claim(session, entry.conversation_id, chosen.id, now):
            _start(session, entry.conversation_id, _agent(session, chosen.id))
            load[chosen.id] += 1
            routed.append((entry.conversation_id, chosen.id))
        if all(load[a.id] >= a.capacity for a in agents):
            break
    return routed


#: Key of the PostgreSQL advisory lock that lets one worker at a time run a routing round.
ROUTING_LOCK_KEY = 0x6377_726F  # "cwro"
_local_routing = threading.Lock()


def route_round(*, engine: Engine, now: datetime | None = None) -> list[tuple[str, str]]:
    """One automatic routing pass, run by at most one worker at a time.

    Claims are race-safe on their own (conditional UPDATE), but two workers computing "the
    least-loaded agent" at the same moment could both pick the same agent and push them one
    chat over capacity. On PostgreSQL an advisory lock, held on its own connection because
    every routed chat commits, serialises rounds; a worker that does not get it skips, as the
    holder routes everything waiting. SQLite serves one worker process: a lock in memory does.
    Returns the ``(conversation_id, agent_id)`` pairs routed.
    """
    with _routing_turn(engine) as mine:
        if not mine:
            return []
        with Session(engine) as session:
            return route_waiting(session=session, now=now)


@contextmanager
def _routing_turn(engine: Engine) -> Iterator[bool]:
    """True for the one caller allowed to route now; never waits for the others."""
    if engine.dialect.name != "postgresql":
        got = _local_routing.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                _local_routing.release()
        return
    with engine.connect() as lock_conn:
        key = {"key": ROUTING_LOCK_KEY}
        got = bool(lock_conn.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar())
        try:
            yield got
        finally:
            if got:
                lock_conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                lock_conn.commit()


def _held_by(session: Session, conversation_id: str, agent_id: str) -> ChatRequest:
    request = session.get(ChatRequest, conversation_id)
    if request is None:
        raise ChatNotFound(conversation_id)
    session.refresh(request)
    if request.agent_id != agent_id:
        raise NotAssignedAgent(f"{agent_id} does not hold {conversation_id}")
    if request.closed_at is not None:
        raise InvalidChatState("chat is closed")
    return request


def transfer(
    *,
    session: Session,
    conversation_id: str,
    from_agent_id: str,
    to_agent_id: str,
    now: datetime | None = None,
) -> None:
    """Hand an active chat to a colleague (not offline, with room). Commits; audited."""
    _held_by(session, conversation_id, from_agent_id)
    source = _agent(session, from_agent_id)
    target = _agent(session, to_agent_id)
    if target.id == source.id:
        raise InvalidChatState("cannot transfer to oneself")
    _ensure_room(session, target, need_available=False)
    statement = (
        update(ChatRequest)
        .where(
            col(ChatRequest.conversation_id) == conversation_id,
            col(ChatRequest.agent_id) == from_agent_id,
            col(ChatRequest.closed_at).is_(None),
        )
        .values(agent_id=to_agent_id)
        .execution_options(synchronize_session=False)
    )
    if session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise NotAssignedAgent("chat changed hands meanwhile")
    record(
        session=session,
        actor_kind="agent",
        actor_id=from_agent_id,
        action="chat.transfer",
        target_type="conversation",
        target_id=conversation_id,
        details={"to": to_agent_id},
    )
    post_system_message(
        session=session, conversation_id=conversation_id, event="agent_left", name=source.first_name
    )
    post_system_message(
        session=session,
        conversation_id=conversation_id,
        event="agent_joined",
        name=target.first_name,
    )


def close(
    *,
    session: Session,
    conversation_id: str,
    agent_id: str,
    reason: str,
    now: datetime | None = None,
) -> None:
    """The holding agent ends the chat with one of ``CLOSE_REASONS``. Commits."""
    if reason not in CLOSE_REASONS:
        raise ValueError(f"reason must be one of {CLOSE_REASONS}")
    request = _held_by(session, conversation_id, agent_id)
    agent = _agent(session, agent_id)
    _close(session, request, reason, f"agent:{agent_id}", now or utcnow())
    post_system_message(
        session=session, conversation_id=conversation_id, event="agent_left", name=agent.first_name
    )
    post_system_message(session=session, conversation_id=conversation_id, event="closed")


def close_by_customer(
    *, session: Session, conversation_id: str, customer_id: str, now: datetime | None = None
) -> None:
    """The customer ends an active (or waiting) chat. Commits."""
    request = session.get(ChatRequest, conversation_id)
    if request is None or request.customer_id != customer_id:
        raise ChatNotFound(conversation_id)
    if request.closed_at is not None:
        return  # ending twice is harmless (double click, resend)
    _close(session, request, "customer_left", f"customer:{customer_id}", now or utcnow())
    post_system_message(session=session, conversation_id=conversation_id, event="closed")


def _close(session: Session, request: ChatRequest, reason: str, by: str, now: datetime) -> None:
    conversation = session.get(Conversation, request.conversation_id)
    if conversation is None:
        raise ChatNotFound(request.conversation_id)
    request.closed_at = now
    request.close_reason = reason
    request.closed_by = by
    conversation.status = LiveChatStatus.CLOSED.value
    conversation.closed_at = utcnow()
    conversation.updated_at = utcnow()
    session.add_all([request, conversation])
    session.flush()


def active_chats_for_agent(*, session: Session, agent_id: str) -> list[Conversation]:
    """The chats an agent holds now (the console shows several at once)."""
    return list(session.exec(_held_by_agent(), params={"b_agent_id": agent_id}).all())


@cache
def _held_by_agent() -> SelectOfScalar[Conversation]:
    """Built once (the console runs it at every wake-up; building cost more than running)."""
    return (
        select(Conversation)
        .join(ChatRequest, col(ChatRequest.conversation_id) == col(Conversation.id))
        .where(
            col(ChatRequest.agent_id) == bindparam("b_agent_id"),
            col(ChatRequest.closed_at).is_(None),
        )
        .order_by(col(ChatRequest.accepted_at))
    )


def released_by(*, session: Session, conversation_ids: Iterable[str]) -> dict[str, str]:
    """For chats sent back to the queue: who sent each one back last (routing skips them)."""
    ids = list(conversation_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(AuditEvent.target_id, AuditEvent.actor_id)
        .where(col(AuditEvent.action) == REQUEUE, col(AuditEvent.target_id).in_(ids))
        .order_by(col(AuditEvent.at))
    ).all()
    return dict(rows)
