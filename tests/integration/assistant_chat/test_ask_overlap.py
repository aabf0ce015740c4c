"""A question is stored while the model reads it (one wait fewer per question under load),
and what the model says about a resent question is never used (a real database)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from chat_widget.adapters.db import session_scope
from chat_widget.assistant.chat import AssistantChat
from tests.integration.assistant_chat.helpers import ask_lost_card
from tests.integration.live_chat.helpers import make_customer
from tests.unit.assistant_dialogue.fakes import sure


def test_the_model_reads_the_question_while_it_is_stored(db_engine: Engine) -> None:
    # Each side waits until the other has started: only concurrent steps finish.
    storing, reading = asyncio.Event(), asyncio.Event()

    async def run_db(fn: Callable[[Session], Any]) -> Any:
        storing.set()
        await asyncio.wait_for(reading.wait(), 5)
        with session_scope(db_engine) as session:
            return fn(session)

    async def classify(text: str, locale: str | None) -> Any:
        reading.set()
        await asyncio.wait_for(storing.wait(), 5)
        return sure("lost_or_stolen_card")

    chat = AssistantChat(run_db=run_db, classify=classify)
    customer_id = make_customer(db_engine)

    async def scenario() -> None:
        asked = await ask_lost_card(chat, customer_id)
        assert [m.body for m in asked.messages][0] == "I lost my card"
        assert asked.reply is not None and asked.reply.intent == "lost_or_stolen_card"

    asyncio.run(scenario())


def test_a_resent_question_gets_its_stored_answer_whatever_the_model_says(
    db_engine: Engine,
) -> None:
    answers: list[Any] = [sure("lost_or_stolen_card"), RuntimeError("model outage")]

    async def run_db(fn: Callable[[Session], Any]) -> Any:
        with session_scope(db_engine) as session:
            return fn(session)

    async def classify(text: str, locale: str | None) -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    chat = AssistantChat(run_db=run_db, classify=classify)
    customer_id = make_customer(db_engine)

    async def scenario() -> None:
        first = await ask_lost_card(chat, customer_id)
        again = await ask_lost_card(chat, customer_id, first.conversation_id)
        assert [m.id for m in again.messages] == [m.id for m in first.messages]

    asyncio.run(scenario())
