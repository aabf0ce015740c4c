from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from chat_widget.live_chat.realtime import (
    Notifier,
    TypingBoard,
    agent_receipt,
    agent_receipt_key,
    has_receipt,
    read_key,
)


def test_notify_wakes_only_waiters_on_that_key() -> None:
    async def scenario() -> tuple[bool, bool]:
        notifier = Notifier()
        woken = asyncio.create_task(notifier.wait(["c1", "queue"], timeout=2))
        other = asyncio.create_task(notifier.wait(["c2"], timeout=0.2))
        await asyncio.sleep(0.05)
        notifier.notify("queue")
        return await woken, await other

    assert asyncio.run(scenario()) == (True, False)


def test_typing_expires_and_clears() -> None:
    board = TypingBoard(ttl=0.05)
    assert board.touch("c1", "agent") is True
    assert board.touch("c1", "agent") is False  # already shown: no new wake-up needed
    assert board.is_typing("c1", "agent") and not board.is_typing("c1", "customer")
    board.clear("c1", "agent")
    assert not board.is_typing("c1", "agent")
    board.touch("c1", "customer")
    asyncio.run(asyncio.sleep(0.08))
    assert not board.is_typing("c1", "customer")


def test_local_and_redis_boards_agree() -> None:
    import uuid

    import pytest

    from chat_widget.live_chat.realtime import LocalTypingBoard, RedisTypingBoard
    from tests.conftest import REDIS_TEST_URL, need_service

    async def scenario(board: LocalTypingBoard | RedisTypingBoard) -> list[bool]:
        conv = uuid.uuid4().hex
        seen = [await board.touch(conv, "agent"), await board.touch(conv, "agent")]
        seen += [await board.is_typing(conv, "agent"), await board.is_typing(conv, "customer")]
        await board.clear(conv, "agent")
        seen.append(await board.is_typing(conv, "agent"))
        await board.touch(conv, "customer")
        await asyncio.sleep(0.15)
        seen.append(await board.is_typing(conv, "customer"))
        return seen

    expected = [True, False, True, False, False, False]
    assert asyncio.run(scenario(LocalTypingBoard(ttl=0.1))) == expected
    try:
        need_service("Redis", "127.0.0.1", 6379)
    except pytest.skip.Exception:
        return
    assert asyncio.run(scenario(RedisTypingBoard(REDIS_TEST_URL, ttl=0.1))) == expected


def test_external_writes_wakes_only_keys_another_process_moved(tmp_path: Path) -> None:
    """SQLite: a commit by another connection changes ``PRAGMA data_version``; only then are
    the versions read (once for all ``db:`` keys) and only the moved keys delivered."""
    from chat_widget.live_chat.bus import Hub
    from chat_widget.live_chat.realtime import ExternalWrites, db_key

    path = tmp_path / "x.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE t (x INTEGER)")
    calls: list[list[str]] = []
    versions = {"c1": 1, "c2": 1}

    async def read(keys: list[str]) -> dict[str, int]:
        calls.append(sorted(keys))
        return {k: versions[k] for k in keys if k in versions}

    async def scenario() -> list[set[str]]:
        hub = Hub()
        watch = ExternalWrites(str(path), read, hub, interval=0.02)
        one = hub.subscribe([db_key("c1"), "c1"])
        two = hub.subscribe([db_key("c2")])
        watch.ensure()
        first = [await one.wait(1), await two.wait(1)]  # new keys: woken once
        reads = len(calls)
        await asyncio.sleep(0.1)
        assert len(calls) == reads  # nothing committed: nothing read
        versions["c2"] = 2
        other.execute("INSERT INTO t VALUES (1)")
        moved = [await two.wait(1), await one.wait(0.1)]
        one.close()
        two.close()
        return first + moved

    assert asyncio.run(scenario()) == [{"db:c1"}, {"db:c2"}, {"db:c2"}, set()]
    assert calls and all(c == ["c1", "c2"] for c in calls)  # one read for all keys
    other.close()


def test_the_agents_read_receipt_travels_in_its_key() -> None:
    """The customer's view takes the receipt from the note (no database read); a receipt key
    without a note it knows sends it to the database, and other chats' keys are ignored."""
    keys = {agent_receipt_key("c1", 4), agent_receipt_key("c1", 7), agent_receipt_key("c2", 9)}
    assert has_receipt(keys, "c1") and agent_receipt(keys, "c1") == 7
    assert agent_receipt({"c1", "c1:typing:agent"}, "c1") is None
    assert not has_receipt({"c1", "c1:typing:agent"}, "c1")
    assert has_receipt({read_key("c1")}, "c1") and agent_receipt({read_key("c1")}, "c1") is None
    assert agent_receipt(keys | {f"{read_key('c1')}#x"}, "c1") is None
