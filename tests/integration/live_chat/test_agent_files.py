"""The agent sends the customer a file: the customers' checks, only in a chat the agent holds,
owned by the customer (their capability link opens it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.claims.previews import render_bytes
from chat_widget.files import FileRejected, UploadLimits
from chat_widget.live_chat import ChatNotFound, accept, close
from chat_widget.live_chat import attachments as chat_files
from chat_widget.live_chat.records import ChatFile
from tests.integration.live_chat.helpers import make_agent, make_chat, make_customer
from tests.unit.files import samples

LIMITS = UploadLimits(max_bytes=200_000, max_files=3)


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "private-files")


def _send(engine: Engine, store: LocalFileStore, agent: str, chat: str, data: bytes, key: str):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return chat_files.attach_agent_file(
            session=s,
            store=store,
            agent_id=agent,
            conversation_id=chat,
            client_msg_id=key,
            filename="plan.png",
            data=data,
            limits=LIMITS,
            locale="fr",
        )


def test_agent_file_goes_to_the_customer_with_the_same_checks(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer = make_customer(db_engine)
    sophie = make_agent(db_engine, "sophie")
    bob = make_agent(db_engine, "bob")
    chat = make_chat(db_engine, customer)
    with session_scope(db_engine) as s:
        assert accept(session=s, agent_id=sophie, conversation_id=chat)
    with pytest.raises(ChatNotFound):
        _send(db_engine, store, bob, chat, samples.png(), "x1")
    with pytest.raises(FileRejected):
        _send(db_engine, store, sophie, chat, b"not an image at all", "x2")
    message, created = _send(db_engine, store, sophie, chat, samples.png(), "x3")
    assert created and message.author_kind == "agent" and message.author_id == sophie
    again, created = _send(db_engine, store, sophie, chat, samples.png(), "x3")
    assert again.id == message.id and not created
    with session_scope(db_engine) as s:
        row = s.get(ChatFile, message.meta["attachment"]["id"])
        assert row is not None and row.customer_id == customer and row.sender_kind == "agent"
        mine = chat_files.open_for_customer(
            session=s, store=store, customer_id=customer, file_id=row.id
        )
        assert mine is not None
        preview = render_bytes(mine.data, row.content_type, row.id)
        assert preview is not None and preview.data[:4] == b"\x89PNG"
        close(session=s, conversation_id=chat, agent_id=sophie, reason="resolved")
    with pytest.raises(ChatNotFound):
        _send(db_engine, store, sophie, chat, samples.png(), "x4")
