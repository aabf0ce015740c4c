from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.claims import flow
from chat_widget.claims.records import Claim, save_draft
from chat_widget.domain.models import Channel, Conversation, Customer, Message

TODAY = date(2026, 11, 24)
POLICY = "123-4567890-02"


def add_customer(engine: Engine, external_ref: str | None = None) -> str:
    with session_scope(engine) as session:
        customer = Customer(external_ref=external_ref)
        session.add(customer)
        session.flush()
        return customer.id


def add_conversation(engine: Engine, customer_id: str, bodies: list[tuple[str, str]]) -> str:
    with session_scope(engine) as session:
        conv = Conversation(customer_id=customer_id, channel=Channel.CLAIM, locale="fr")
        session.add(conv)
        session.flush()
        for seq, (kind, body) in enumerate(bodies, start=1):
            session.add(
                Message(
                    conversation_id=conv.id,
                    seq=seq,
                    client_msg_id=f"m{seq}",
                    author_kind=kind,
                    body=body,
                )
            )
        conv.last_seq = len(bodies)
        return conv.id


def glass_answers(photo_ids: list[str]) -> list[Any]:
    return [POLICY, "1-ABC-123", "2026-11-20", "Brussel", "windscreen", "chip", "", photo_ids]


def complete_state(
    claim_type: str = "car_glass", answers: list[Any] | None = None
) -> dict[str, Any]:
    state = flow.start(claim_type)
    for raw in answers if answers is not None else glass_answers(["0" * 32]):
        result = flow.answer(state, raw, today=TODAY)
        assert result.error is None, result.error
        state = result.state
    return state


def draft(
    engine: Engine, customer_id: str, state: dict[str, Any] | None = None, **kw: Any
) -> Claim:
    with session_scope(engine) as session:
        return save_draft(
            session=session,
            customer_id=customer_id,
            state=state or flow.start("car_glass"),
            locale="fr",
            **kw,
        )


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "private-files")
