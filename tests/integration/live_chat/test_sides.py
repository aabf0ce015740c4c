"""The use cases behind the chat views: scoping (IDOR), guard screening, replay, handover."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.conversations import start_conversation
from chat_widget.live_chat import ChatNotFound, NotAssignedAgent, accept
from chat_widget.live_chat.hours.schedule import Interval, OpeningHours
from chat_widget.live_chat.sides import (
    agent_delta,
    agent_read,
    agent_send,
    agent_view,
    conversation_versions,
    customer_read,
    customer_read_receipt,
    customer_send,
    customer_view,
    live_versions,
    open_chat_id,
    start_chat,
)
from tests.integration.live_chat.helpers import make_agent, make_customer

ALWAYS = OpeningHours(
    weekly={
        d: (Interval(time(0, 0), time(23, 59)),)
        for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    },
    public_holidays=False,
)


def _active_chat(engine: Engine) -> tuple[str, str, str]:
    customer = make_customer(engine)
    agent = make_agent(engine, "sophie")
    with session_scope(engine) as s:
        chat = start_chat(
            session=s,
            customer_id=customer,
            locale="fr",
            topic="cards",
            page_url="https://bank.example/cards",
            handover_from=None,
            hours=ALWAYS,
        )
    with session_scope(engine) as s:
        assert accept(session=s, agent_id=agent, conversation_id=chat)
    return customer, agent, chat


def _customer_asks(engine: Engine, customer: str, chat: str, count: int, prefix: str) -> None:
    """``count`` customer messages, each in its own transaction, as the widget sends them."""
    for i in range(count):
        with session_scope(engine) as s:
            customer_send(
                session=s,
                customer_id=customer,
                conversation_id=chat,
                client_msg_id=f"{prefix}{i}",
                text=f"question {i}",
                locale="fr",
            )


def test_customer_cannot_read_or_post_to_another_customers_chat(db_engine: Engine) -> None:
    _, _, chat = _active_chat(db_engine)
    intruder = make_customer(db_engine)
    with session_scope(db_engine) as s, pytest.raises(ChatNotFound):
        customer_view(session=s, customer_id=intruder, conversation_id=chat, after_seq=0)
    with session_scope(db_engine) as s, pytest.raises(ChatNotFound):
        customer_send(
            session=s,
            customer_id=intruder,
            conversation_id=chat,
            client_msg_id="x1",
            text="hello",
            locale="fr",
        )
    with session_scope(db_engine) as s, pytest.raises(ChatNotFound):
        customer_read(session=s, customer_id=intruder, conversation_id=chat, seq=5)
    with session_scope(db_engine) as s:
        assert open_chat_id(session=s, customer_id=intruder) is None


def test_other_agent_sees_no_messages_and_cannot_post(db_engine: Engine) -> None:
    customer, _, chat = _active_chat(db_engine)
    other = make_agent(db_engine, "pieter")
    with session_scope(db_engine) as s:
        customer_send(
            session=s,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id="c1",
            text="secret",
            locale="fr",
        )
    with session_scope(db_engine) as s:
        view = agent_view(session=s, agent_id=other, conversation_id=chat, after_seq=0)
    assert view.messages == [] and view.status is None
    with session_scope(db_engine) as s, pytest.raises(NotAssignedAgent):
        agent_send(
            session=s,
            agent_id=other,
            conversation_id=chat,
            client_msg_id="a1",
            text="hi",
            locale="fr",
        )


def test_guard_blocks_secrets_and_masks_numbers_before_storage(db_engine: Engine) -> None:
    customer, agent, chat = _active_chat(db_engine)
    with session_scope(db_engine) as s:
        blocked = customer_send(
            session=s,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id="c1",
            text="mon code pin est 4821",
            locale="fr",
        )
    assert blocked.message is None and blocked.blocked_kinds
    with session_scope(db_engine) as s:
        masked = customer_send(
            session=s,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id="c2",
            text="mon IBAN est BE71 0961 2345 6769",
            locale="fr",
        )
    assert masked.message is not None
    assert "0961 2345" not in masked.message.body
    with session_scope(db_engine) as s:
        view = agent_view(session=s, agent_id=agent, conversation_id=chat, after_seq=0)
    assert all("4821" not in m.body for m in view.messages)


def test_replay_is_ordered_and_resend_is_idempotent(db_engine: Engine) -> None:
    customer, agent, chat = _active_chat(db_engine)
    with session_scope(db_engine) as s:
        start = customer_view(session=s, customer_id=customer, conversation_id=chat, after_seq=0)
    last = start.messages[-1].seq
    for i in range(3):
        with session_scope(db_engine) as s:
            agent_send(
                session=s,
                agent_id=agent,
                conversation_id=chat,
                client_msg_id=f"a{i}",
                text=f"reply {i}",
                locale="fr",
            )
    with session_scope(db_engine) as s:  # a resend after a dropped connection
        agent_send(
            session=s,
            agent_id=agent,
            conversation_id=chat,
            client_msg_id="a1",
            text="reply 1",
            locale="fr",
        )
    with session_scope(db_engine) as s:
        view = customer_view(session=s, customer_id=customer, conversation_id=chat, after_seq=last)
    assert [m.body for m in view.messages] == ["reply 0", "reply 1", "reply 2"]
    assert [m.seq for m in view.messages] == [last + 1, last + 2, last + 3]


def test_handover_summary_only_from_the_customers_own_conversation(db_engine: Engine) -> None:
    customer, other = make_customer(db_engine), make_customer(db_engine)
    with session_scope(db_engine) as s:
        mine = start_conversation(session=s, customer_id=customer, channel="assistant", locale="fr")
        mine.summary = "Carte bloquée après 3 essais"
        theirs = start_conversation(session=s, customer_id=other, channel="assistant", locale="fr")
        theirs.summary = "Someone else's secret"
        s.add_all([mine, theirs])
        mine_id, theirs_id = mine.id, theirs.id
    from chat_widget.live_chat.records import ChatRequest

    with session_scope(db_engine) as s:
        chat = start_chat(
            session=s,
            customer_id=customer,
            locale="fr",
            topic=None,
            page_url=None,
            handover_from=mine_id,
            hours=ALWAYS,
        )
        assert s.get(ChatRequest, chat).handover_summary == "Carte bloquée après 3 essais"  # type: ignore[union-attr]
    third = make_customer(db_engine)
    with session_scope(db_engine) as s:
        chat = start_chat(
            session=s,
            customer_id=third,
            locale="fr",
            topic=None,
            page_url=None,
            handover_from=theirs_id,
            hours=ALWAYS,
        )
        request = s.get(ChatRequest, chat)
        assert request is not None
        assert request.handover_summary is None and request.source_conversation_id is None


def test_conversation_versions_move_with_messages_and_the_agents_read_receipt(
    db_engine: Engine,
) -> None:
    customer, agent, chat = _active_chat(db_engine)

    def versions() -> dict[str, tuple[int, str, int]]:
        with session_scope(db_engine) as s:
            return conversation_versions(session=s, conversation_ids=[chat, "missing"])

    first = versions()
    assert list(first) == [chat] and first[chat][1] == "active"
    with session_scope(db_engine) as s:
        customer_send(
            session=s,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id="v1",
            text="bonjour",
            locale="fr",
        )
    second = versions()
    assert second[chat][0] == first[chat][0] + 1
    with session_scope(db_engine) as s:
        agent_read(session=s, agent_id=agent, conversation_id=chat, seq=second[chat][0])
    assert versions()[chat] == (second[chat][0], "active", second[chat][0])


def test_console_counts_unread_customer_messages_until_the_agent_reads_them(
    db_engine: Engine,
) -> None:
    """The "n new" marker on a chat tab: what the customer wrote since the agent's last read."""
    customer, agent, chat = _active_chat(db_engine)

    def unread() -> int:
        with session_scope(db_engine) as s:
            view = agent_view(session=s, agent_id=agent, conversation_id=None, after_seq=0)
        return next(c.unread for c in view.chats if c.conversation_id == chat)

    with session_scope(db_engine) as s:
        seen = (
            customer_view(session=s, customer_id=customer, conversation_id=chat, after_seq=0)
            .messages[-1]
            .seq
        )
        agent_read(session=s, agent_id=agent, conversation_id=chat, seq=seen)
    assert unread() == 0
    _customer_asks(db_engine, customer, chat, 2, "c")
    assert unread() == 2
    with session_scope(db_engine) as s:
        agent_read(session=s, agent_id=agent, conversation_id=chat, seq=seen + 2)
    assert unread() == 0


