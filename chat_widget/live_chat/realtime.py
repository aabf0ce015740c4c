"""In-process wake-ups and typing indicators for live chat (one worker's event loop).

With ``REDIS_URL`` the typing indicators live in Redis (short TTL keys), so they also work
when the customer and the agent are served by different workers.

The database stays the source of truth: a listener wakes up when something is announced here
(same worker, immediately) or when the process's ``ChangeWatcher`` sees its conversation move
in the database (another worker or process wrote it; one poll per process), and then reads
``messages_since`` from the database. Nothing is lost if a wake-up is missed; it only comes
up to one poll later. Typing indicators are ephemeral.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

#: Key every console listens on: the waiting queue changed (new request, accept, leave…).
QUEUE = "queue"
#: How long a "is typing" signal stays visible without a new keystroke.
TYPING_TTL = 4.0


def from_customer(conversation_id: str) -> str:
    """Key the console listens on for what only the customer's side did (their message, read
    receipt, typing): the customer's own listener has nothing to read for those."""
    return f"{conversation_id}:from-customer"


def view_key(client_token: str) -> str:
    """Key a client's own listeners wait on (e.g. its widget was opened or closed)."""
    return f"view:{client_token}"


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


class ChangeWatcher:
    """One database poll per process for all the conversations its listeners show.

    ``read`` returns a cheap version of each conversation id asked for (e.g. last seq, status,
    read receipt). A listener ``watch``-es its conversation and compares ``version(id)`` with the
    version it last read the full view at: only a moved version (or a wake-up) costs it a read.
    Without this, every open view read its whole view from the database every poll, so N open
    chats made N view reads per poll, queued in the same thread pool as the sends.
    """

    def __init__(
        self, read: Callable[[list[str]], Awaitable[Mapping[str, Hashable]]], interval: float
    ) -> None:
        self._read = read
        self._interval = interval
        self._counts: dict[str, int] = {}
        self._versions: dict[str, Hashable] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(self, key: str) -> None:
        self._counts[key] = self._counts.get(key, 0) + 1
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run())

    def unwatch(self, key: str) -> None:
        left = self._counts.get(key, 0) - 1
        if left > 0:
            self._counts[key] = left
        else:
            self._counts.pop(key, None)
            self._versions.pop(key, None)

    def version(self, key: str) -> Hashable | None:
        """The conversation's version at the last poll; None before its first poll."""
        return self._versions.get(key)

    async def _run(self) -> None:
        while self._counts:
            keys = list(self._counts)
            try:
                found = await self._read(keys)
            except Exception:  # a database hiccup: listeners still resync on their own
                log.exception("change watcher poll failed")
            else:
                for key in keys:
                    if key in self._counts:
                        self._versions[key] = found.get(key)
            await asyncio.sleep(self._interval)


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
