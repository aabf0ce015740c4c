from __future__ import annotations

import asyncio

from chat_widget.live_chat.realtime import Notifier, TypingBoard


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


def test_change_watcher_polls_once_for_all_watched_keys() -> None:
    from chat_widget.live_chat.realtime import ChangeWatcher

    calls: list[list[str]] = []
    versions = {"c1": 1, "c2": 1}

    async def read(keys: list[str]) -> dict[str, int]:
        calls.append(sorted(keys))
        return {k: versions[k] for k in keys if k in versions}

    async def scenario() -> list[object]:
        watcher = ChangeWatcher(read, interval=0.02)
        watcher.watch("c1")
        watcher.watch("c2")
        watcher.watch("c2")  # a second listener on the same conversation
        await asyncio.sleep(0.05)
        seen: list[object] = [watcher.version("c1"), watcher.version("c2")]
        versions["c2"] = 2
        await asyncio.sleep(0.05)
        seen.append(watcher.version("c2"))
        watcher.unwatch("c2")
        seen.append(watcher.version("c2"))  # still watched once
        watcher.unwatch("c2")
        watcher.unwatch("c1")
        seen.append(watcher.version("c1"))
        await asyncio.sleep(0.05)
        return seen

    assert asyncio.run(scenario()) == [1, 1, 2, 2, None]
    assert calls and all(c == ["c1", "c2"] for c in calls)  # one read for all, no duplicates
