"""Builds the video-meeting booking service once per worker, from the environment."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from chat_widget.adapters.db import session_scope
from chat_widget.meetings import Advisor, BookingService, BookingSettings, SlotRules
from chat_widget.ui import runtime

log = logging.getLogger(__name__)
DEFAULT_ADVISORS = Path(__file__).resolve().parent.parent / "meetings" / "advisors.json"


def load_advisors(path: Path) -> tuple[Advisor, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Advisor(
            staff_id=str(a["staff_id"]),
            first_name=str(a["first_name"]),
            topics=frozenset(a["topics"]),
            languages=frozenset(a["languages"]),
        )
        for a in data["advisors"]
    )


@lru_cache(maxsize=1)
def booking_service() -> BookingService | None:
    """None when Microsoft Graph is not configured: the widget then says video is unavailable."""
    from chat_widget.adapters.graph import (
        GraphMeetingGateway,
        GraphSettings,
        client_secret_credential,
    )

    graph = GraphSettings.from_env()
    if not graph.booking_business_id:
        return None
    static_token = os.environ.get("CW_GRAPH_STATIC_TOKEN")
    credential: Any
    if static_token:
        from chat_widget.adapters.graph_static import StaticTokenCredential

        credential = StaticTokenCredential(static_token, environment=runtime.settings().env)
    else:
        credential = client_secret_credential(graph)
    advisors = load_advisors(Path(os.environ.get("CW_ADVISORS_PATH") or DEFAULT_ADVISORS))
    return BookingService(
        gateway=GraphMeetingGateway(settings=graph, credential=credential),
        sessions=partial(session_scope, runtime.engine()),
        settings=BookingSettings(rules=SlotRules(), advisors=advisors),
    )


async def retry_pending_forever(interval_s: float = 30.0) -> None:
    """Lifespan task: requests kept as pending during a Graph outage are booked when it is back."""
    while True:
        await asyncio.sleep(interval_s)
        service = await asyncio.to_thread(booking_service)
        if service is None:
            return
        try:
            await service.retry_pending()
        except Exception:  # the next round tries again; nothing is lost
            log.exception("retrying pending video bookings failed")
