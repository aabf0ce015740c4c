"""Reflex's side of observability: events counted and timed, log context per event, drain.

Why a middleware: Reflex calls ``preprocess`` for every event, inside the task that then runs
the handler, after the state is loaded. So one place counts events per handler, binds the log
context the handler's own log lines carry (a request id per event, the handler, the
conversation when the state has one) and times the handler with a done-callback on that task.
Background handlers (live listeners that run for minutes) are counted but not timed.

Drain (:func:`drain_on_signal`, :mod:`chat_widget.observability.drain`): before a worker is
stopped, ``SIGUSR1`` makes it close its websockets (browsers reconnect to another worker at
once) and cancel its live listeners, while the events it is running finish and are counted;
``/readyz`` shows the count, the supervisor stops the worker when it is 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import secrets
import signal
import time
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from reflex.middleware import Middleware
from reflex_base.event import Event

from chat_widget.observability import drain, logs, metrics

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


class _RequestIds:
    """Log correlation ids: a random per-process prefix and a counter. ``uuid4`` at every
    event asked the kernel for randomness, a call that lets go of the interpreter lock: under
    load the event loop then waited for the other threads to hand it back."""

    def __init__(self) -> None:
        self.reset()
        os.register_at_fork(after_in_child=self.reset)  # workers are forked: own prefixes

    def reset(self) -> None:
        self.prefix = secrets.token_hex(4)
        self.counter = itertools.count()

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter):08x}"


_request_ids = _RequestIds()


def next_request_id() -> str:
    """16 hex characters, unique per process (random prefix) and per event (counter)."""
    return _request_ids.next()


class EventMetrics(Middleware):
    def __init__(self) -> None:
        #: Running background handlers (live listeners), cancelled when the worker drains.
        self.background: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        label = handler_label(event.name)
        background, conversation = _describe(state, event.name)
        logs.bind(request_id=next_request_id(), event=label, conversation_id=conversation)
        task = asyncio.current_task()
        if task is None or background:
            metrics.event_handled(label, None)
            if task is not None:
                self.background.add(task)
            return None
        start = time.perf_counter()
        drain.state.event_started()

        def done(_task: asyncio.Task[Any]) -> None:
            drain.state.event_finished()
            metrics.event_handled(label, time.perf_counter() - start)

        task.add_done_callback(done)
        return None


async def start_draining(app: App, middleware: EventMetrics) -> None:
    """Close this worker's websockets (without a Socket.IO "disconnect", so the browsers
    reconnect at once, to another worker: nginx sends none here any more) and cancel its live
    listeners (the reconnecting page restarts them where it lands). Running events go on."""
    if drain.state.draining:
        return
    drain.state.draining = True
    engine_io = getattr(app.sio, "eio", None)
    sockets = len(getattr(engine_io, "sockets", {}) or {})
    log.info(
        "draining: closing websockets, finishing running events",
        extra={"sockets": sockets, "running_events": drain.state.running_events},
    )
    if engine_io is not None and sockets:
        try:
            await asyncio.wait_for(engine_io.disconnect(), 5)
        except Exception:
            log.warning("draining: some websockets did not close cleanly")
    for task in list(middleware.background):
        task.cancel()


def drain_on_signal(middleware: EventMetrics, seconds: float) -> Any:
    """A lifespan task (register it after Reflex's own, which creates the event processor):
    ``SIGUSR1`` drains the worker (see :mod:`chat_widget.observability.drain`); on shutdown the
    event processor gets ``seconds`` to finish what it holds instead of cancelling it."""

    @contextlib.asynccontextmanager
    async def lifespan(app: App) -> AsyncIterator[None]:
        app.event_processor.graceful_shutdown_timeout = seconds
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(
                signal.SIGUSR1, lambda: loop.create_task(start_draining(app, middleware))
            )
        yield
        # Stopped without a drain first (SIGTERM alone): the listeners would hold the
        # processor for the whole grace period.
        for task in list(middleware.background):
            task.cancel()
        log.info("worker stopping", extra={"running_events": drain.state.running_events})

    return lifespan