def test_an_accepted_chat_shows_nothing_new_but_what_the_customer_writes_next(
    db_engine: Engine,
) -> None:
    """The agent who accepts opens the chat: their own "joined" notice is not news to them,
    even when they turn to another chat before the console has shown it."""
    customer, agent, chat = _active_chat(db_engine)

    def unread() -> int:
        with session_scope(db_engine) as s:
            view = agent_view(session=s, agent_id=agent, conversation_id=None, after_seq=0)
        return next(c.unread for c in view.chats if c.conversation_id == chat)

    assert unread() == 0
    with session_scope(db_engine) as s:
        customer_send(
            session=s,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id="after",
            text="vous êtes là ?",
            locale="fr",
        )
    assert unread() == 1


def test_agent_delta_reads_only_the_parts_asked_for(db_engine: Engine) -> None:
    customer, agent, chat = _active_chat(db_engine)
    with session_scope(db_engine) as s:
        customer_send(
            session=s,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id="c1",
            text="bonjour",
            locale="fr",
        )
    with session_scope(db_engine) as s:
        only_current = agent_delta(
            session=s,
            agent_id=agent,
            conversation_id=chat,
            after_seq=0,
            queue=False,
            chats=False,
            current=True,
        )
    assert only_current.queue is None and only_current.chats is None
    assert [m.body for m in only_current.messages][-1] == "bonjour"
    assert only_current.status == "active" and only_current.customer_read_seq == 0
    last = only_current.messages[-1].seq
    with session_scope(db_engine) as s:
        nothing_new = agent_delta(
            session=s,
            agent_id=agent,
            conversation_id=chat,
            after_seq=last,
            queue=True,
            chats=True,
            current=True,
        )
    assert nothing_new.messages == [] and nothing_new.queue == []
    # Unread: the customer's message, not the accepting agent's own "joined" notice.
    assert nothing_new.chats is not None and [c.unread for c in nothing_new.chats] == [1]
    other = make_agent(db_engine, "marc")
    with session_scope(db_engine) as s:
        foreign = agent_delta(
            session=s,
            agent_id=other,
            conversation_id=chat,
            after_seq=0,
            queue=False,
            chats=False,
            current=True,
        )
    assert foreign.messages == [] and foreign.status is None


