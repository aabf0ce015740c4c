"""Run in a separate process (spawn) by the concurrency test: its own engine, its own pool."""

from __future__ import annotations

from typing import Any

from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.conversations import append_message


def append_many(
    url: str, conversation_id: str, worker: int, count: int, barrier: Any, results: Any
) -> None:
    engine = make_engine(url)
    created_total = 0
    try:
        barrier.wait(timeout=60)  # both processes are up: start together
        for i in range(count):
            ids = [f"p{worker}-{i}"] + ([f"both-{i}"] if i % 4 == 0 else [])
            for cid in ids:
                with session_scope(engine) as session:
                    _, created = append_message(
                        session=session,
                        conversation_id=conversation_id,
                        client_msg_id=cid,
                        author_kind="customer",
                        author_id=None,
                        body=cid,
                    )
                    created_total += int(created)
    finally:
        engine.dispose()
    results.put(created_total)
