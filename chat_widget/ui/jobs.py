"""Every worker's start-up work and background jobs, started from here and nowhere else:
warm-up (schema, assistant model, Graph client), then pending video bookings, the retention
purge and automatic chat routing (``start_jobs``, one lifespan task)."""

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


PURGE_EVERY_S = 24 * 3600


async def purge_daily() -> None:
    """Retention: delete what has expired, once at start and then every day (idempotent, so
    several workers running it is harmless; each run is written to the audit log)."""
    from chat_widget.privacy.jobs import run_purge
    from chat_widget.ui.runtime import file_store

    while True:
        try:
            await asyncio.to_thread(run_purge, runtime.engine(), file_store())
        except Exception:  # tomorrow's run catches up; nothing is half-deleted (one transaction)
            log.exception("retention purge failed")
        await asyncio.sleep(PURGE_EVERY_S)


async def start_jobs() -> None:
    """Lifespan task: load what the first customer would otherwise wait for, then run the
    background jobs: finishing video bookings Graph could not confirm, the retention purge and
    automatic chat routing."""
    from chat_widget.ui.chat_router import route_forever
    from chat_widget.ui.meetings_service import retry_pending_forever

    await asyncio.to_thread(_warm)
    await asyncio.gather(retry_pending_forever(), purge_daily(), route_forever())
