"""Resuming after the server lost a tab's state: what the views rebuild from the database,
and the outbox of messages typed offline (original ids, sent once, refusals reported)."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from chat_widget.adapters.db import session_scope
from chat_widget.domain.models import Message
from chat_widget.live_chat import resume
from tests.integration.live_chat.helpers import make_agent, make_customer
from tests.integration.live_chat.test_sides import _active_chat


def test_a_fresh_widget_reopens_the_customers_chat_not_someone_elses(db_engine: Engine) -> None:
    customer, _, _ = _active_chat(db_engine)
    stranger = make_customer(db_engine)
    with session_scope(db_engine) as s:
        assert resume.widget_view(session=s, customer_id=customer, last_view="home") == "live_chat"
        assert resume.widget_view(session=s, customer_id=customer, last_view="claim") == "claim"
        assert resume.widget_view(session=s, customer_id=stranger, last_view="home") == "home"
        # A forged view name is not a view.
        assert resume.widget_view(session=s, customer_id=stranger, last_view="<x>") == "home"


def test_a_fresh_console_reselects_a_held_chat_only(db_engine: Engine) -> None:
    _, agent, chat = _active_chat(db_engine)
    other = make_agent(db_engine, "pieter")
    with session_scope(db_engine) as s:
        assert resume.console_chat(session=s, agent_id=agent, wanted=chat) == chat
        assert resume.console_chat(session=s, agent_id=agent, wanted="") == chat
        assert resume.console_chat(session=s, agent_id=agent, wanted="forged") == chat
        assert resume.console_chat(session=s, agent_id=other, wanted=chat) == ""


def test_parse_outbox_drops_what_is_malformed() -> None:
    raw = json.dumps(
        [
            {"id": "a1", "text": " bonjour "},
            {"id": "", "text": "no id"},
            {"id": "x" * 65, "text": "id too long"},
            {"id": "a2", "text": "   "},
            {"id": "a3", "text": 5},
            "not an object",
            {"id": "a4", "text": "for a chat", "conv": "c1"},
        ]
    )
    assert resume.parse_outbox(raw) == [
        resume.QueuedSend("a1", "bonjour"),
        resume.QueuedSend("a4", "for a chat", "c1"),
    ]
    assert resume.parse_outbox("{") == []
    assert resume.parse_outbox(None) == []


def test_outbox_sends_once_with_the_original_ids(db_engine: Engine) -> None:
    customer, agent, chat = _active_chat(db_engine)
    queued = [resume.QueuedSend("out-1", "typed offline"), resume.QueuedSend("out-2", "and again")]
    with session_scope(db_engine) as s:
        first = resume.customer_outbox(customer, chat, queued, "fr", s)
    # The browser did not hear the answer (connection dropped again) and sends the same batch.
    with session_scope(db_engine) as s:
        again = resume.customer_outbox(customer, chat, queued, "fr", s)
    assert [o.outcome for o in first] == ["sent", "sent"]
    assert [o.outcome for o in again] == ["sent", "sent"]
    assert [o.message.id for o in first] == [o.message.id for o in again]  # type: ignore[union-attr]
    with session_scope(db_engine) as s:
        bodies = s.exec(
            select(Message.body).where(
                Message.conversation_id == chat, col(Message.client_msg_id).in_(["out-1", "out-2"])
            )
        ).all()
    assert sorted(bodies) == ["and again", "typed offline"]
    # The agent's outbox: a chat they do not hold is refused, not guessed.
    with session_scope(db_engine) as s:
        replies = resume.agent_outbox(
            agent,
            chat,
            [resume.QueuedSend("rep-1", "réponse"), resume.QueuedSend("rep-2", "ailleurs", "nope")],
            "fr",
            s,
        )
    assert [o.outcome for o in replies] == ["sent", "failed"]


def test_outbox_reports_a_guard_block_as_failed(db_engine: Engine) -> None:
    customer, _, chat = _active_chat(db_engine)
    with session_scope(db_engine) as s:
        [outcome] = resume.customer_outbox(
            customer, chat, [resume.QueuedSend("pin-1", "mon code pin est 4821")], "fr", s
        )
    assert outcome.outcome == "failed"
    assert outcome.blocked_kinds
