"""Wake-up keys, typing indicators and the watch on other processes' writes for live chat.

With ``REDIS_URL`` the typing indicators live in Redis (short TTL keys), so they also work
when the customer and the agent are served by different workers.

The database stays the source of truth: a listener wakes up when a key it listens on is
published on the live bus (``bus.py``: this worker at once, the others through Redis or
PostgreSQL) or, on SQLite, when ``ExternalWrites`` sees another process move it, and then
reads only its delta from the database. A missed wake-up costs latency up to the view's slow
resync, never a message. Typing indicators are ephemeral.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from chat_widget.live_chat.bus import NOTE

if TYPE_CHECKING:
    from chat_widget.live_chat.bus import Hub

log = logging.getLogger(__name__)

#: Key every console listens on: the waiting queue changed (new request, accept, leave…).
QUEUE = "queue"
#: How long a "is typing" signal stays visible without a new keystroke.
TYPING_TTL = 4.0


_FROM_CUSTOMER = ":from-customer"


def from_customer(conversation_id: str) -> str:
    """Key the console listens on for what only the customer's side did (their message, read
    receipt, typing): the customer's own listener has nothing to read for those."""
    return f"{conversation_id}{_FROM_CUSTOMER}"


def customer_message_key(conversation_id: str, seq: int, at_ms: int) -> str:
    """``from_customer`` noting the customer's new message (its seq and epoch ms): a console
    holding the chat without showing it counts it unread and starts its wait from the note,
    without reading its chats again (``console_sync.plan``)."""
    return f"{from_customer(conversation_id)}{NOTE}m{seq}.{at_ms}"


def customer_receipt_key(conversation_id: str) -> str:
    """``from_customer`` noting the customer's read receipt: only the open chat shows it."""
    return f"{from_customer(conversation_id)}{NOTE}r"


@dataclass(frozen=True)
class CustomerMessageNote:
    conversation_id: str
    seq: int
    at_ms: int


def customer_note(key: str) -> CustomerMessageNote | str | None:
    """What a noted ``from_customer`` key says: its message, "r" for a read receipt, None
    for any other key (a key without a note, or a note this code does not know)."""
    base, mark, note = key.partition(NOTE)
    if not mark or not base.endswith(_FROM_CUSTOMER):
        return None
    if note == "r":
        return note
    seq, dot, at_ms = note[1:].partition(".")
    if note[:1] != "m" or not dot or not seq.isdigit() or not at_ms.isdigit():
        return None
    return CustomerMessageNote(base[: -len(_FROM_CUSTOMER)], int(seq), int(at_ms))


def key_base(key: str) -> str:
    """The key without its note."""
    return key.partition(NOTE)[0]


def view_key(client_token: str) -> str:
    """Key a client's own listeners wait on (e.g. its widget was opened or closed)."""
    return f"view:{client_token}"


def typing_key(conversation_id: str, side: str) -> str:
    """Key the other side listens on for ``side`` typing (nothing to read in the database)."""
    return f"{conversation_id}:typing:{side}"


def read_key(conversation_id: str) -> str:
    """Key the customer listens on for the agent's read receipt (one small read)."""
    return f"{conversation_id}:read"


def agent_receipt_key(conversation_id: str, seq: int) -> str:
    """``read_key`` noting the seq the agent has read up to: the customer's view shows the
    receipt from the note, without reading the database (``agent_receipt``)."""
    return f"{read_key(conversation_id)}{NOTE}{seq}"


def agent_receipt(keys: Iterable[str], conversation_id: str) -> int | None:
    """The highest seq the agent's noted read receipts among ``keys`` say for this chat; None
    when a receipt key has no note this code knows (read the database then) or none is there."""
    base = read_key(conversation_id)
    seqs: list[int] = []
    for key in keys:
        head, mark, note = key.partition(NOTE)
        if head != base:
            continue
        if not mark or not note.isdigit():
            return None
        seqs.append(int(note))
    return max(seqs) if seqs else None


def has_receipt(keys: Iterable[str], conversation_id: str) -> bool:
    """Whether ``keys`` hold the agent's read receipt for this chat, noted or not."""
    base = read_key(conversation_id)
    return any(key.partition(NOTE)[0] == base for key in keys)


#: ``db:<key>``: delivered by ``ExternalWrites`` when another process changed ``<key>``.
DB_PREFIX = "db:"


def db_key(key: str) -> str:
    return DB_PREFIX + key


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


class ExternalWrites:
    """SQLite only: notice what other processes (scripts, a test, the bench) commit.

    The live bus carries this process's own changes; a process that writes the database
    without publishing (there is no bus between processes on SQLite) is seen here. Every
    ``interval`` the process's ``WalSync`` says whether a commit other than its own happened
    (``PRAGMA data_version`` against what its own commits explain; no table is read); only
    then, or every ``full_every`` seconds (a safety net: each full read also wakes the views
    of every key this process moved meanwhile, hundreds under load), are the versions of the keys views listen on as
    ``db:<key>`` read (two or three queries for all of them) and the keys whose version moved
    delivered to the hub. A view woken by ``db:<key>`` compares the
    version with what it shows and reads only when there is something new.
    """

    def __init__(
        self,
        sqlite_path: str,
        read: Callable[[list[str]], Awaitable[Mapping[str, Hashable]]],
        hub: Hub,
        interval: float = 0.25,
        full_every: float = 60.0,
    ) -> None:
        self._path = sqlite_path
        self._full_every = full_every
        self._read = read
        self._hub = hub
        self._interval = interval
        self._versions: dict[str, Hashable] = {}
        self._task: asyncio.Task[None] | None = None

    def ensure(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run())

    def version(self, key: str) -> Hashable | None:
        """The version of ``key`` (without ``db:``) at the last read; None before it."""
        return self._versions.get(key)

    async def _run(self) -> None:
        from chat_widget.adapters.sqlite_group_commit import wal_sync_for

        sync = wal_sync_for(self._path)
        if sync is None:
            return
        sync.watch_others()
        last_full = time.monotonic()
        keys: list[str] = []
        layout = -1
        while True:
            try:
                others = await asyncio.to_thread(sync.others_committed)
                if layout != self._hub.layout:  # listed again only when views came or went
                    layout = self._hub.layout
                    keys = [k[3:] for k in self._hub.watched() if k.startswith(DB_PREFIX)]
                new = any(k not in self._versions for k in keys)
                # The slow full check covers the one change ``others_committed`` cannot see.
                due = time.monotonic() - last_full >= self._full_every
                if keys and (others or new or due):
                    last_full = time.monotonic()
                    found = await self._read(keys)
                    moved = [
                        k
                        for k in keys
                        if k not in self._versions or self._versions[k] != found.get(k)
                    ]
                    self._versions = {k: found.get(k) for k in keys}
                    if moved:
                        self._hub.deliver(DB_PREFIX + k for k in moved)
            except Exception:  # a database hiccup: views still resync on their own
                log.exception("external write watch failed")
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


class BusNotifier:
    """``notify``/``wait`` over the process's live bus (``bus.py``): a notification reaches
    the waiters of every worker, not only this one's."""

    def notify(self, *keys: str) -> None:
        from chat_widget.live_chat.bus import publish

        publish(*keys)

    async def wait(self, keys: Iterable[str], timeout: float) -> bool:
        """True when woken by ``notify`` (on any worker), False on timeout."""
        from chat_widget.live_chat.bus import bus

        with bus().subscribe(keys) as sub:
            return bool(await sub.wait(timeout))


notifier = BusNotifier()
