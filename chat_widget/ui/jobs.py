"""Every worker's start-up work and background jobs, started from here and nowhere else:
warm-up (schema, assistant model, Graph client), then pending video bookings, the retention
purge and automatic chat routing (``start_jobs``, one lifespan task)."""

from __future__ import annotations

import asyncio
import gc
import logging

from chat_widget.ui import runtime

log = logging.getLogger(__name__)


#: The cyclic garbage collector's thresholds in a worker (CPython's default: 700, 10, 10).
GC_THRESHOLDS = (50_000, 50, 100)


def tune_collector() -> None:
    """Full collections walk every tracked object of every connected client's state and hold
    the interpreter meanwhile: under 1000 customers (``bench/chat_load.py --sample``) a 30-s
    run had two, up to 420 ms each, and 24 middle-generation ones up to 28 ms: the chat's
    p95/p99. With young collections ~70x rarer, short-lived objects die by reference count
    before a collection sees them, few reach the old generation and full collections become
    rare (none in a 30-s run); what start-up loaded (the compiled app, the assistant's model,
    the SDKs) lives as long as the process and is frozen out of collections altogether.
    Cycles are still collected. A/B on the bench: ack p95 204 → 99-124 ms with this alone."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _warm() -> None:
    runtime.engine()  # runs migrations once
    try:
        from chat_widget.ui.meetings_service import booking_service

        booking_service()  # loads and warms msgraph-sdk when Graph is configured
    except Exception:
        log.exception("video booking service could not be built at start-up")
    try:
        if runtime.settings().assistant_process:
            from chat_widget.assistant.nlu.model_process import model_process

            model_process().classify_blocking("bonjour", "fr")
        else:
            from chat_widget.assistant.nlu.classifier import get_classifier

            get_classifier().classify("bonjour", "fr")
    except Exception:  # the assistant reports its own outage per question
        log.exception("assistant model could not be loaded at start-up")
    tune_collector()


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
