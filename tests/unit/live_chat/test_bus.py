"""The live bus in one process: the hub fans keys out to the subscriptions that listen on
them, publishes from other workers arrive through the backend, our own echo is dropped."""

from __future__ import annotations

import asyncio
import json

from chat_widget.live_chat.bus import RESYNC, Bus, Hub, backend_for


def test_hub_delivers_each_key_to_its_subscribers_only() -> None:
    async def scenario() -> list[set[str]]:
        hub = Hub()
        a = hub.subscribe(["c1", "queue"])
        b = hub.subscribe(["c2"])
        hub.deliver(["c1", "c1", "queue", "nobody"])
        got = [await a.wait(1), await b.wait(0.05)]
        b.set_keys(["c1"])
        hub.deliver(["c1"])
        got += [await a.wait(1), await b.wait(1)]
        a.close()
        hub.deliver(["c1", RESYNC])
        got += [await a.wait(0.05), await b.wait(1)]
        assert len(hub) == 1
        b.close()
        assert len(hub) == 0 and hub.watched() == []
        return got

    assert asyncio.run(scenario()) == [
        {"c1", "queue"},
        set(),
        {"c1"},
        {"c1"},
        set(),
        {"c1", RESYNC},
    ]


def test_a_noted_key_wakes_the_subscribers_of_its_base_and_reaches_them_whole() -> None:
    async def scenario() -> tuple[set[str], set[str]]:
        hub = Hub()
        a = hub.subscribe(["c1:from-customer"])
        b = hub.subscribe(["c1"])
        hub.deliver(["c1:from-customer#m7.1733000000000", "c1:from-customer#r"])
        return await a.wait(1), await b.wait(0.05)

    assert asyncio.run(scenario()) == (
        {"c1:from-customer#m7.1733000000000", "c1:from-customer#r"},
        set(),
    )


def test_a_wait_returns_at_once_when_a_key_came_before_it() -> None:
    async def scenario() -> set[str]:
        hub = Hub()
        sub = hub.subscribe(["c1"])
        hub.deliver(["c1"])
        return await sub.wait(0)

    assert asyncio.run(scenario()) == {"c1"}


class FakeWire:
    """Stands for Redis/PostgreSQL between two processes: what one sends, all receive."""

    def __init__(self) -> None:
        self.queues: list[asyncio.Queue[str]] = []
        self.sent: list[str] = []

    def end(self) -> WireEnd:
        return WireEnd(self)


class WireEnd:
    def __init__(self, wire: FakeWire) -> None:
        self.wire = wire

    async def send(self, payload: str) -> None:
        self.wire.sent.append(payload)
        for q in self.wire.queues:
            q.put_nowait(payload)

    async def receive(self, deliver) -> None:  # type: ignore[no-untyped-def]
        q: asyncio.Queue[str] = asyncio.Queue()
        self.wire.queues.append(q)
        while True:
            deliver(await q.get())

    async def close(self) -> None:
        return None


def test_publishes_cross_processes_batched_and_without_echo() -> None:
    async def scenario() -> tuple[list[set[str]], list[str], int]:
        wire = FakeWire()
        worker_a, worker_b = Bus(wire.end()), Bus(wire.end())
        on_a = worker_a.subscribe(["c1"])
        on_b = worker_b.subscribe(["c1", "queue"])
        await asyncio.sleep(0.01)  # both receivers attached
        worker_a.publish("c1")
        worker_a.publish("queue")  # same loop turn: one message on the wire
        got = [await on_a.wait(1), await on_b.wait(1)]
        await asyncio.sleep(0.01)
        got.append(await on_a.wait(0.05))  # no second wake-up from its own echo
        await worker_a.aclose()
        await worker_b.aclose()
        return got, wire.sent, worker_a.received

    got, sent, echoed = asyncio.run(scenario())
    assert got == [{"c1"}, {"c1", "queue"}, set()]
    assert len(sent) == 1 and sorted(json.loads(sent[0])["k"]) == ["c1", "queue"]
    assert echoed == 0


def test_backend_follows_the_settings() -> None:
    assert backend_for(redis_url=None, database_url="sqlite:///x.db") is None
    pg = backend_for(redis_url=None, database_url="postgresql+psycopg://u@h/db")
    assert type(pg).__name__ == "PostgresBackend"
    redis = backend_for(redis_url="redis://127.0.0.1:6379/0", database_url="postgresql://h/db")
    assert type(redis).__name__ == "RedisBackend"


def test_a_publish_resumes_its_listener_at_the_next_loop_turn() -> None:
    """The listener's wake-up is the publish's own: a callback scheduled right after the
    publish runs after the listener (``asyncio.wait_for`` around an event's wait took two
    more turns, each a wait behind every other ready callback under load). A wait that was
    cancelled leaves nothing behind for the next publish, and a timeout returns no keys."""
    hub = Hub()

    async def scenario() -> list[object]:
        sub = hub.subscribe({"chat-1"})
        order: list[object] = []

        async def listener() -> None:
            order.append(sorted(await sub.wait(5)))

        task = asyncio.create_task(listener())
        await asyncio.sleep(0)  # the listener is waiting
        hub.deliver(["chat-1"])
        asyncio.get_running_loop().call_soon(order.append, "next turn")
        await task
        cancelled = asyncio.create_task(sub.wait(5))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.gather(cancelled, return_exceptions=True)
        hub.deliver(["chat-1"])  # no waiter any more: kept for the next wait
        order.append(sorted(await sub.wait(5)))
        order.append(sorted(await sub.wait(0.01)))
        return order

    assert asyncio.run(scenario()) == [["chat-1"], "next turn", ["chat-1"], []]
