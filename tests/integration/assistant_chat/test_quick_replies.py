"""Quick replies against a real database: only what the assistant offered is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from chat_widget.adapters.db import session_scope
from chat_widget.assistant.chat import AssistantChat
from chat_widget.domain.models import Customer, Message
from tests.integration.assistant_chat.helpers import ask_lost_card
from tests.unit.assistant_dialogue.fakes import sure


def _chat(engine: Engine) -> AssistantChat:
    async def run_db(fn: Callable[[Session], Any]) -> Any:
        with session_scope(engine) as session:
            return fn(session)

    async def classify(text: str, locale: str | None) -> Any:
        return sure("lost_or_stolen_card")

    return AssistantChat(run_db=run_db, classify=classify)


def _customer_bodies(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        rows = session.exec(select(Message).where(Message.author_kind == "customer")).all()
        return [m.body for m in sorted(rows, key=lambda m: m.seq)]


def test_only_offered_quick_replies_are_answered_with_the_offered_label(
    db_engine: Engine,
) -> None:
    with session_scope(db_engine) as session:
        customer = Customer()
        session.add(customer)
        session.flush()
        customer_id = customer.id
    chat = _chat(db_engine)

    async def scenario() -> None:
        asked = await ask_lost_card(chat, customer_id)
        assert asked.reply is not None and asked.reply.quick_replies
        conversation = asked.conversation_id
        assert conversation is not None
        offered = asked.reply.quick_replies[0]

        never_offered = await chat.choose(
            customer_id=customer_id,
            conversation_id=conversation,
            payload="intent:terminate_account",
            locale="en",
            live_chat_open=True,
        )
        assert never_offered.messages == () and never_offered.reply is None
        picked = await chat.choose(
            customer_id=customer_id,
            conversation_id=conversation,
            payload=offered.payload,
            locale="en",
            live_chat_open=True,
        )
        assert picked.messages and picked.messages[0].body == offered.label
        # Another customer cannot pick from this conversation's offers.
        stranger = await chat.choose(
            customer_id="f" * 32,
            conversation_id=conversation,
            payload=offered.payload,
            locale="en",
            live_chat_open=True,
        )
        assert stranger.messages == ()

    asyncio.run(scenario())
    assert _customer_bodies(db_engine) == ["I lost my card", offered_label(db_engine)]


def offered_label(engine: Engine) -> str:
    with session_scope(engine) as session:
        rows = session.exec(select(Message).where(Message.author_kind == "assistant")).all()
        first = sorted(rows, key=lambda m: m.seq)[0]
        return str(first.meta["reply"]["quick_replies"][0]["label"])
