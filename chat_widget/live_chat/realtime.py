"""In-process wake-ups and typing indicators for live chat (one worker's event loop).

The database stays the source of truth: a listener wakes up when something is announced here
(same worker, immediately) or after a short timeout (another worker wrote it), and then reads
``messages_since`` from the database. Nothing is lost if a wake-up is missed; it only comes
up to one timeout later. Typing indicators are ephemeral and per worker by design.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

#: Key every console listens on: the waiting queue changed (new request, accept, leave…).
QUEUE = "queue"
#: How long a "is typing" signal stays visible without a new keystroke.
TYPING_TTL = 4.0


class Notifier:
    """Wake waiters on keys (a conversation id, ``QUEUE``, ``agent:<id>``)."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def notify(self, *keys: str) -> None:
        for key in keys:
            event = self._events.pop(key, None)
            if event is not None:
                event.set()

    async def wait(self, keys: Iterable[str], timeout: float) -> bool:
        """True when woken by ``notify``, False on timeout."""
        events = [self._events.setdefault(k, asyncio.Event()) for k in keys]
        if not events:
            await asyncio.sleep(timeout)
            return False
        waiters = [asyncio.ensure_future(e.wait()) for e in events]
        try:
            done, _ = await asyncio.wait(
                waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for w in waiters:
                w.cancel()
        return bool(done)


class TypingBoard:
    """Who is typing in which conversation, for ``TYPING_TTL`` seconds after the last key."""

    def __init__(self, ttl: float = TYPING_TTL) -> None:
        self._ttl = ttl
        self._until: dict[tuple[str, str], float] = {}

    def touch(self, conversation_id: str, side: str) -> bool:
        """Record a keystroke; True if the side was not already shown as typing."""
        key = (conversation_id, side)
        now = time.monotonic()
        fresh = self._until.get(key, 0.0) <= now
        self._until[key] = now + self._ttl
        return fresh

    def clear(self, conversation_id: str, side: str) -> None:
        self._until.pop((conversation_id, side), None)

    def is_typing(self, conversation_id: str, side: str) -> bool:
        return self._until.get((conversation_id, side), 0.0) > time.monotonic()


notifier = Notifier()
typing_board = TypingBoard()
