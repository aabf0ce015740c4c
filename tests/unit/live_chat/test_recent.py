"""The messages a process just stored, handed to its consoles (live_chat.recent): only a
gap-free run of the customer's own messages is handed over; anything else reads the database."""

from __future__ import annotations

import asyncio

from chat_widget.domain.clock import epoch_ms
from chat_widget.domain.models import AuthorKind, Message
from chat_widget.live_chat.bus import bus
from chat_widget.live_chat.realtime import customer_message_key, from_customer
from chat_widget.live_chat.recent import (
    RecentMessages,
    announce_customer_messages,
    recent_messages,
)


def _message(seq: int, author: AuthorKind = AuthorKind.CUSTOMER, chat: str = "c1") -> Message:
    return Message(
        conversation_id=chat,
        seq=seq,
        client_msg_id=f"m{seq}",
        author_kind=author,
        body=f"message {seq}",
    )


def test_a_run_of_the_customers_messages_after_what_is_shown_is_handed_over_in_order() -> None:
    recent = RecentMessages()
    for seq in (8, 6, 7):
        recent.put(_message(seq))
    found = recent.after("c1", 5, [8, 6])
    assert found is not None
    assert [m.seq for m in found] == [6, 7, 8]
    assert [m.body for m in found] == ["message 6", "message 7", "message 8"]


def test_a_gap_another_author_or_another_chat_reads_the_database() -> None:
    recent = RecentMessages()
    recent.put(_message(6))
    recent.put(_message(8))
    recent.put(_message(7, chat="c2"))
    assert recent.after("c1", 5, [8]) is None  # seq 7 of c1 was stored elsewhere
    recent.put(_message(7, author=AuthorKind.AGENT))
    assert recent.after("c1", 5, [8]) is None  # the agent's message: not handed over
    assert recent.after("c2", 6, [7]) is not None


def test_what_the_console_shows_already_needs_nothing() -> None:
    recent = RecentMessages()
    assert recent.after("c1", 9, [8, 9]) == []


def test_the_oldest_entries_go_first_when_full() -> None:
    recent = RecentMessages(capacity=3)
    for seq in range(1, 6):
        recent.put(_message(seq))
    assert len(recent) == 3
    assert recent.after("c1", 0, [5]) is None  # 1 and 2 were evicted
    found = recent.after("c1", 2, [5])
    assert found is not None and [m.seq for m in found] == [3, 4, 5]


def test_announced_messages_are_noted_on_the_bus_and_handed_over_to_the_woken_console() -> None:
    chat = "c-announced"
    messages = [_message(1, chat=chat), _message(2, chat=chat)]

    async def console() -> tuple[set[str], list[Message] | None]:
        with bus().subscribe([from_customer(chat)]) as sub:
            announce_customer_messages(chat, messages)
            keys = await sub.wait(2)
            return keys, recent_messages.after(chat, 0, [1, 2])

    keys, found = asyncio.run(console())
    assert keys == {customer_message_key(chat, m.seq, epoch_ms(m.created_at)) for m in messages}
    assert found == messages
