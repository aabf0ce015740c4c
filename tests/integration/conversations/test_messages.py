from __future__ import annotations

import threading

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.conversations import (
    append_message,
    conversations_for_customer,
    get_conversation_for_customer,
    messages_since,
    start_conversation,
)
from chat_widget.conversations.errors import ConversationClosed, ConversationNotFound
from chat_widget.domain.models import Channel, Customer, Message


def _customer(engine: Engine) -> str:
    with session_scope(engine) as session:
        customer = Customer()
        session.add(customer)
        session.flush()
        return customer.id


def _conversation(engine: Engine, customer_id: str, channel: str = Channel.LIVE_CHAT) -> str:
    with session_scope(engine) as session:
        conv = start_conversation(
            session=session,
            customer_id=customer_id,
            channel=channel,
            locale="fr",
            topic="cards",
            page_url="https://bank.test/cards",
        )
        return conv.id


def test_append_is_idempotent_and_ordered(db_engine: Engine) -> None:
    conv_id = _conversation(db_engine, _customer(db_engine))
    with session_scope(db_engine) as session:
        first, created1 = append_message(
            session=session,
            conversation_id=conv_id,
            client_msg_id="a",
            author_kind="customer",
            author_id=None,
            body="hello",
        )
        again, created2 = append_message(
            session=session,
            conversation_id=conv_id,
            client_msg_id="a",
            author_kind="customer",
            author_id=None,
            body="hello (resent)",
        )
        second, _ = append_message(
            session=session,
            conversation_id=conv_id,
            client_msg_id="b",
            author_kind="agent",
            author_id="ag1",
            body="hi",
            meta={"k": 1},
        )
    assert (created1, created2) == (True, False)
    assert again.id == first.id and again.body == "hello"
    assert [first.seq, second.seq] == [1, 2]
    with session_scope(db_engine) as session:
        replay = messages_since(session=session, conversation_id=conv_id, after_seq=1)
        assert [m.client_msg_id for m in replay] == ["b"]
        assert replay[0].meta == {"k": 1}
        assert len(messages_since(session=session, conversation_id=conv_id, after_seq=0)) == 2


def test_append_is_durable_without_caller_commit(db_engine: Engine) -> None:
    """The function commits: a rollback of the caller's unit of work keeps the message."""
    conv_id = _conversation(db_engine, _customer(db_engine))
    with pytest.raises(RuntimeError), session_scope(db_engine) as session:
        append_message(
            session=session,
            conversation_id=conv_id,
            client_msg_id="x",
            author_kind="customer",
            author_id=None,
            body="kept",
        )
        raise RuntimeError("request failed after the ack")
    with session_scope(db_engine) as session:
        assert [m.body for m in messages_since(session=session, conversation_id=conv_id)] == [
            "kept"
        ]


def test_unknown_and_closed_conversations_refuse(db_engine: Engine) -> None:
    conv_id = _conversation(db_engine, _customer(db_engine))
    with session_scope(db_engine) as session:
        with pytest.raises(ConversationNotFound):
            append_message(
                session=session,
                conversation_id="nope",
                client_msg_id="a",
                author_kind="customer",
                author_id=None,
                body="x",
            )
    with session_scope(db_engine) as session:
        conv = get_conversation_for_customer(
            session=session, customer_id=_customer(db_engine), conversation_id=conv_id
        )
        assert conv is None
    with session_scope(db_engine) as session:
        from chat_widget.domain.models import Conversation

        conv2 = session.get(Conversation, conv_id)
        assert conv2 is not None
        conv2.status = "closed"
    with session_scope(db_engine) as session:
        with pytest.raises(ConversationClosed):
            append_message(
                session=session,
                conversation_id=conv_id,
                client_msg_id="late",
                author_kind="customer",
                author_id=None,
                body="x",
            )
        _, created = append_message(
            session=session,
            conversation_id=conv_id,
            client_msg_id="sys",
            author_kind="system",
            author_id=None,
            body="closed",
        )
        assert created


def test_ownership_and_history(db_engine: Engine) -> None:
    alice, bob = _customer(db_engine), _customer(db_engine)
    a_chat = _conversation(db_engine, alice)
    a_bot = _conversation(db_engine, alice, Channel.ASSISTANT)
    with session_scope(db_engine) as session:
        assert (
            get_conversation_for_customer(
                session=session, customer_id=alice, conversation_id=a_chat
            )
            is not None
        )
        assert (
            get_conversation_for_customer(session=session, customer_id=bob, conversation_id=a_chat)
            is None
        )
        assert {c.id for c in conversations_for_customer(session=session, customer_id=alice)} == {
            a_chat,
            a_bot,
        }
        only_bot = conversations_for_customer(
            session=session, customer_id=alice, channel=Channel.ASSISTANT
        )
        assert [c.id for c in only_bot] == [a_bot]
        assert conversations_for_customer(session=session, customer_id=bob) == []


def test_concurrent_appends_are_gap_free_and_unique(db_engine: Engine) -> None:
    """Two writers × 50 appends, each also resending ids the other may already have stored."""
    conv_id = _conversation(db_engine, _customer(db_engine))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    created_counts = [0, 0]

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(50):
                ids = [f"w{n}-{i}"]
                if i % 5 == 0:
                    ids.append(f"shared-{i}")  # both writers send these: one must win
                for cid in ids:
                    with session_scope(db_engine) as session:
                        _, created = append_message(
                            session=session,
                            conversation_id=conv_id,
                            client_msg_id=cid,
                            author_kind="customer",
                            author_id=None,
                            body=cid,
                        )
                        created_counts[n] += int(created)
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(db_engine) as session:
        rows = list(session.exec(select(Message).where(Message.conversation_id == conv_id)).all())
        from chat_widget.domain.models import Conversation

        conv = session.get(Conversation, conv_id)
        assert conv is not None
        expected = 100 + 10
        assert sorted(m.seq for m in rows) == list(range(1, expected + 1))
        assert len({m.client_msg_id for m in rows}) == expected
        assert sum(created_counts) == expected
        assert conv.last_seq == expected


def test_concurrent_appends_from_two_processes(db_engine: Engine) -> None:
    """Two OS processes, each with its own engine, append to one conversation at once."""
    import multiprocessing

    from ._workers import append_many

    conv_id = _conversation(db_engine, _customer(db_engine))
    url = db_engine.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=append_many, args=(url, conv_id, n, 40, barrier, results))
        for n in (0, 1)
    ]
    for proc in procs:
        proc.start()
    created = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    with session_scope(db_engine) as session:
        rows = messages_since(session=session, conversation_id=conv_id)
    expected = 80 + 10
    assert sum(created) == expected
    assert [m.seq for m in rows] == list(range(1, expected + 1))
    assert len({m.client_msg_id for m in rows}) == expected
