from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.agents.records import Presence
from chat_widget.conversations import messages_since
from chat_widget.domain.clock import utcnow as now_utc
from chat_widget.domain.models import AuditEvent, Conversation
from chat_widget.live_chat import (
    AgentUnavailable,
    ChatNotFound,
    ChatUnavailable,
    InvalidChatState,
    NotAssignedAgent,
    accept,
    active_chats_for_agent,
    add_note,
    close,
    close_by_customer,
    customer_transcript,
    leave_message,
    left_messages,
    mark_read,
    next_for_agent,
    notes_for,
    post_agent_message,
    post_customer_message,
    queue_info,
    rate_chat,
    read_states,
    request_chat,
    route_round,
    route_waiting,
    switch_to_assistant,
    transfer,
    waiting_queue,
)
from chat_widget.live_chat.hours import parse_opening_hours
from chat_widget.live_chat.queue import active_chat_count

from .helpers import make_agent, make_chat, make_customer


def test_request_accept_talk_close_rate(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    agent = make_agent(db_engine, "sophie", ["fr", "en"])
    conv_id = make_chat(db_engine, customer, "fr-BE", summary="Card blocked abroad")
    with session_scope(db_engine) as session:
        # A reload / second device continues the same chat.
        again = request_chat(session=session, customer_id=customer, locale="fr")
        assert again.id == conv_id and again.status == "waiting"
        info = queue_info(session=session, conversation_id=conv_id)
        assert (info.position, info.waiting_ahead, info.available_agents) == (1, 0, 1)
        assert info.expected_wait == timedelta(0)  # a free agent is there
        post_customer_message(
            session=session,
            customer_id=customer,
            conversation_id=conv_id,
            client_msg_id="c1",
            body="Bonjour, ma carte est bloquée",
        )
        with pytest.raises(NotAssignedAgent):
            post_agent_message(
                session=session,
                agent_id=agent,
                conversation_id=conv_id,
                client_msg_id="a0",
                body="too early",
            )
        assert accept(session=session, agent_id=agent, conversation_id=conv_id)
    with session_scope(db_engine) as session:
        conv = session.get(Conversation, conv_id)
        assert conv is not None and conv.status == "active"
        assert [c.id for c in active_chats_for_agent(session=session, agent_id=agent)] == [conv_id]
        assert queue_info(session=session, conversation_id=conv_id).position is None
        msg, created = post_agent_message(
            session=session,
            agent_id=agent,
            conversation_id=conv_id,
            client_msg_id="a1",
            body="Bonjour, je regarde.",
        )
        _, dup = post_agent_message(
            session=session,
            agent_id=agent,
            conversation_id=conv_id,
            client_msg_id="a1",
            body="Bonjour, je regarde.",
        )
        assert created and not dup
        mark_read(
            session=session,
            conversation_id=conv_id,
            participant_kind="customer",
            participant_id=customer,
            seq=msg.seq,
        )
        mark_read(
            session=session,
            conversation_id=conv_id,
            participant_kind="customer",
            participant_id=customer,
            seq=1,
        )  # never backwards
        # The agent who accepted has read up to their own "joined" notice, just before.
        assert read_states(session=session, conversation_id=conv_id) == {
            "customer": msg.seq,
            "agent": msg.seq - 1,
        }
        with pytest.raises(InvalidChatState):
            rate_chat(session=session, customer_id=customer, conversation_id=conv_id, rating=5)
        with pytest.raises(ValueError):
            close(session=session, conversation_id=conv_id, agent_id=agent, reason="bored")
        close(session=session, conversation_id=conv_id, agent_id=agent, reason="resolved")
    with session_scope(db_engine) as session:
        with pytest.raises(ValueError):
            rate_chat(session=session, customer_id=customer, conversation_id=conv_id, rating=6)
        with pytest.raises(ChatNotFound):
            rate_chat(
                session=session,
                customer_id=make_customer(db_engine),
                conversation_id=conv_id,
                rating=1,
            )
        rated = rate_chat(
            session=session,
            customer_id=customer,
            conversation_id=conv_id,
            rating=4,
            comment="rapide",
        )
        assert rated.rating == 4
        messages = messages_since(session=session, conversation_id=conv_id)
        events = [m.meta.get("event") for m in messages if m.author_kind == "system"]
        assert events == ["agent_joined", "agent_left", "closed"]
        assert messages[1].body == "Sophie a rejoint la conversation."
        assert [m.seq for m in messages] == list(range(1, len(messages) + 1))
        with pytest.raises(InvalidChatState):
            post_agent_message(
                session=session,
                agent_id=agent,
                conversation_id=conv_id,
                client_msg_id="late",
                body="x",
            )
        assert active_chats_for_agent(session=session, agent_id=agent) == []


def test_two_agents_accepting_at_once_exactly_one_wins(db_engine: Engine) -> None:
    conv_id = make_chat(db_engine, make_customer(db_engine))
    agents = [make_agent(db_engine, "ann"), make_agent(db_engine, "bob")]
    barrier = threading.Barrier(2)
    results: dict[str, bool] = {}
    errors: list[BaseException] = []

    def click(agent_id: str) -> None:
        try:
            barrier.wait()
            with session_scope(db_engine) as session:
                results[agent_id] = accept(
                    session=session, agent_id=agent_id, conversation_id=conv_id
                )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=click, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results.values()) == [False, True]
    winner = next(a for a, won in results.items() if won)
    with session_scope(db_engine) as session:
        joined = [
            m
            for m in messages_since(session=session, conversation_id=conv_id)
            if m.meta.get("event") == "agent_joined"
        ]
        assert len(joined) == 1
        assert [c.id for c in active_chats_for_agent(session=session, agent_id=winner)] == [conv_id]


