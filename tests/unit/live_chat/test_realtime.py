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
