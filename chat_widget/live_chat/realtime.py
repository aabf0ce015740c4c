"""In-process wake-ups and typing indicators for live chat (one worker's event loop).

With ``REDIS_URL`` the typing indicators live in Redis (short TTL keys), so they also work
when the customer and the agent are served by different workers.

The database stays the source of truth: a listener wakes up when something is announced here
(same worker, immediately) or after a short timeout (another worker wrote it), and then reads
``messages_since`` from the database. Nothing is lost if a wake-up is missed; it only comes
up to one timeout later. Typing indicators are ephemeral.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

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


class RedisTypingBoard:
    """The same board in Redis (keys with a TTL), so several workers share the indicators."""

    def __init__(self, url: str, ttl: float = TYPING_TTL, prefix: str = "cw:typing:") -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.Redis.from_url(url)
        self._ttl_ms = int(ttl * 1000)
        self._prefix = prefix

    def _key(self, conversation_id: str, side: str) -> str:
        return f"{self._prefix}{conversation_id}:{side}"

    # A Redis hiccup only costs the indicator: it must never break a chat, so errors degrade.

    async def touch(self, conversation_id: str, side: str) -> bool:
        key = self._key(conversation_id, side)
        try:
            fresh = await self._redis.set(key, "1", px=self._ttl_ms, nx=True)
            if not fresh:
                await self._redis.pexpire(key, self._ttl_ms)
        except RedisError:
            log.warning("typing indicator: redis unavailable")
            return False
        return bool(fresh)

    async def clear(self, conversation_id: str, side: str) -> None:
        try:
            await self._redis.delete(self._key(conversation_id, side))
        except RedisError:
            log.warning("typing indicator: redis unavailable")

    async def is_typing(self, conversation_id: str, side: str) -> bool:
        try:
            return bool(await self._redis.exists(self._key(conversation_id, side)))
        except RedisError:
            return False


class LocalTypingBoard:
    """Async facade over ``TypingBoard`` (one worker), same interface as ``RedisTypingBoard``."""

    def __init__(self, ttl: float = TYPING_TTL) -> None:
        self._board = TypingBoard(ttl)

    async def touch(self, conversation_id: str, side: str) -> bool:
        return self._board.touch(conversation_id, side)

    async def clear(self, conversation_id: str, side: str) -> None:
        self._board.clear(conversation_id, side)

    async def is_typing(self, conversation_id: str, side: str) -> bool:
        return self._board.is_typing(conversation_id, side)


_boards: dict[str, LocalTypingBoard | RedisTypingBoard] = {}


def typing_board(redis_url: str | None = None) -> LocalTypingBoard | RedisTypingBoard:
    """The process's typing board: in Redis when the app runs with ``REDIS_URL``."""
    key = redis_url or ""
    if key not in _boards:
        _boards[key] = RedisTypingBoard(key) if key else LocalTypingBoard()
    return _boards[key]


notifier = Notifier()
