"""The live-chat change bus: "conversation X changed", "the queue changed", "agent Y's chats
changed", pushed to every view concerned, on every worker, within milliseconds.

Messages carry keys only (a conversation id, ``queue``, ``agent:<id>`` …), never data: the
database stays the source of truth and a woken view reads only its delta from it. So a lost
notification costs latency (until the view's slow resync), never a message.

One ``Bus`` per process: ``publish`` hands the keys to the process's ``Hub`` at once (views on
this worker) and to the backend for the other workers:

* ``RedisBackend`` (``REDIS_URL`` set: the multi-worker deployment) — Redis pub/sub;
* ``PostgresBackend`` (PostgreSQL without Redis) — ``LISTEN``/``NOTIFY``;
* nothing more for SQLite (one process serves it; ``realtime.ExternalWrites`` notices the
  writes of other processes, e.g. scripts, through ``PRAGMA data_version``).

Each backend has one receiving connection per process that feeds the hub; the hub fans a key
out to the subscriptions (one per open view) that listen on it. Publishing is fire-and-forget
and batched: the keys published during one event-loop turn go out as one message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Iterable
from typing import Protocol

log = logging.getLogger(__name__)

#: Redis channel / PostgreSQL notification channel the workers share.
CHANNEL = "cw_live"
#: Delivered to every subscription after a backend reconnects: notifications may have been
#: lost meanwhile, so every view re-reads once.
RESYNC = "*resync*"
#: PostgreSQL refuses payloads of 8000 bytes or more; longer batches are split.
MAX_PAYLOAD = 7000
#: A key may carry a note after this mark ("<conversation>:from-customer#m12.1733…": the
#: customer's message seq 12 at that time). It wakes the subscriptions of the key before the
#: mark and reaches them whole, so a view can apply what the note says without a read.
NOTE = "#"


class Subscription:
    """One view's interest in some keys; ``wait`` returns the keys that were published."""

    def __init__(self, hub: Hub, keys: Iterable[str]) -> None:
        self._hub = hub
        self.keys: frozenset[str] = frozenset()
        self._dirty: set[str] = set()
        self._waiter: asyncio.Future[None] | None = None
        self.set_keys(keys)

    def set_keys(self, keys: Iterable[str]) -> None:
        """Listen on these keys from now on (a console's chats change as it takes them)."""
        new = frozenset(keys)
        self._hub._move(self, self.keys, new)
        self.keys = new

    def _mark(self, key: str) -> None:
        self._dirty.add(key)
        _wake(self._waiter)

    def pending(self) -> set[str]:
        """Take the keys published since the last call without waiting."""
        dirty, self._dirty = self._dirty, set()
        return dirty

    async def wait(self, timeout: float) -> set[str]:
        """The keys published since the last call; an empty set after ``timeout`` seconds.

        A bare future and a timer, not ``asyncio.wait_for(event.wait())``: on Python 3.11
        that wraps the wait in a task of its own, so a published key reached the listener
        two loop turns later than its own wake-up would, and the task, its timeout and the
        event's waiter were built again at every wake-up (5.8 % of the interpreter's time
        under 1,000 customers, ``bench/spy_chat_load.sh``)."""
        if not self._dirty:
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            timer = loop.call_later(max(0.0, timeout), _wake, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
        return self.pending()

    def close(self) -> None:
        self._hub._move(self, self.keys, frozenset())
        self.keys = frozenset()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class Hub:
    """This process's fan-out: key -> the subscriptions listening on it. Event-loop only."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = {}
        #: Changes whenever a key gains its first or loses its last subscription, so a
        #: watcher of the keys (``realtime.ExternalWrites``) lists them only when they moved.
        self.layout = 0

    def subscribe(self, keys: Iterable[str]) -> Subscription:
        return Subscription(self, keys)

    def _move(self, sub: Subscription, old: frozenset[str], new: frozenset[str]) -> None:
        for key in old - new:
            subs = self._subs.get(key)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[key]
                    self.layout += 1
        for key in new - old:
            subs = self._subs.get(key)
            if subs is None:
                subs = self._subs[key] = set()
                self.layout += 1
            subs.add(sub)

    def deliver(self, keys: Iterable[str]) -> None:
        for key in keys:
            if key == RESYNC:
                for subs in list(self._subs.values()):
                    for sub in subs:
                        sub._mark(RESYNC)
                continue
            for sub in self._subs.get(key.partition(NOTE)[0], ()):
                sub._mark(key)

    def watched(self) -> list[str]:
        return list(self._subs)

    def __len__(self) -> int:
        return len({s for subs in self._subs.values() for s in subs})


class Backend(Protocol):
    """Carries keys between processes."""

    async def send(self, payload: str) -> None: ...

    async def receive(self, deliver: _Deliver) -> None:
        """Run until cancelled, calling ``deliver(payload)`` for every message; raise on a lost
        connection (the bus reconnects)."""
        ...

    async def close(self) -> None: ...


class _Deliver(Protocol):
    def __call__(self, payload: str) -> None: ...


class RedisBackend:
    """Redis pub/sub: one subscribing connection per process. Channels are shared by every
    database number of a Redis server, so the channel is named after the app's database:
    two deployments (or test runs) on one Redis never wake each other."""

    def __init__(self, url: str, scope: str = "") -> None:
        import redis.asyncio as aioredis

        self._url = url
        self._channel = f"{CHANNEL}:{hashlib.sha256(scope.encode()).hexdigest()[:16]}"
        self._pub = aioredis.Redis.from_url(url)

    async def send(self, payload: str) -> None:
        await self._pub.publish(self._channel, payload)

    async def receive(self, deliver: _Deliver) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(self._url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            deliver(json.dumps({"o": "", "k": [RESYNC]}))  # subscribed: catch up once
            while True:
                message = await pubsub.get_message(timeout=30.0)
                if message is not None and message.get("type") == "message":
                    data = message["data"]
                    deliver(data.decode() if isinstance(data, bytes) else str(data))
        finally:
            await pubsub.aclose()
            await client.aclose()

    async def close(self) -> None:
        await self._pub.aclose()


class PostgresBackend:
    """PostgreSQL ``LISTEN``/``NOTIFY`` on ``CHANNEL``: one listening connection per process,
    one more to send (``pg_notify``; delivered to listeners when its transaction commits)."""

    def __init__(self, url: str) -> None:
        self._dsn = _libpq_dsn(url)
        self._pub: object | None = None
        self._lock = asyncio.Lock()

    async def send(self, payload: str) -> None:
        import psycopg

        async with self._lock:
            for attempt in (1, 2):
                if self._pub is None or getattr(self._pub, "closed", True):
                    self._pub = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
                conn: psycopg.AsyncConnection[object] = self._pub  # type: ignore[assignment]
                try:
                    await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                    return
                except psycopg.OperationalError:
                    self._pub = None
                    if attempt == 2:
                        raise

    async def receive(self, deliver: _Deliver) -> None:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        try:
            await conn.execute(f"LISTEN {CHANNEL}")
            deliver(json.dumps({"o": "", "k": [RESYNC]}))
            async for note in conn.notifies():
                deliver(note.payload)
        finally:
            await conn.close()

    async def close(self) -> None:
        pub = self._pub
        self._pub = None
        if pub is not None:
            await pub.close()  # type: ignore[attr-defined]


def _libpq_dsn(url: str) -> str:
    """``postgresql+psycopg://…`` (SQLAlchemy) to a libpq URL."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


class Bus:
    """Publish keys to this process's views at once and to the other workers' through the
    backend; receive theirs. Start-up is lazy (first publish or subscription on a loop)."""

    def __init__(self, backend: Backend | None = None) -> None:
        self.hub = Hub()
        self.backend = backend
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._outbox: set[str] = set()
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.received = 0

    def _ensure_started(self) -> None:
        if self.backend is None:
            return
        loop = asyncio.get_running_loop()
        if self._loop is loop and all(not t.done() for t in self._tasks):
            return
        for task in self._tasks:
            task.cancel()
        self._loop = loop
        self._wake = asyncio.Event()
        self._tasks = [loop.create_task(self._send_loop()), loop.create_task(self._receive_loop())]

    def subscribe(self, keys: Iterable[str]) -> Subscription:
        self._ensure_started()
        return self.hub.subscribe(keys)

    def publish(self, *keys: str) -> None:
        """Wake this worker's views on ``keys`` now, the other workers' a moment later."""
        if not keys:
            return
        self.hub.deliver(keys)
        if self.backend is None:
            return
        try:
            self._ensure_started()
        except RuntimeError:  # no running loop (a script): local delivery is all there is
            return
        self._outbox.update(keys)
        assert self._wake is not None
        self._wake.set()

    async def send_now(self, *keys: str) -> None:
        """Publish from outside a long-running loop (scripts, the bench): sent before return."""
        self.hub.deliver(keys)
        if self.backend is not None:
            for payload in self._payloads(set(keys)):
                await self.backend.send(payload)

    def _payloads(self, keys: set[str]) -> list[str]:
        batches: list[list[str]] = [[]]
        size = 0
        for key in sorted(keys):
            if size + len(key) > MAX_PAYLOAD and batches[-1]:
                batches.append([])
                size = 0
            batches[-1].append(key)
            size += len(key) + 4
        return [json.dumps({"o": self.origin, "k": batch}) for batch in batches]

    async def _send_loop(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(0)  # let this loop turn's other publishes join the batch
            keys, self._outbox = self._outbox, set()
            for payload in self._payloads(keys):
                try:
                    await self.backend.send(payload)  # type: ignore[union-attr]
                except Exception:  # the other workers catch up at their resync
                    log.warning("live bus: publish failed", exc_info=True)

    def _on_payload(self, payload: str) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if message.get("o") == self.origin:
            return  # our own publish: delivered locally already
        keys = message.get("k")
        if isinstance(keys, list):
            self.received += 1
            self.hub.deliver(str(k) for k in keys)

    async def _receive_loop(self) -> None:
        delay = 0.2
        while True:
            try:
                await self.backend.receive(self._on_payload)  # type: ignore[union-attr]
                delay = 0.2
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live bus: receiver lost, reconnecting", exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []
        if self.backend is not None:
            await self.backend.close()


def backend_for(*, redis_url: str | None, database_url: str) -> Backend | None:
    """Redis when the app has one (several workers share it), else PostgreSQL's own
    LISTEN/NOTIFY, else nothing (SQLite: one process)."""
    if redis_url:
        return RedisBackend(redis_url, scope=database_url)
    if database_url.startswith("postgresql"):
        return PostgresBackend(database_url)
    return None


_bus: list[Bus] = []


def bus() -> Bus:
    """The process's bus, with the backend the settings call for."""
    if not _bus:
        from chat_widget.settings import get_settings

        cfg = get_settings()
        _bus.append(Bus(backend_for(redis_url=cfg.redis_url, database_url=cfg.database_url)))
    return _bus[0]


def publish(*keys: str) -> None:
    """Announce a change to every view concerned on every worker (fire-and-forget)."""
    bus().publish(*keys)
