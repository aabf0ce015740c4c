from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.agents import Role
from chat_widget.audit import install_audit_guards
from chat_widget.conversations import append_message, start_conversation
from chat_widget.domain.models import AuditEvent, Channel, ConsentRecord, Conversation
from chat_widget.live_chat import (
    NotAssignedAgent,
    accept,
    customer_context,
    open_transcript,
    request_chat,
)
from chat_widget.live_chat.canned import replies_for_chat
from chat_widget.live_chat.transcripts import ConsoleTranscript, transcript_for_console
from chat_widget.privacy.device import device_data_visible

from .helpers import make_agent, make_customer


def _history(engine: Engine, customer: str) -> tuple[str, str]:
    with session_scope(engine) as session:
        bot = start_conversation(
            session=session,
            customer_id=customer,
            channel=Channel.ASSISTANT,
            locale="fr",
            topic="cards",
        )
        bot.summary = "Carte bloquée à l'étranger; le client veut la débloquer."
        claim = start_conversation(
            session=session, customer_id=customer, channel=Channel.CLAIM, locale="fr", topic="car"
        )
        claim.summary = "Sinistre auto du 3 novembre."
        session.flush()
        append_message(
            session=session,
            conversation_id=bot.id,
            client_msg_id="q",
            author_kind="customer",
            author_id=customer,
            body="Ma carte ne marche pas",
        )
        append_message(
            session=session,
            conversation_id=bot.id,
            client_msg_id="r",
            author_kind="assistant",
            author_id=None,
            body="Je vous passe un conseiller",
        )
        return bot.id, claim.id


def test_context_shows_handover_and_earlier_sessions(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    bot_id, claim_id = _history(db_engine, customer)
    agent = make_agent(db_engine, "sophie")
    other = make_agent(db_engine, "bob")
    with session_scope(db_engine) as session:
        chat = request_chat(
            session=session,
            customer_id=customer,
            locale="fr",
            topic="cards",
            page_url="https://bank.test/cards",
            source_conversation_id=bot_id,
        )
        chat_id = chat.id
    with session_scope(db_engine) as session:
        assert accept(session=session, agent_id=agent, conversation_id=chat_id)
        ctx = customer_context(session=session, agent_id=agent, conversation_id=chat_id)
        assert ctx.handover_summary is not None and ctx.handover_summary.startswith("Carte bloquée")
        assert (ctx.topic, ctx.page_url, ctx.language) == ("cards", "https://bank.test/cards", "fr")
        assert {s.conversation_id: s.channel for s in ctx.earlier_sessions} == {
            bot_id: "assistant",
            claim_id: "claim",
        }
        assert ctx.device_data_visible is False
        with pytest.raises(NotAssignedAgent):
            customer_context(session=session, agent_id=other, conversation_id=chat_id)


def test_device_data_follows_latest_consent(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    with session_scope(db_engine) as session:
        assert not device_data_visible(session=session, customer_id=customer)
        session.add(
            ConsentRecord(
                customer_id=customer,
                purpose="device_data",
                notice_version="1",
                locale="fr",
                granted=True,
            )
        )
        session.add(
            ConsentRecord(
                customer_id=customer,
                purpose="analytics",
                notice_version="1",
                locale="fr",
                granted=False,
            )
        )
    with session_scope(db_engine) as session:
        assert device_data_visible(session=session, customer_id=customer)
        session.add(
            ConsentRecord(
                customer_id=customer,
                purpose="device_data",
                notice_version="2",
                locale="fr",
                granted=False,
            )
        )
    with session_scope(db_engine) as session:
        assert not device_data_visible(session=session, customer_id=customer)


def test_open_transcript_is_audited_before_it_is_returned(db_engine: Engine) -> None:
    install_audit_guards(db_engine)
    customer = make_customer(db_engine)
    bot_id, _ = _history(db_engine, customer)
    agent = make_agent(db_engine, "sophie")
    stranger = make_agent(db_engine, "bob")
    admin = make_agent(db_engine, "root", roles=(Role.ADMIN,))
    with session_scope(db_engine) as session:
        chat_id = request_chat(session=session, customer_id=customer, locale="fr").id
    with session_scope(db_engine) as session:
        assert accept(session=session, agent_id=agent, conversation_id=chat_id)
        with pytest.raises(ValueError):
            open_transcript(session=session, agent_id=agent, conversation_id=bot_id, reason=" ")
        with pytest.raises(NotAssignedAgent):  # not serving this customer
            open_transcript(
                session=session, agent_id=stranger, conversation_id=bot_id, reason="curious"
            )
        transcript = open_transcript(
            session=session,
            agent_id=agent,
            conversation_id=bot_id,
            reason="customer refers to earlier chat",
        )
        # The audit row is already committed: visible from another connection right now.
        with session_scope(db_engine) as other:
            rows = other.exec(
                select(AuditEvent).where(AuditEvent.action == "transcript.open")
            ).all()
            assert [(r.actor_id, r.target_id, r.reason) for r in rows] == [
                (agent, bot_id, "customer refers to earlier chat")
            ]
    assert "Client: Ma carte ne marche pas" in transcript
    assert "Assistant digital: Je vous passe un conseiller" in transcript
    with session_scope(db_engine) as session:
        open_transcript(
            session=session, agent_id=admin, conversation_id=bot_id, reason="audit check"
        )
        assert len(session.exec(select(AuditEvent)).all()) == 2
        conv = session.get(Conversation, bot_id)
        assert conv is not None


def test_console_transcript_says_why_not_in_the_catalogs_words(db_engine: Engine) -> None:
    """The console's use case (transcripts.transcript_for_console): a short reason and a
    refusal become catalog keys; an allowed one returns the text."""
    customer = make_customer(db_engine)
    bot_id, _ = _history(db_engine, customer)
    agent = make_agent(db_engine, "sophie")
    stranger = make_agent(db_engine, "bob")
    with session_scope(db_engine) as session:
        chat_id = request_chat(session=session, customer_id=customer, locale="fr").id
    with session_scope(db_engine) as session:
        assert accept(session=session, agent_id=agent, conversation_id=chat_id)
        short = transcript_for_console(
            session=session, agent_id=agent, conversation_id=bot_id, reason=" ab "
        )
        denied = transcript_for_console(
            session=session, agent_id=stranger, conversation_id=bot_id, reason="curious"
        )
        shown = transcript_for_console(
            session=session, agent_id=agent, conversation_id=bot_id, reason="earlier chat"
        )
    assert short == ConsoleTranscript(error_key="agent.transcript_reason_short")
    assert denied == ConsoleTranscript(error_key="agent.transcript_denied")
    assert shown.error_key == "" and "Client: Ma carte ne marche pas" in shown.text


def test_console_canned_replies_without_a_known_first_name(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    with session_scope(db_engine) as session:
        replies = replies_for_chat(
            session=session, customer_id=customer, language="fr", agent="Sophie", topic=""
        )
    assert replies and all("{first_name}" not in r.text for r in replies)
    assert any("Sophie" in r.text for r in replies)
