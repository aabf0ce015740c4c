"""Reflex's side of observability: events counted and timed, log context per event, drain.

Why a middleware: Reflex calls ``preprocess`` for every event, inside the task that then runs
the handler, after the state is loaded. So one place counts events per handler, binds the log
context the handler's own log lines carry (a request id per event, the handler, the
conversation when the state has one) and times the handler with a done-callback on that task.
Background handlers (live listeners that run for minutes) are counted but not timed.

Drain: on shutdown Reflex's event processor cancels running events at once unless it has a
grace period; :func:`finish_events_on_shutdown` gives it ``CW_DRAIN_SECONDS``, so a worker that
is stopped for a rolling restart finishes the events it holds (a message being stored is
stored and acknowledged) before it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from reflex.middleware import Middleware
from reflex_base.event import Event

from chat_widget.observability import logs, metrics

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.state import BaseState, StateUpdate

log = logging.getLogger(__name__)


def handler_label(event_name: str) -> str:
    """``…____live_chat_state.send`` → ``live_chat_state.send``: short and bounded (handlers
    are defined in code; an unknown name never reaches a middleware)."""
    state_path, _, handler = event_name.rpartition(".")
    state = state_path.rsplit(".", 1)[-1].rsplit("____", 1)[-1]
    return f"{state}.{handler}" if state else handler


def _describe(state: BaseState, event_name: str) -> tuple[bool, str | None]:
    """Is the handler a background task, and which conversation does its state hold?"""
    path = tuple(event_name.split("."))
    background, conversation = False, None
    try:
        root = state._get_root_state()
        handler = root.get_class_substate(path[:-1]).event_handlers.get(path[-1])
        background = bool(handler is not None and handler.is_background)
        conversation = getattr(root.get_substate(path[:-1]), "_conversation_id", None) or None
    except Exception:  # a substate not loaded for this event: no id, still counted
        pass
    return background, conversation if isinstance(conversation, str) else None


class EventMetrics(Middleware):
    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        label = handler_label(event.name)
        background, conversation = _describe(state, event.name)
        logs.bind(request_id=uuid.uuid4().hex[:16], event=label, conversation_id=conversation)
        task = asyncio.current_task()
        if task is None or background:
            metrics.event_handled(label, None)
            return None
        start = time.perf_counter()
        task.add_done_callback(
            lambda _task: metrics.event_handled(label, time.perf_counter() - start)
        )
        return None


def finish_events_on_shutdown(seconds: float) -> Any:
    """A lifespan task (register it after Reflex's own, which creates the event processor)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[None]:
        processor = app.event_processor
        processor.graceful_shutdown_timeout = seconds
        yield
        log.info("worker stopping: finishing running events", extra={"drain_s": seconds})

    return lifespan
