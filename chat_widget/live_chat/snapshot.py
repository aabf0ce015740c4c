"""The live-chat figures read at scrape time: they belong to the system, not to one worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from chat_widget.agents.records import Agent, Presence, Role
from chat_widget.domain.clock import as_aware, utcnow
from chat_widget.domain.models import Conversation
from chat_widget.live_chat.records import ChatRequest, LiveChatStatus
from chat_widget.observability.metrics import LiveChatSnapshot


def live_chat_snapshot(engine: Engine, now: datetime | None = None) -> LiveChatSnapshot:
    """Two small queries: waiting chats (count, oldest request) and available agents."""
    now = now or utcnow()
    with Session(engine) as session:
        waiting, oldest = session.exec(
            select(func.count(), func.min(ChatRequest.requested_at)).where(
                ChatRequest.conversation_id == Conversation.id,
                Conversation.status == LiveChatStatus.WAITING.value,
                col(ChatRequest.agent_id).is_(None),
            )
        ).one()
        agents = session.exec(
            select(Agent.roles).where(
                Agent.presence == Presence.AVAILABLE.value, col(Agent.active).is_(True)
            )
        ).all()
    available = sum(1 for roles in agents if Role.AGENT.value in (roles or []))
    oldest_wait = (now - as_aware(oldest)).total_seconds() if oldest is not None else 0.0
    return LiveChatSnapshot(int(waiting), max(0.0, oldest_wait), available)
