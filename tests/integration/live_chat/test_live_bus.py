"""The live bus between two "workers" (two Bus objects, each with its own connections) over a
real Redis and a real PostgreSQL: a publish on one reaches a subscription on the other within
milliseconds, and a lost receiver connection comes back with a resync."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from chat_widget.live_chat.bus import RESYNC, Bus, PostgresBackend, RedisBackend
from tests.conftest import REDIS_TEST_URL, need_service


async def _cross(a: Bus, b: Bus) -> tuple[set[str], float, set[str]]:
    sub = b.subscribe(["conv-1", "queue"])
    a.subscribe([])  # starts a's receiver too
    first = await sub.wait(5)  # b's receiver is attached: its resync
    assert first == {RESYNC}
    await asyncio.sleep(0.2)  # a's receiver attached as well
    t0 = time.perf_counter()
    a.publish("conv-1", "agent:x")
    got = await sub.wait(5)
    latency = time.perf_counter() - t0
    echo = await sub.wait(0.2)
    sub.close()
    await a.aclose()
    await b.aclose()
    return got, latency, echo


@pytest.mark.redis
def test_redis_carries_keys_between_workers() -> None:
    need_service("Redis", "127.0.0.1", 6379)
    scope = uuid.uuid4().hex  # its own channel: scripts/test runs two suites at once
    got, latency, echo = asyncio.run(
        _cross(Bus(RedisBackend(REDIS_TEST_URL, scope)), Bus(RedisBackend(REDIS_TEST_URL, scope)))
    )
    assert got == {"conv-1"}
    assert latency < 0.5
    assert echo == set()


@pytest.mark.postgres
def test_postgres_listen_notify_carries_keys_between_workers(postgres_url: str) -> None:
    got, latency, echo = asyncio.run(
        _cross(Bus(PostgresBackend(postgres_url)), Bus(PostgresBackend(postgres_url)))
    )
    assert got == {"conv-1"}
    assert latency < 0.5
    assert echo == set()


@pytest.mark.postgres
def test_a_long_batch_is_split_under_postgres_payload_limit(postgres_url: str) -> None:
    async def scenario() -> set[str]:
        a, b = Bus(PostgresBackend(postgres_url)), Bus(PostgresBackend(postgres_url))
        keys = [f"conversation-{i:05d}-{'x' * 30}" for i in range(400)]  # ~20 kB
        sub = b.subscribe(keys)
        assert await sub.wait(5) == {RESYNC}
        a.publish(*keys)
        got: set[str] = set()
        deadline = time.monotonic() + 5
        while len(got) < len(keys) and time.monotonic() < deadline:
            got |= await sub.wait(1)
        await a.aclose()
        await b.aclose()
        return got

    assert len(asyncio.run(scenario())) == 400
