"""Transfer with a note: to a colleague or back to a language queue (live_chat.handoff)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.conversations import messages_since
from chat_widget.domain.models import AuditEvent, Conversation
from chat_widget.live_chat import (
    AgentUnavailable,
    InvalidChatState,
    NotAssignedAgent,
    accept,
    active_chats_for_agent,
    notes_for,
    route_waiting,
    waiting_queue,
)
from chat_widget.live_chat.handoff import Target, notes_with_authors, transfer_chat
from chat_widget.live_chat.records import ChatRequest
from tests.conftest import ManualClock

from .helpers import make_agent, make_chat, make_customer


def test_target_parsing_refuses_anything_else() -> None:
    assert Target.parse("agent:abc") == Target(agent_id="abc")
    assert Target.parse("queue:nl") == Target(language="nl")
    for bad in ("queue:xx", "agent:", "team:fr", "", "queue"):
        with pytest.raises(ValueError):
            Target.parse(bad)


def test_to_a_colleague_with_a_note_the_receiver_reads(db_engine: Engine) -> None:
    conv_id = make_chat(db_engine, make_customer(db_engine))
    ann = make_agent(db_engine, "ann")
    bob = make_agent(db_engine, "bob")
    off = make_agent(db_engine, "olaf", presence="offline")
    with session_scope(db_engine) as session:
        assert accept(session=session, agent_id=ann, conversation_id=conv_id)
    # Refusals write nothing, not even the note.
    for who, to, error in (
        (ann, off, AgentUnavailable),
        (ann, ann, InvalidChatState),
        (bob, ann, NotAssignedAgent),
    ):
        with pytest.raises(error), session_scope(db_engine) as session:
            transfer_chat(
                session=session,
                conversation_id=conv_id,
                from_agent_id=who,
                target=Target(agent_id=to),
                note="should not stay",
            )
    with session_scope(db_engine) as session:
        assert notes_for(session=session, conversation_id=conv_id) == []
        transfer_chat(
            session=session,
            conversation_id=conv_id,
            from_agent_id=ann,
            target=Target(agent_id=bob),
            note="  Carte bloquée à l'étranger,\n client vérifié  ",
        )
    with session_scope(db_engine) as session:
        assert [c.id for c in active_chats_for_agent(session=session, agent_id=bob)] == [conv_id]
        notes = notes_with_authors(session=session, conversation_id=conv_id)
        assert [(n.body, n.author, n.handover) for n in notes] == [
            ("Carte bloquée à l'étranger, client vérifié", "Ann Test", True)
        ]
        actions = {
            e.action: e.details
            for e in session.exec(select(AuditEvent).where(AuditEvent.target_id == conv_id)).all()
        }
        assert actions["chat.transfer"] == {"to": bob}
        assert actions["chat.transfer_note"] == {"to": bob, "note_id": notes[0].id}
        # The audit names the note, never copies its text.
        assert "Carte" not in str(actions)


def test_to_a_queue_keeps_the_customers_place_and_does_not_bounce_back(
    db_engine: Engine, pinned_clock: ManualClock
) -> None:
    customer = make_customer(db_engine)
    conv_id = make_chat(db_engine, customer, "fr")
    ann = make_agent(db_engine, "ann", ["fr", "nl"])
    with session_scope(db_engine) as session:
        requested = session.get(ChatRequest, conv_id).requested_at  # type: ignore[union-attr]
        assert accept(session=session, agent_id=ann, conversation_id=conv_id)
    with session_scope(db_engine) as session:
        transfer_chat(
            session=session,
            conversation_id=conv_id,
            from_agent_id=ann,
            target=Target(language="nl"),
            note="Préfère le néerlandais",
        )
    with session_scope(db_engine) as session:
        conv = session.get(Conversation, conv_id)
        assert conv is not None and conv.status == "waiting"
        request = session.get(ChatRequest, conv_id)
        assert request is not None and request.agent_id is None
        assert (request.language, request.requested_at) == ("nl", requested)
        assert [e.conversation_id for e in waiting_queue(session=session, languages=["nl"])] == [
            conv_id
        ]
        events = [
            m.meta.get("event")
            for m in messages_since(session=session, conversation_id=conv_id)
            if m.author_kind == "system"
        ]
        assert events[-1] == "agent_left"
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "chat.requeue")).one()
        assert audit.details["language"] == "nl" and audit.details["from_language"] == "fr"
        # Automatic routing does not hand it straight back to Ann…
        assert route_waiting(session=session) == []
    bea = make_agent(db_engine, "bea", ["nl"])
    with session_scope(db_engine) as session:
        # …but to a colleague who speaks the language, who sees the note.
        assert route_waiting(session=session) == [(conv_id, bea)]
        notes = notes_with_authors(session=session, conversation_id=conv_id)
        assert [(n.body, n.handover) for n in notes] == [("Préfère le néerlandais", True)]
    with pytest.raises(NotAssignedAgent), session_scope(db_engine) as session:
        transfer_chat(
            session=session,
            conversation_id=conv_id,
            from_agent_id=ann,
            target=Target(language="fr"),
        )
