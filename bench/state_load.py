"""What Reflex's Redis state manager costs per event for a customer's and a console's state.

Each event takes the token's lock, loads the states the event needs (its own, its parents,
and any substate whose computed vars read a parent's var), assigns one var and saves: what
every event costs before our handler runs. Prints CPU µs per event, 3 runs per state; the
runs alternate, so compare the least of each across two builds (docs/live-chat.md, tenth
pass). Needs Redis on 127.0.0.1:6379 (database 9, keys removed after).

    python bench/state_load.py [events per run]
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
from reflex.istate.manager.redis import StateManagerRedis  # noqa: E402
from reflex.istate.manager.token import BaseStateToken  # noqa: E402
from reflex.state import BaseState  # noqa: E402
from reflex.utils import prerequisites  # noqa: E402

REDIS = os.environ.get("CW_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


async def run(cls: type[BaseState], attr: str, n: int) -> dict[str, object]:
    redis = Redis.from_url(REDIS)
    manager = StateManagerRedis(redis=redis)
    ident = uuid.uuid4().hex
    token = BaseStateToken(ident=ident, cls=cls)

    async def event() -> None:
        async with manager.modify_state(token) as root:
            state = await root.get_state(cls)
            setattr(state, attr, getattr(state, attr) + 1)

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
        "states_loaded": len(manager._get_required_state_classes(cls, subclasses=True)),
        "cpu_us_per_event": round(cpu / n * 1e6, 1),
        "wall_us_per_event": round(wall / n * 1e6, 1),
    }


async def main(n: int) -> None:
    prerequisites.get_and_validate_app()  # every state class registered, as in the server
    from chat_widget.ui.agent.state import AgentState
    from chat_widget.ui.live_chat_state import LiveChatState

    for _ in range(3):
        print(json.dumps(await run(LiveChatState, "rating", n)), flush=True)
        print(json.dumps(await run(AgentState, "customer_read_seq", n)), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
