"""The console's wait query (``waiting_since_by_chat``, one aggregate row per chat) agrees with
the written rule (``waiting_since``, unit-tested on plain data) on real databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.conversations import start_conversation
from chat_widget.conversations.messages import append_message
from chat_widget.domain.clock import pinned
from chat_widget.live_chat.waiting import waiting_since, waiting_since_by_chat
from tests.integration.live_chat.helpers import make_customer

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

#: Author sequences, one conversation each: waits that start, end, restart, and none.
CASES = [
    [],
    ["system"],
    ["customer"],
    ["system", "customer", "customer", "system"],
    ["customer", "agent"],
    ["customer", "agent", "customer", "customer"],
    ["customer", "assistant", "system", "customer"],
    ["agent", "system"],
    ["customer", "customer", "agent", "system", "agent", "customer"],
]


def test_the_query_finds_the_wait_the_rule_defines(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    expected: dict[str, datetime | None] = {}
    for authors in CASES:
        with session_scope(db_engine) as s:
            conversation = start_conversation(
                session=s, customer_id=customer, channel="live_chat", locale="fr"
            )
            conversation_id = conversation.id
        said: list[tuple[str, datetime]] = []
        for minute, author in enumerate(authors):
            at = T0 + timedelta(minutes=minute)
            with pinned(at), session_scope(db_engine) as s:
                append_message(
                    session=s,
                    conversation_id=conversation_id,
                    client_msg_id=f"m{minute}",
                    author_kind=author,
                    author_id=None,
                    body=f"line {author}",
                )
            said.append((author, at))
        expected[conversation_id] = waiting_since(said)
    with session_scope(db_engine) as s:
        found = waiting_since_by_chat(session=s, conversation_ids=list(expected))
    assert found == {cid: at for cid, at in expected.items() if at is not None}
    # The rule's own cases hold: some chats wait, some do not.
    assert 0 < len(found) < len(CASES)
