"""Automatic chat routing, run as a background job in every worker.

A round runs when something on this worker announces a queue change (a request, a presence
change, a closed chat) and at least every ``ROUND_SECONDS`` for changes made on other workers.
Rounds on several workers are serialised in the database (see ``live_chat.route_round``), so
running the job everywhere is safe and leaves no single point of failure.
"""

from __future__ import annotations

import asyncio
import logging

from chat_widget import live_chat
from chat_widget.live_chat.realtime import QUEUE, notifier
from chat_widget.ui import runtime

log = logging.getLogger(__name__)

ROUND_SECONDS = 1.0


def announce(routed: list[tuple[str, str]]) -> None:
    """Wake the listeners concerned: the agent's console, the customer's view, every queue."""
    if not routed:
        return
    keys = [QUEUE]
    for conversation_id, agent_id in routed:
        keys += [conversation_id, f"agent:{agent_id}"]
    notifier.notify(*keys)


async def route_forever() -> None:
    """Route waiting chats until the worker stops; a failed round is logged and retried."""
    if runtime.settings().chat_routing != "auto":
        return
    while True:
        try:
            routed = await asyncio.to_thread(live_chat.route_round, engine=runtime.engine())
            announce(routed)
            if routed:
                log.info("routed %d waiting chat(s)", len(routed))
        except Exception:
            log.exception("chat routing round failed")
        await notifier.wait([QUEUE], ROUND_SECONDS)