def test_routing_longest_waiting_first_matching_language(db_engine: Engine) -> None:
    t0 = now_utc() - timedelta(minutes=10)
    fr_old = make_chat(db_engine, make_customer(db_engine), "fr", now=t0)
    nl = make_chat(db_engine, make_customer(db_engine), "nl", now=t0 + timedelta(minutes=1))
    fr_new = make_chat(db_engine, make_customer(db_engine), "fr", now=t0 + timedelta(minutes=2))
    de = make_chat(db_engine, make_customer(db_engine), "de", now=t0 - timedelta(minutes=5))
    fr_agent = make_agent(db_engine, "fleur", ["fr"], capacity=1)
    nl_agent = make_agent(db_engine, "noor", ["nl", "en"], capacity=2)
    with session_scope(db_engine) as session:
        assert [e.conversation_id for e in waiting_queue(session=session)] == [
            de,
            fr_old,
            nl,
            fr_new,
        ]
        assert next_for_agent(session=session, agent_id=fr_agent) == fr_old
        assert queue_info(session=session, conversation_id=fr_new).position == 2
        assert queue_info(session=session, conversation_id=de).expected_wait is None  # no German
        routed = route_waiting(session=session)
    assert sorted(routed) == sorted([(fr_old, fr_agent), (nl, nl_agent)])
    with session_scope(db_engine) as session:
        left = [e.conversation_id for e in waiting_queue(session=session)]
        assert left == [de, fr_new]
        info = queue_info(session=session, conversation_id=fr_new)
        assert (
            info.position == 1
            and info.expected_wait is not None
            and info.expected_wait > timedelta(0)
        )
        with pytest.raises(AgentUnavailable):  # capacity 1 reached
            accept(session=session, agent_id=fr_agent, conversation_id=fr_new)


