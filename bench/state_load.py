"""What Reflex's Redis state manager costs per event for a customer's and a console's state.

Each event takes the token's lock, loads the states the event needs (its own, its parents,
and any substate whose computed vars read a parent's var), assigns one var and saves: what
every event costs before our handler runs, and the delta Reflex computes to send back. Prints
CPU µs per event, 3 runs per state; the runs alternate, so compare the least of each across
two builds (docs/live-chat.md, tenth pass). Needs Redis on 127.0.0.1:6379 (database 9, keys
removed after); ``--memory`` measures the one-worker state manager (memory) instead.

    python bench/state_load.py [--memory] [events per run]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CW_ENV", "test")

from redis.asyncio import Redis  # noqa: E402
from reflex.istate.manager.memory import StateManagerMemory  # noqa: E402
from reflex.istate.manager.redis import StateManagerRedis  # noqa: E402
from reflex.istate.manager.token import BaseStateToken  # noqa: E402
from reflex.state import BaseState  # noqa: E402
from reflex.utils import prerequisites  # noqa: E402

REDIS = os.environ.get("CW_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


async def run(cls: type[BaseState], attr: str, n: int, memory: bool) -> dict[str, object]:
    redis = Redis.from_url(REDIS)
    manager: StateManagerRedis | StateManagerMemory = (
        StateManagerMemory() if memory else StateManagerRedis(redis=redis)
    )
    ident = uuid.uuid4().hex
    token = BaseStateToken(ident=ident, cls=cls)

    async def event() -> None:
        async with manager.modify_state(token) as root:
            state = await root.get_state(cls)
            setattr(state, attr, getattr(state, attr) + 1)
            await root._get_resolved_delta()
            root._clean()

    for _ in range(50):  # warm: the states exist in Redis as after a tab's first events
        await event()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        await event()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    for key in await redis.keys(f"{ident}*"):
        await redis.delete(key)
    await redis.aclose()
    return {
        "state": cls.__name__,
        "manager": type(manager).__name__,
        "cpu_us_per_event": round(cpu / n * 1e6, 1),
        "wall_us_per_event": round(wall / n * 1e6, 1),
    }


async def main(n: int, memory: bool) -> None:
    prerequisites.get_and_validate_app()  # every state class registered, as in the server
    from chat_widget.ui.agent.state import AgentState
    from chat_widget.ui.live_chat_state import LiveChatState

    for _ in range(3):
        print(json.dumps(await run(LiveChatState, "rating", n, memory)), flush=True)
        print(json.dumps(await run(AgentState, "customer_read_seq", n, memory)), flush=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--memory"]
    asyncio.run(main(int(args[0]) if args else 2000, "--memory" in sys.argv))