def test_live_versions_move_with_messages_queue_and_held_chats(db_engine: Engine) -> None:
    customer, agent, chat = _active_chat(db_engine)
    keys = [chat, "queue", f"agent:{agent}"]
    with session_scope(db_engine) as s:
        customer_send(
            session=s,
            customer_id=customer,
            conversation_id=chat,
            client_msg_id="q1",
            text="bonjour",
            locale="fr",
        )
    with session_scope(db_engine) as s:
        before = live_versions(session=s, keys=keys)
        # the accepting agent read up to their "joined" notice (seq 1), not the question (2)
        assert customer_read_receipt(session=s, customer_id=customer, conversation_id=chat) == 1
    assert before["queue"] == () and before[f"agent:{agent}"] == ("available", (chat,))
    with session_scope(db_engine) as s:
        agent_read(session=s, agent_id=agent, conversation_id=chat, seq=2)
    with session_scope(db_engine) as s:
        after = live_versions(session=s, keys=keys)
        assert customer_read_receipt(session=s, customer_id=customer, conversation_id=chat) == 2
        # another customer's id reads nothing
        assert customer_read_receipt(session=s, customer_id="nobody", conversation_id=chat) == 0
    assert after[chat] != before[chat] and after["queue"] == before["queue"]


def test_held_chats_say_since_when_the_customer_waits_for_an_answer(db_engine: Engine) -> None:
    """The console's "my conversations" wait (live_chat.waiting) through the real queries:
    from the first unanswered customer message, none once the agent answered."""
    from datetime import UTC, datetime, timedelta

    from chat_widget.domain.clock import pinned

    customer, agent, chat = _active_chat(db_engine)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def say(minute: int, who: str, text: str) -> None:
        send = customer_send if who == "customer" else agent_send
        person = {"customer_id": customer} if who == "customer" else {"agent_id": agent}
        with pinned(start + timedelta(minutes=minute)), session_scope(db_engine) as s:
            send(  # type: ignore[operator]
                session=s,
                conversation_id=chat,
                client_msg_id=f"m{minute}",
                text=text,
                locale="fr",
                **person,
            )

    def waits() -> list[datetime | None]:
        with session_scope(db_engine) as s:
            delta = agent_delta(
                session=s,
                agent_id=agent,
                conversation_id="",
                after_seq=0,
                queue=False,
                chats=True,
                current=False,
            )
        assert delta.chats is not None
        return [c.waiting_since for c in delta.chats]

    assert waits() == [None]
    say(0, "customer", "bonjour")
    say(2, "customer", "vous êtes là ?")
    assert waits() == [start]
    say(3, "agent", "Oui, je regarde")
    assert waits() == [None]
    say(5, "customer", "merci")
    assert waits() == [start + timedelta(minutes=5)]


def test_an_agents_read_receipt_moves_forward_only_and_only_on_their_own_chat(
    db_engine: Engine,
) -> None:
    """``agent_read``'s one-statement path (the agent's row behind the seq, the chat theirs)
    and its ORM fallback agree: a colleague's mark on a chat they do not hold is refused and
    stores nothing, an older seq does not move the receipt back."""
    customer, agent, chat = _active_chat(db_engine)
    colleague = make_agent(db_engine, "marc")
    _customer_asks(db_engine, customer, chat, 3, "r")

    def receipt() -> int:
        with session_scope(db_engine) as s:
            return customer_read_receipt(session=s, customer_id=customer, conversation_id=chat)

    with session_scope(db_engine) as s, pytest.raises(NotAssignedAgent):
        agent_read(session=s, agent_id=colleague, conversation_id=chat, seq=4)
    assert receipt() == 1  # the accepting agent's "joined" notice, nobody else's mark
    with session_scope(db_engine) as s:
        agent_read(session=s, agent_id=agent, conversation_id=chat, seq=3)
    assert receipt() == 3
    with session_scope(db_engine) as s:
        agent_read(session=s, agent_id=agent, conversation_id=chat, seq=2)
    assert receipt() == 3
    with session_scope(db_engine) as s:
        agent_read(session=s, agent_id=agent, conversation_id=chat, seq=4)
    assert receipt() == 4