def test_expected_wait_uses_recent_handling_time(db_engine: Engine) -> None:
    agent = make_agent(db_engine, "eva", ["fr"], capacity=1)
    start = now_utc() - timedelta(hours=1)
    done = make_chat(db_engine, make_customer(db_engine), now=start)
    with session_scope(db_engine) as session:
        assert accept(session=session, agent_id=agent, conversation_id=done, now=start)
        close(
            session=session,
            conversation_id=done,
            agent_id=agent,
            reason="resolved",
            now=start + timedelta(minutes=10),
        )
    busy = make_chat(db_engine, make_customer(db_engine))
    with session_scope(db_engine) as session:
        assert accept(session=session, agent_id=agent, conversation_id=busy)
    first = make_chat(db_engine, make_customer(db_engine), now=now_utc() - timedelta(minutes=2))
    second = make_chat(db_engine, make_customer(db_engine), now=now_utc() - timedelta(minutes=1))
    with session_scope(db_engine) as session:
        i1 = queue_info(session=session, conversation_id=first)
        i2 = queue_info(session=session, conversation_id=second)
    assert i1.average_handling_time == timedelta(minutes=10)
    assert (i1.position, i1.expected_wait) == (1, timedelta(minutes=10))
    assert (i2.position, i2.expected_wait) == (2, timedelta(minutes=20))


def test_transfer_moves_the_chat(db_engine: Engine) -> None:
    conv_id = make_chat(db_engine, make_customer(db_engine))
    a = make_agent(db_engine, "ann")
    b = make_agent(db_engine, "bob")
    off = make_agent(db_engine, "olaf", presence="offline")
    with session_scope(db_engine) as session:
        assert accept(session=session, agent_id=a, conversation_id=conv_id)
        with pytest.raises(AgentUnavailable):
            transfer(session=session, conversation_id=conv_id, from_agent_id=a, to_agent_id=off)
        with pytest.raises(NotAssignedAgent):
            transfer(session=session, conversation_id=conv_id, from_agent_id=b, to_agent_id=a)
        transfer(session=session, conversation_id=conv_id, from_agent_id=a, to_agent_id=b)
    with session_scope(db_engine) as session:
        with pytest.raises(NotAssignedAgent):
            post_agent_message(
                session=session,
                agent_id=a,
                conversation_id=conv_id,
                client_msg_id="x",
                body="still here?",
            )
        post_agent_message(
            session=session, agent_id=b, conversation_id=conv_id, client_msg_id="y", body="Bonjour"
        )
        events = [
            m.meta.get("event")
            for m in messages_since(session=session, conversation_id=conv_id)
            if m.author_kind == "system"
        ]
        assert events == ["agent_joined", "agent_left", "agent_joined"]
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "chat.transfer")).all()
        assert [(e.actor_id, e.details["to"]) for e in audit] == [(a, b)]


def test_leave_message_and_switch_to_assistant(db_engine: Engine) -> None:
    alice, bob = make_customer(db_engine), make_customer(db_engine)
    a_chat = make_chat(db_engine, alice)
    b_chat = make_chat(db_engine, bob, "nl")
    with session_scope(db_engine) as session:
        with pytest.raises(ChatNotFound):
            leave_message(
                session=session,
                customer_id=bob,
                conversation_id=a_chat,
                client_msg_id="m",
                body="not mine",
            )
        first = leave_message(
            session=session,
            customer_id=alice,
            conversation_id=a_chat,
            client_msg_id="m1",
            body="Rappelez-moi svp",
        )
        resent = leave_message(
            session=session,
            customer_id=alice,
            conversation_id=a_chat,
            client_msg_id="m1",
            body="Rappelez-moi svp",
        )
        assert resent.id == first.id
        assert [r.conversation_id for r in left_messages(session=session)] == [a_chat]
        switch_to_assistant(session=session, customer_id=bob, conversation_id=b_chat)
        with pytest.raises(InvalidChatState):
            switch_to_assistant(session=session, customer_id=bob, conversation_id=b_chat)
    with session_scope(db_engine) as session:
        a_conv = session.get(Conversation, a_chat)
        b_conv = session.get(Conversation, b_chat)
        assert a_conv is not None and b_conv is not None
        assert (a_conv.status, b_conv.status) == ("closed", "abandoned")
        assert waiting_queue(session=session) == []
        # A new request after abandoning starts a fresh chat.
        assert request_chat(session=session, customer_id=bob, locale="nl").id != b_chat


