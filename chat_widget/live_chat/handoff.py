"""Hand a chat on: to a colleague, or back to a language queue, with a note for whoever takes it.

The note is an internal note (``live_chat.notes``: its own table, never replayed to the
customer), so the receiving agent finds it with the chat's other notes; the audit event names
the note, not its text. Going back to the queue keeps the customer's original request time,
so they are not sent to the back of the line for the bank's internal reshuffle, and automatic
routing does not hand the chat straight back to the agent who just let it go
(:func:`released_by`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from chat_widget.agents.records import Agent
from chat_widget.audit import record
from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import AuditEvent, Conversation
from chat_widget.i18n import LOCALES
from chat_widget.live_chat.errors import InvalidChatState, NotAssignedAgent
from chat_widget.live_chat.notes import add_note, notes_for
from chat_widget.live_chat.records import ChatRequest, InternalNote, LiveChatStatus
from chat_widget.live_chat.routing import REQUEUE, _agent, _ensure_room, _held_by, transfer
from chat_widget.live_chat.system_messages import post_system_message

QUEUE_LANGUAGES = LOCALES
NOTE_MAX = 1000


@dataclass(frozen=True)
class Target:
    """Where a chat goes: a colleague (``agent_id``) or the queue of ``language``."""

    agent_id: str = ""
    language: str = ""

    @classmethod
    def parse(cls, value: str) -> Target:
        """The console's select value: ``agent:<id>`` or ``queue:<language>``."""
        kind, _, rest = value.partition(":")
        if kind == "agent" and rest:
            return cls(agent_id=rest)
        if kind == "queue" and rest in QUEUE_LANGUAGES:
            return cls(language=rest)
        raise ValueError(f"not a transfer target: {value!r}")


def _clean_note(note: str) -> str:
    return " ".join(note.split())[:NOTE_MAX] if note.strip() else ""


def transfer_chat(
    *,
    session: Session,
    conversation_id: str,
    from_agent_id: str,
    target: Target,
    note: str = "",
    now: datetime | None = None,
) -> None:
    """Move an active chat the agent holds to ``target``; the note goes with it. Commits.

    Raises ``AgentUnavailable`` (colleague offline, full or not an agent), ``NotAssignedAgent``
    (the chat is not, or no longer, theirs) or ``InvalidChatState`` (closed, or to oneself)."""
    text = _clean_note(note)
    if target.agent_id:
        # Every check first, then the note, then routing.transfer, which claims, audits and
        # commits: the note and the move are saved together or not at all.
        _validate_colleague(session, conversation_id, from_agent_id, target.agent_id)
        note_row = _note(session, conversation_id, from_agent_id, text)
        if note_row is not None:
            record(
                session=session,
                actor_kind="agent",
                actor_id=from_agent_id,
                action="chat.transfer_note",
                target_type="conversation",
                target_id=conversation_id,
                details={"to": target.agent_id, "note_id": note_row.id},
            )
        transfer(
            session=session,
            conversation_id=conversation_id,
            from_agent_id=from_agent_id,
            to_agent_id=target.agent_id,
            now=now,
        )
        return
    _requeue(session, conversation_id, from_agent_id, target.language, text)


def _validate_colleague(
    session: Session, conversation_id: str, from_agent_id: str, to_agent_id: str
) -> None:
    # routing.transfer checks the same, but only after the note was written.
    _held_by(session, conversation_id, from_agent_id)
    if to_agent_id == from_agent_id:
        raise InvalidChatState("cannot transfer to oneself")
    _ensure_room(session, _agent(session, to_agent_id), need_available=False)


def _note(session: Session, conversation_id: str, agent_id: str, text: str) -> InternalNote | None:
    if not text:
        return None
    return add_note(session=session, conversation_id=conversation_id, agent_id=agent_id, body=text)


def _requeue(
    session: Session, conversation_id: str, agent_id: str, language: str, text: str
) -> None:
    request = _held_by(session, conversation_id, agent_id)
    agent = _agent(session, agent_id)
    if language not in QUEUE_LANGUAGES:
        raise InvalidChatState(f"no queue for {language!r}")
    statement = (
        update(ChatRequest)
        .where(
            col(ChatRequest.conversation_id) == conversation_id,
            col(ChatRequest.agent_id) == agent_id,
            col(ChatRequest.closed_at).is_(None),
        )
        .values(agent_id=None, accepted_at=None, language=language)
        .execution_options(synchronize_session=False)
    )
    if session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise NotAssignedAgent("chat changed hands meanwhile")
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        session.refresh(conversation)
        conversation.status = LiveChatStatus.WAITING.value
        conversation.updated_at = utcnow()
        session.add(conversation)
    note_row = _note(session, conversation_id, agent_id, text)
    record(
        session=session,
        actor_kind="agent",
        actor_id=agent_id,
        action=REQUEUE,
        target_type="conversation",
        target_id=conversation_id,
        details={
            "from_language": request.language,
            "language": language,
            "note_id": note_row.id if note_row else None,
        },
    )
    post_system_message(
        session=session, conversation_id=conversation_id, event="agent_left", name=agent.first_name
    )


@dataclass(frozen=True)
class NoteView:
    id: str
    body: str
    author: str
    #: written when the chat was handed on (the receiving agent should read it first)
    handover: bool


def notes_with_authors(*, session: Session, conversation_id: str) -> list[NoteView]:
    """The chat's internal notes, each with its author and whether it came with a transfer."""
    notes = notes_for(session=session, conversation_id=conversation_id)
    if not notes:
        return []
    handed = {
        str((e.details or {}).get("note_id"))
        for e in session.exec(
            select(AuditEvent).where(
                col(AuditEvent.target_id) == conversation_id,
                col(AuditEvent.action).in_([REQUEUE, "chat.transfer_note"]),
            )
        ).all()
    }
    names = {
        a.id: a.display_name
        for a in session.exec(
            select(Agent).where(col(Agent.id).in_({n.agent_id for n in notes}))
        ).all()
    }
    return [NoteView(n.id, n.body, names.get(n.agent_id, ""), n.id in handed) for n in notes]
