"""Live figures: who is waiting now, for how long, and which agents are there to answer.

Read on page load and on a modest timer by the supervisor view; three small aggregate
queries, whatever the size of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from chat_widget.agents.records import Agent, Presence, Role
from chat_widget.domain.clock import as_aware, utcnow
from chat_widget.domain.models import Conversation
from chat_widget.live_chat.records import ChatRequest, LiveChatStatus
from chat_widget.supervision.stats import seconds


@dataclass(frozen=True)
class QueueLine:
    """Customers waiting for an agent speaking ``language``."""

    language: str
    waiting: int
    longest_wait: int  # seconds


@dataclass(frozen=True)
class AgentLoad:
    agent_id: str
    name: str
    presence: str
    active_chats: int
    capacity: int


@dataclass(frozen=True)
class LiveFigures:
    at: datetime
    queue: tuple[QueueLine, ...]
    presence: tuple[tuple[str, int], ...]  # every Presence value, in its order, with a count
    agents: tuple[AgentLoad, ...]

    @property
    def waiting(self) -> int:
        return sum(line.waiting for line in self.queue)

    @property
    def longest_wait(self) -> int | None:
        return max((line.longest_wait for line in self.queue), default=None)

    @property
    def active_chats(self) -> int:
        return sum(a.active_chats for a in self.agents)


def live_figures(*, session: Session, now: datetime | None = None) -> LiveFigures:
    """The queue per language and the agents who are not offline (or still hold chats)."""
    now = as_aware(now or utcnow())
    waiting = session.exec(
        select(ChatRequest.language, func.count(), func.min(ChatRequest.requested_at))
        .where(
            ChatRequest.conversation_id == Conversation.id,
            Conversation.status == LiveChatStatus.WAITING.value,
            col(ChatRequest.agent_id).is_(None),
        )
        .group_by(ChatRequest.language)
        .order_by(ChatRequest.language)
    ).all()
    queue = tuple(
        QueueLine(language, int(count), seconds(as_aware(oldest), now))
        for language, count, oldest in waiting
    )
    held = dict(
        session.exec(
            select(ChatRequest.agent_id, func.count())
            .where(col(ChatRequest.agent_id).is_not(None), col(ChatRequest.closed_at).is_(None))
            .group_by(ChatRequest.agent_id)
        ).all()
    )
    # Roles are a JSON list: filtered here rather than with dialect-specific JSON operators.
    staff = [
        a
        for a in session.exec(select(Agent).where(col(Agent.active).is_(True))).all()
        if Role.AGENT.value in a.roles
    ]
    order = [p.value for p in Presence]
    counts = {p: 0 for p in order}
    for agent in staff:
        counts[agent.presence if agent.presence in counts else Presence.OFFLINE.value] += 1
    shown = [a for a in staff if a.presence != Presence.OFFLINE.value or held.get(a.id)]
    shown.sort(
        key=lambda a: (order.index(a.presence) if a.presence in order else 99, a.display_name)
    )
    return LiveFigures(
        at=now,
        queue=queue,
        presence=tuple((p, counts[p]) for p in order),
        agents=tuple(
            AgentLoad(a.id, a.display_name, a.presence, int(held.get(a.id, 0)), a.capacity)
            for a in shown
        ),
    )
