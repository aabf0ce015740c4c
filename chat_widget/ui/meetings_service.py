"""Builds the video-meeting booking service once per worker, from the environment."""

from __future__ import annotations

import asyncio
import json
import logging
from functools import lru_cache, partial
from pathlib import Path

from chat_widget.adapters.db import session_scope
from chat_widget.meetings import Advisor, BookingService, BookingSettings, SlotRules
from chat_widget.settings import environ
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
    """None when Microsoft Graph is not configured: the widget then says video is unavailable.

    Raises at start-up (not at a customer's first click) for a Graph base URL that is not a
    Microsoft Graph host, a static token in production, or advisors who serve both recorded
    and non-recorded topics.
    """
    from chat_widget.adapters.graph import gateway_from_env

    advisors_path = Path(environ().get("CW_ADVISORS_PATH") or DEFAULT_ADVISORS)
    env = {**environ(), "CW_ENV": runtime.settings().env}
    gateway = gateway_from_env(env, advisors_path=str(advisors_path))
    if gateway is None:
        return None
    advisors = load_advisors(advisors_path)
    return BookingService(
        gateway=gateway,
        sessions=partial(session_scope, runtime.engine()),
        settings=BookingSettings(rules=SlotRules(), advisors=advisors),
        service_ids=dict(gateway.settings.service_ids),
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