def test_customer_close_and_idor(db_engine: Engine) -> None:
    alice, mallory = make_customer(db_engine), make_customer(db_engine)
    conv_id = make_chat(db_engine, alice)
    agent = make_agent(db_engine, "sophie")
    with session_scope(db_engine) as session:
        assert accept(session=session, agent_id=agent, conversation_id=conv_id)
        with pytest.raises(ChatNotFound):
            post_customer_message(
                session=session,
                customer_id=mallory,
                conversation_id=conv_id,
                client_msg_id="evil",
                body="hi",
            )
        with pytest.raises(ChatNotFound):
            customer_transcript(session=session, customer_id=mallory, conversation_id=conv_id)
        with pytest.raises(ChatNotFound):
            close_by_customer(session=session, customer_id=mallory, conversation_id=conv_id)
        close_by_customer(session=session, customer_id=alice, conversation_id=conv_id)
        close_by_customer(session=session, customer_id=alice, conversation_id=conv_id)
        assert (
            rate_chat(session=session, customer_id=alice, conversation_id=conv_id, rating=1).rating
            == 1
        )


def test_notes_never_reach_the_customer(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    conv_id = make_chat(db_engine, customer)
    agent = make_agent(db_engine, "sophie")
    with session_scope(db_engine) as session:
        assert accept(session=session, agent_id=agent, conversation_id=conv_id)
        post_customer_message(
            session=session,
            customer_id=customer,
            conversation_id=conv_id,
            client_msg_id="c1",
            body="<script>alert(1)</script>",
        )
        add_note(
            session=session,
            conversation_id=conv_id,
            agent_id=agent,
            body="SECRET: customer seems confused",
        )
    with session_scope(db_engine) as session:
        assert [n.body for n in notes_for(session=session, conversation_id=conv_id)] == [
            "SECRET: customer seems confused"
        ]
        bodies = [m.body for m in messages_since(session=session, conversation_id=conv_id)]
        assert not any("SECRET" in b for b in bodies)
        transcript = customer_transcript(
            session=session, customer_id=customer, conversation_id=conv_id
        )
        assert "SECRET" not in transcript
        assert "Vous: <script>alert(1)</script>" in transcript  # plain text; the UI escapes
        assert "Sophie a rejoint la conversation." in transcript


def test_outside_hours_refused_with_reason(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    hours = parse_opening_hours({"weekly": {"mon": [["08:00", "20:00"]]}})
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    with session_scope(db_engine) as session:
        with pytest.raises(ChatUnavailable) as caught:
            request_chat(
                session=session, customer_id=customer, locale="en", hours=hours, now=sunday
            )
        assert caught.value.status.reason == "outside_hours"
        assert caught.value.status.next_open == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
        monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        conv = request_chat(
            session=session, customer_id=customer, locale="en", hours=hours, now=monday
        )
        assert conv.status == "waiting"


def test_routing_rounds_from_several_workers_respect_capacity(db_engine: Engine) -> None:
    """Every worker runs the routing job; together they must fill agents fairly and never
    beyond capacity, and hand each chat to exactly one agent."""
    chats = [make_chat(db_engine, make_customer(db_engine), "nl") for _ in range(7)]
    first = make_agent(db_engine, "anke", ["nl"], capacity=2)
    second = make_agent(db_engine, "bram", ["nl", "fr"], capacity=3)
    make_agent(db_engine, "away", ["nl"], capacity=5, presence=Presence.AWAY)
    results: list[list[tuple[str, str]]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(route_round(engine=db_engine))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    routed = [pair for batch in results for pair in batch]
    assert len(routed) == 5  # 2 + 3 seats for 7 waiting chats
    assert len({c for c, _ in routed}) == 5
    with session_scope(db_engine) as session:
        assert active_chat_count(session=session, agent_id=first) == 2
        assert active_chat_count(session=session, agent_id=second) == 3
        waiting = [e.conversation_id for e in waiting_queue(session=session)]
        # the oldest went first: the two left are the two newest requests
        assert waiting == chats[5:]
        for conversation_id, _agent in routed:
            joined = [
                m
                for m in messages_since(session=session, conversation_id=conversation_id)
                if m.meta.get("event") == "agent_joined"
            ]
            assert len(joined) == 1
    assert route_round(engine=db_engine) == []  # nobody has room: nothing moves
