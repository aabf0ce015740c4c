"""Start-up work done once per worker, off the request path: schema, assistant model."""

from __future__ import annotations

import asyncio
import logging

from chat_widget.ui import runtime

log = logging.getLogger(__name__)


def _warm() -> None:
    runtime.engine()  # runs migrations once
    try:
        from chat_widget.ui.meetings_service import booking_service

        booking_service()  # loads and warms msgraph-sdk when Graph is configured
    except Exception:
        log.exception("video booking service could not be built at start-up")
    try:
        from chat_widget.assistant.nlu.classifier import get_classifier

        get_classifier().classify("bonjour", "fr")
    except Exception:  # the assistant reports its own outage per question
        log.exception("assistant model could not be loaded at start-up")


async def warm_up() -> None:
    """Lifespan task: load what the first customer would otherwise wait for, then keep
    finishing video bookings that Graph could not confirm at the time."""
    from chat_widget.ui.meetings_service import retry_pending_forever

    await asyncio.to_thread(_warm)
    await retry_pending_forever()
