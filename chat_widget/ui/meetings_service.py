"""Builds the video-meeting booking service once per worker, from the environment."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache, partial

from chat_widget.adapters.db import session_scope
from chat_widget.meetings import BookingService, BookingSettings, SlotRules
from chat_widget.meetings.advisors import advisors_path, load_advisors
from chat_widget.settings import environ
from chat_widget.ui import runtime

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def booking_service() -> BookingService | None:
    """None when Microsoft Graph is not configured: the widget then says video is unavailable.

    Raises at start-up (not at a customer's first click) for a Graph base URL that is not a
    Microsoft Graph host, a static token in production, or advisors who serve both recorded
    and non-recorded topics.
    """
    from chat_widget.adapters.graph import gateway_from_env

    path = advisors_path()
    env = {**environ(), "CW_ENV": runtime.settings().env}
    gateway = gateway_from_env(env, advisors_path=str(path))
    if gateway is None:
        return None
    advisors = load_advisors(path)
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
