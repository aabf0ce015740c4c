"""The customers' messages this process has just stored, handed to a console of the same
process so that it shows them without reading them back.

A customer's send publishes ``<id>:from-customer#m<seq>.<ms>`` (``realtime.customer_message_key``).
The console that has that chat open used to answer every such note with a database read of
the messages after its last seq (a hop to the thread pool, three queries) before it could
push the message to the agent: half of the time between the customer's acknowledgement and
the agent seeing the message (``docs/live-chat.md``, "the message handed to the console").
When the sender was served by this process, the stored message (its stored form: masked by
the guard, with its seq and time) is here already.

Only a gap-free run of seqs right after what the console shows is handed over; anything else
(a message stored by another worker or process, an agent's or system message in between,
an entry evicted) returns None and the console reads the database as before. The database
stays the source of truth: this is a cache of rows just committed, bounded in size, never
a place a message lives only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence

from chat_widget.domain.clock import epoch_ms
from chat_widget.domain.models import AuthorKind, Message
from chat_widget.live_chat.realtime import customer_message_key, notifier

#: Enough for every message sent in the last few seconds at 1,000 messages a second.
CAPACITY = 4096


class RecentMessages:
    """(conversation id, seq) → the stored message, oldest evicted first. Used from the
    event loop only (the send handler puts, the console's listener takes)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._items: OrderedDict[tuple[str, int], Message] = OrderedDict()

    def put(self, message: Message) -> None:
        key = (message.conversation_id, message.seq)
        self._items[key] = message
        self._items.move_to_end(key)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def after(
        self, conversation_id: str, after_seq: int, seqs: Iterable[int]
    ) -> list[Message] | None:
        """The messages ``after_seq + 1`` … ``max(seqs)`` of the chat, in order, when every one
        of them is here and was written by the customer; None otherwise (read the database).
        Seqs at or below ``after_seq`` are already shown and ignored."""
        newest = max((s for s in seqs if s > after_seq), default=after_seq)
        if newest == after_seq:
            return []
        found: list[Message] = []
        for seq in range(after_seq + 1, newest + 1):
            message = self._items.get((conversation_id, seq))
            if message is None or message.author_kind != AuthorKind.CUSTOMER:
                return None
            found.append(message)
        return found

    def __len__(self) -> int:
        return len(self._items)


recent_messages = RecentMessages()


def announce_customer_messages(conversation_id: str, messages: Sequence[Message]) -> None:
    """Note the customer's just-stored messages on the live bus, after handing them to this
    process's consoles: a console woken by the note must find them here, or it reads them."""
    if not messages:
        return
    for message in messages:
        recent_messages.put(message)
    notifier.notify(
        *(customer_message_key(conversation_id, m.seq, epoch_ms(m.created_at)) for m in messages)
    )
