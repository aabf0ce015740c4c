"""The customer's send waits for the SQLite writer's answer with a timeout (the pending
bubble), yet resumes one loop turn after the writer answers, as a plain ``await`` would."""

from __future__ import annotations

import asyncio

from chat_widget.live_chat.send_queue import Answer, Queued, _settle, settled_within


def _queued(answer: asyncio.Future[object]) -> Queued:
    return Queued("cust", "chat", "m1", "bonjour", "fr", asyncio.get_running_loop(), answer)  # type: ignore[arg-type]


def test_the_sender_resumes_in_the_turn_after_the_writers_answer() -> None:
    async def scenario() -> list[object]:
        answer = Answer(loop=asyncio.get_running_loop())
        order: list[object] = []

        async def sender() -> None:
            order.append(await settled_within(answer, 5))

        task = asyncio.create_task(sender())
        await asyncio.sleep(0)  # the sender is waiting
        _settle([(_queued(answer), (None, ["pin"]))])()  # the writer's callback on the loop
        asyncio.get_running_loop().call_soon(order.append, "next turn")
        await task
        order.append(await answer)
        return order

    assert asyncio.run(scenario()) == [True, "next turn", (None, ["pin"])]


def test_a_slow_answer_times_out_and_still_arrives() -> None:
    async def scenario() -> tuple[bool, object, bool]:
        loop = asyncio.get_running_loop()
        answer = Answer(loop=loop)
        late = await settled_within(answer, 0.01)
        loop.call_later(0.01, _settle([(_queued(answer), (None, []))]))
        task = asyncio.ensure_future(asyncio.sleep(0.01, result="stored"))  # PostgreSQL's kind
        return late, await answer, await settled_within(task, 5)

    assert asyncio.run(scenario()) == (False, (None, []), True)
