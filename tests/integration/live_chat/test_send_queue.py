"""Customers' messages stored by one writer, many in one transaction: each message keeps the
answer it would get alone (stored in order, resend found, refusal, guard block)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel, col, select

from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.domain.models import Conversation, Message
from chat_widget.live_chat import ChatNotFound, InvalidChatState, close_by_customer
from chat_widget.live_chat.send_queue import CustomerSends, Queued
from chat_widget.live_chat.sides import customer_send, start_chat
from tests.conftest import _load_all_tables
from tests.integration.live_chat.helpers import make_customer
from tests.integration.live_chat.test_sides import ALWAYS, _active_chat


def _bodies(engine: Engine, chat: str) -> list[tuple[int, str, str]]:
    with session_scope(engine) as s:
        rows = s.exec(
            select(Message.seq, Message.client_msg_id, Message.body)
            .where(Message.conversation_id == chat, Message.author_kind == "customer")
            .order_by(col(Message.seq))
        ).all()
    return [(int(seq), str(cid), str(body)) for seq, cid, body in rows]


def _queued(loop: asyncio.AbstractEventLoop, who: str, where: str, cid: str, text: str) -> Queued:
    return Queued(who, where, cid, text, "fr", loop, loop.create_future())


def test_a_batch_gives_each_message_its_own_answer(db_engine: Engine) -> None:
    customer, _agent, chat = _active_chat(db_engine)
    other_customer = make_customer(db_engine)
    with session_scope(db_engine) as s:
        other_chat = start_chat(
            session=s,
            customer_id=other_customer,
            locale="fr",
            topic=None,
            page_url=None,
            handover_from=None,
            hours=ALWAYS,
        )
    intruder = make_customer(db_engine)
    writer = CustomerSends(db_engine)
    loop = asyncio.new_event_loop()
    batch = [
        _queued(loop, customer, chat, "m1", "bonjour"),
        _queued(loop, intruder, chat, "x1", "pas mon chat"),
        _queued(loop, customer, chat, "m2", "mon code pin est 4821"),
        _queued(loop, other_customer, other_chat, "o1", "autre chat"),
        _queued(loop, customer, chat, "m3", "mon IBAN est BE71 0961 2345 6769"),
        _queued(loop, customer, chat, "m1", "bonjour"),  # a resend in the same transaction
        _queued(loop, customer, chat, "", "no id"),
    ]
    first, refused, blocked, other, masked, resent, bad_id = writer.store(batch)
    loop.close()
    assert writer.batches == 1
    assert isinstance(refused, ChatNotFound)
    assert isinstance(bad_id, ValueError)
    assert isinstance(blocked, tuple) and blocked[0] is None and blocked[1]
    assert isinstance(first, tuple) and first[0] is not None and first[0].body == "bonjour"
    assert isinstance(resent, tuple) and resent[0] is not None and resent[0].id == first[0].id
    assert isinstance(other, tuple) and other[0] is not None
    assert other[0].conversation_id == other_chat
    assert isinstance(masked, tuple) and masked[0] is not None
    assert "0961 2345" not in masked[0].body
    stored = _bodies(db_engine, chat)
    assert [cid for _, cid, _ in stored] == ["m1", "m3"]
    seqs = [seq for seq, _, _ in stored]
    assert seqs[1] == seqs[0] + 1  # gap-free: the refusals gave their seq back

    # A message sent alone afterwards continues the same sequence.
    with session_scope(db_engine) as s:
        alone = customer_send(
            session=s,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id="m4",
            text="encore",
            locale="fr",
        )
    assert alone.message is not None and alone.message.seq == seqs[1] + 1


def test_senders_get_their_answers_once_stored(db_engine: Engine) -> None:
    customer, _agent, chat = _active_chat(db_engine)
    intruder = make_customer(db_engine)
    writer = CustomerSends(db_engine)

    async def send(who: str, cid: str) -> object:
        try:
            return await writer.submit(
                customer_id=who, conversation_id=chat, client_msg_id=cid, text=cid, locale="fr"
            )
        except Exception as exc:  # the answer a sender gets
            return exc

    async def scenario() -> list[object]:
        return list(
            await asyncio.gather(*(send(customer, f"c{i}") for i in range(30)), send(intruder, "x"))
        )

    *answers, refused = asyncio.run(scenario())
    assert isinstance(refused, ChatNotFound)
    assert [a[0].client_msg_id for a in answers] == [f"c{i}" for i in range(30)]  # type: ignore[index]
    assert [cid for _, cid, _ in _bodies(db_engine, chat)] == [f"c{i}" for i in range(30)]
    assert writer.batches < 31  # sends that queued together shared a transaction


def test_a_database_error_costs_only_the_message_that_caused_it(tmp_path: Path) -> None:
    """A batch whose transaction fails (here a real SQLite error, raised by a trigger) is
    stored message by message: the others are stored, the culprit gets the error."""
    _load_all_tables()
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    SQLModel.metadata.create_all(engine)
    customer, _agent, chat = _active_chat(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER fail BEFORE INSERT ON message WHEN NEW.client_msg_id = 'boom' "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
        )
    writer = CustomerSends(engine)
    loop = asyncio.new_event_loop()
    a, boom, b = writer.store(
        [_queued(loop, customer, chat, cid, cid) for cid in ("a", "boom", "b")]
    )
    loop.close()
    assert isinstance(boom, SQLAlchemyError)
    assert isinstance(a, tuple) and isinstance(b, tuple)
    assert [cid for _, cid, _ in _bodies(engine, chat)] == ["a", "b"]
    assert writer.batches == 0
    engine.dispose()


def test_the_writers_rows_read_back_as_the_orms(db_engine: Engine) -> None:
    """On SQLite the writer stores through the DB-API cursor (``conversations.sqlite_append``),
    elsewhere through the ORM: either way the row reads back through the ORM as the message
    the sender was answered with, in the format a message stored alone has, and a finished
    chat refuses the message and gives its seq back."""
    customer, _agent, chat = _active_chat(db_engine)
    writer = CustomerSends(db_engine)
    loop = asyncio.new_event_loop()
    (answer,) = writer.store([_queued(loop, customer, chat, "w1", "via le writer")])
    with session_scope(db_engine) as s:
        alone = customer_send(
            session=s,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id="a1",
            text="seul",
            locale="fr",
        ).message
    assert isinstance(answer, tuple) and answer[0] is not None and alone is not None
    sent = answer[0]
    with session_scope(db_engine) as s:
        read = s.exec(select(Message).where(Message.id == sent.id)).one()
        fields = ("id", "conversation_id", "seq", "client_msg_id", "author_kind", "author_id")
        assert [getattr(read, f) for f in fields] == [getattr(sent, f) for f in fields]
        assert (read.body, read.meta, read.created_at) == ("via le writer", {}, sent.created_at)
        assert read.created_at.utcoffset() is not None and alone.seq == sent.seq + 1
        raw = s.connection().execute(
            text("SELECT created_at FROM message WHERE id IN (:a, :b) ORDER BY seq"),
            {"a": sent.id, "b": alone.id},
        )
        written, alone_written = (str(value) for (value,) in raw)
    assert len(written) == len(alone_written)  # the same encoding as the ORM's

    with session_scope(db_engine) as s:
        close_by_customer(session=s, conversation_id=chat, customer_id=customer)
    with session_scope(db_engine) as s:
        last_seq = s.exec(select(Conversation.last_seq).where(Conversation.id == chat)).one()
    (closed,) = writer.store([_queued(loop, customer, chat, "w2", "trop tard")])
    loop.close()
    assert isinstance(closed, InvalidChatState)
    with session_scope(db_engine) as s:
        assert s.exec(select(Conversation.last_seq).where(Conversation.id == chat)).one() == (
            last_seq
        )
