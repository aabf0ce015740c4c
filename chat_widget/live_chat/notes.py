"""Internal notes: agent-to-agent remarks on a chat, never shown to the customer."""

from __future__ import annotations

from sqlmodel import Session, col, select

from chat_widget.agents.records import Agent, Role
from chat_widget.conversations import get_conversation
from chat_widget.live_chat.errors import ChatNotFound, NotAssignedAgent
from chat_widget.live_chat.records import InternalNote


def add_note(*, session: Session, conversation_id: str, agent_id: str, body: str) -> InternalNote:
    """Flushes; committed by the caller's scope."""
    agent = session.get(Agent, agent_id)
    if agent is None or not agent.active or Role.AGENT.value not in agent.roles:
        raise NotAssignedAgent(agent_id)
    if get_conversation(session=session, conversation_id=conversation_id) is None:
        raise ChatNotFound(conversation_id)
    text = body.strip()
    if not text:
        raise ValueError("empty note")
    note = InternalNote(conversation_id=conversation_id, agent_id=agent_id, body=text[:4000])
    session.add(note)
    session.flush()
    return note


def notes_for(*, session: Session, conversation_id: str) -> list[InternalNote]:
    query = (
        select(InternalNote)
        .where(InternalNote.conversation_id == conversation_id)
        .order_by(col(InternalNote.created_at), col(InternalNote.id))
    )
    return list(session.exec(query).all())
