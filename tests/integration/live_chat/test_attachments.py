"""Files in a live chat: checked like claim files, owner-bound, audited for agents, erasable."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.agents import Role
from chat_widget.domain.models import AuditEvent, Conversation, Message
from chat_widget.files import FileRejected, UploadLimits
from chat_widget.live_chat import ChatNotFound, InvalidChatState, accept, close
from chat_widget.live_chat import attachments as chat_files
from chat_widget.live_chat.records import ChatFile
from chat_widget.live_chat.sides import agent_view, customer_view
from chat_widget.live_chat.transcripts import customer_transcript, open_transcript
from chat_widget.privacy import erase_customer, export_customer, policy_from, purge_expired
from tests.integration.live_chat.helpers import make_agent, make_chat, make_customer
from tests.unit.files import samples

LIMITS = UploadLimits(max_bytes=200_000, max_files=3)


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "private-files")


def _active(engine: Engine) -> tuple[str, str, str]:
    customer = make_customer(engine)
    agent = make_agent(engine, "sophie")
    chat = make_chat(engine, customer)
    with session_scope(engine) as s:
        assert accept(session=s, agent_id=agent, conversation_id=chat)
    return customer, agent, chat


def _attach(
    engine: Engine,
    store: LocalFileStore,
    customer: str,
    chat: str,
    data: bytes,
    *,
    name: str = "screenshot.png",
    client_msg_id: str = "f1",
    limits: UploadLimits = LIMITS,
) -> tuple[Message, bool]:
    with session_scope(engine) as s:
        message, created = chat_files.attach_customer_file(
            session=s,
            store=store,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id=client_msg_id,
            filename=name,
            data=data,
            limits=limits,
            locale="fr",
        )
        return message, created


def _stored_files(store: LocalFileStore) -> list[Path]:
    if not store.root.exists():
        return []
    return [p for p in store.root.rglob("*") if p.is_file() and p.name != ".gitignore"]


def _audit(engine: Engine) -> list[AuditEvent]:
    with session_scope(engine) as s:
        rows = list(s.exec(select(AuditEvent).where(AuditEvent.action == "chat_file.view")).all())
        for row in rows:
            s.expunge(row)
        return rows


def test_a_png_becomes_an_ordered_idempotent_message_the_agent_sees(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer, agent, chat = _active(db_engine)
    message, created = _attach(db_engine, store, customer, chat, samples.png())
    assert created and message.author_kind == "customer" and message.body == "screenshot.png"
    attachment = chat_files.attachment_of(message)
    assert attachment is not None and attachment["content_type"] == "image/png"
    # A resend after a dropped connection stores nothing twice.
    again, created_again = _attach(db_engine, store, customer, chat, samples.png())
    assert not created_again and again.id == message.id
    assert len(_stored_files(store)) == 1
    with session_scope(db_engine) as s:
        rows = s.exec(select(ChatFile)).all()
        assert len(rows) == 1 and rows[0].id == attachment["id"]
        assert rows[0].customer_id == customer and rows[0].conversation_id == chat
        seen = agent_view(session=s, agent_id=agent, conversation_id=chat, after_seq=0)
        assert message.id in [m.id for m in seen.messages]
        mine = customer_view(session=s, customer_id=customer, conversation_id=chat, after_seq=0)
        seqs = [m.seq for m in mine.messages]
        assert seqs == sorted(seqs) and mine.messages[-1].id == message.id
        found = chat_files.open_for_customer(
            session=s, store=store, customer_id=customer, file_id=attachment["id"]
        )
        assert found is not None and found.data.startswith(b"\x89PNG")


def test_another_customer_gets_nothing(db_engine: Engine, store: LocalFileStore) -> None:
    customer, _, chat = _active(db_engine)
    intruder = make_customer(db_engine)
    message, _ = _attach(db_engine, store, customer, chat, samples.png())
    file_id = chat_files.attachment_of(message)["id"]  # type: ignore[index]
    with session_scope(db_engine) as s:
        assert (
            chat_files.open_for_customer(
                session=s, store=store, customer_id=intruder, file_id=file_id
            )
            is None
        )
        assert (
            chat_files.open_for_customer(
                session=s, store=store, customer_id=customer, file_id="0" * 32
            )
            is None
        )
    with pytest.raises(ChatNotFound):
        _attach(db_engine, store, intruder, chat, samples.png(), client_msg_id="f2")
    assert len(_stored_files(store)) == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"MZ\x90\x00 this is an exe", "unsupported_type"),
        (b"just some text", "unsupported_type"),
        (samples.png() + b"\0" * 30_000, "too_large"),
        (samples.png_bomb(), "image_too_many_pixels"),
    ],
)
def test_bad_files_are_refused_with_a_translated_reason_and_nothing_changes(
    db_engine: Engine, store: LocalFileStore, data: bytes, code: str
) -> None:
    customer, _, chat = _active(db_engine)
    limits = UploadLimits(max_bytes=20_000, max_files=3)
    with pytest.raises(FileRejected) as refused:
        _attach(db_engine, store, customer, chat, data, name="virus.png.exe", limits=limits)
    assert refused.value.code == code
    texts = {refused.value.message(loc) for loc in ("fr", "nl", "en", "de")}
    assert len(texts) == 4 and all(
        "virus.png.exe" in t or code != "unsupported_type" for t in texts
    )
    with session_scope(db_engine) as s:
        assert s.exec(select(ChatFile)).all() == []
        assert s.get(Conversation, chat).last_seq == 1  # only "agent joined"
    assert _stored_files(store) == []


def test_too_many_files_in_one_chat(db_engine: Engine, store: LocalFileStore) -> None:
    customer, _, chat = _active(db_engine)
    for n in range(3):
        _attach(db_engine, store, customer, chat, samples.png(), client_msg_id=f"f{n}")
    with pytest.raises(FileRejected) as refused:
        _attach(db_engine, store, customer, chat, samples.png(), client_msg_id="f9")
    assert refused.value.code == "too_many_files"


def test_only_an_active_chat_takes_files(db_engine: Engine, store: LocalFileStore) -> None:
    customer = make_customer(db_engine)
    waiting = make_chat(db_engine, customer)
    with pytest.raises(InvalidChatState):
        _attach(db_engine, store, customer, waiting, samples.png())
    customer2, agent, chat = _active(db_engine)
    with session_scope(db_engine) as s:
        close(session=s, conversation_id=chat, agent_id=agent, reason="resolved")
    with pytest.raises(InvalidChatState):
        _attach(db_engine, store, customer2, chat, samples.png())
    assert _stored_files(store) == []


def test_a_card_number_in_the_file_name_never_reaches_the_agent(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer, _, chat = _active(db_engine)
    message, _ = _attach(
        db_engine, store, customer, chat, samples.png(), name="carte 4111 1111 1111 1111.png"
    )
    assert "4111" not in message.body and "4111" not in json.dumps(message.meta)


def test_the_holding_agent_opens_it_and_the_read_is_audited(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer, agent, chat = _active(db_engine)
    colleague = make_agent(db_engine, "marc")
    handler = make_agent(db_engine, "hilde", roles=(Role.CLAIMS_HANDLER,))
    message, _ = _attach(db_engine, store, customer, chat, samples.pdf(), name="statement.pdf")
    file_id = chat_files.attachment_of(message)["id"]  # type: ignore[index]
    with session_scope(db_engine) as s:
        for someone in (colleague, handler):
            assert (
                chat_files.open_for_agent(session=s, store=store, agent_id=someone, file_id=file_id)
                is None
            )
        assert (
            chat_files.open_for_agent(session=s, store=store, agent_id=agent, file_id="0" * 32)
            is None
        )
    assert _audit(db_engine) == []
    with session_scope(db_engine) as s:
        found = chat_files.open_for_agent(session=s, store=store, agent_id=agent, file_id=file_id)
        assert found is not None and found.data.startswith(b"%PDF-")
        assert found.meta.content_type == "application/pdf"
    [event] = _audit(db_engine)
    assert event.actor_kind == "agent" and event.actor_id == agent
    assert event.target_type == "chat_file" and event.target_id == file_id
    assert event.details == {"conversation_id": chat, "customer_id": customer}
    assert event.at is not None


def test_transcripts_name_the_file_but_hold_no_bytes(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer, agent, chat = _active(db_engine)
    _attach(db_engine, store, customer, chat, samples.png())
    with session_scope(db_engine) as s:
        text = customer_transcript(session=s, customer_id=customer, conversation_id=chat)
    # French typography comes with the catalog (chat_widget.i18n.translations).
    assert "[Pièce jointe\u00a0: screenshot.png," in text and "PNG" not in text
    with session_scope(db_engine) as s:
        staff = open_transcript(session=s, agent_id=agent, conversation_id=chat, reason="follow-up")
    assert "screenshot.png" in staff


def test_export_holds_the_file_and_erasure_removes_it(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer, _, chat = _active(db_engine)
    other, _, other_chat = _active_other(db_engine)
    _attach(db_engine, store, customer, chat, samples.png(), name="mine.png")
    _attach(db_engine, store, other, other_chat, samples.png(), name="theirs.png")
    with session_scope(db_engine) as s:
        archive = zipfile.ZipFile(
            io.BytesIO(export_customer(session=s, store=store, customer_id=customer))
        )
    data = json.loads(archive.read("data.json"))
    [conversation] = data["conversations"]
    [entry] = conversation["files"]
    assert entry["name"] == "mine.png" and "stored_name" not in entry
    assert archive.read(entry["path"]).startswith(b"\x89PNG")
    assert conversation["messages"][-1]["file_id"] == entry["id"]
    assert not any("theirs" in name for name in archive.namelist())

    with session_scope(db_engine) as s:
        report = erase_customer(session=s, store=store, customer_id=customer, actor="admin")
    assert report.files_deleted == 1
    assert len(_stored_files(store)) == 1  # the other customer's file only
    with session_scope(db_engine) as s:
        [left] = s.exec(select(ChatFile)).all()
        assert left.customer_id == other


def _active_other(engine: Engine) -> tuple[str, str, str]:
    customer = make_customer(engine)
    agent = make_agent(engine, "other.agent")
    chat = make_chat(engine, customer)
    with session_scope(engine) as s:
        assert accept(session=s, agent_id=agent, conversation_id=chat)
    return customer, agent, chat


def test_retention_purge_removes_the_file_with_its_chat(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer, _, chat = _active(db_engine)
    _attach(db_engine, store, customer, chat, samples.png())
    later = datetime.now(UTC) + timedelta(days=3650)
    with session_scope(db_engine) as s:
        dry = purge_expired(session=s, store=store, now=later, policy=policy_from({}), dry_run=True)
    assert dry.counts["files"] == 1 and len(_stored_files(store)) == 1
    with session_scope(db_engine) as s:
        report = purge_expired(session=s, store=store, now=later, policy=policy_from({}))
    assert report.counts["files"] == 1 and report.counts["live_chat_conversations"] == 1
    assert _stored_files(store) == []
    with session_scope(db_engine) as s:
        assert s.exec(select(ChatFile)).all() == []
