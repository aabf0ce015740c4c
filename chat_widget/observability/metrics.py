"""Prometheus metrics for the widget, safe across worker processes.

Why Prometheus text format: it is what the bank's monitoring scrapes, and ``prometheus-client``
sums the values of every worker on the host when ``PROMETHEUS_MULTIPROC_DIR`` is set (each
process writes its own small mmap file there; ``scripts/serve`` creates a fresh folder per
start and tells workers). Without that variable (demo, tests) values live in the process.

Channel code records with one-line calls to the functions below (``metrics.chat_message(...)``)
so the instrumentation never gets in the way of a merge, and label values are fixed here, from
small closed sets: a label never carries an id, a name or a text.

Values that describe the whole system rather than one process (queue length, agents
available) are read from the database when ``/metrics`` is scraped (:class:`LiveChatGauges`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from chat_widget.settings import environ

log = logging.getLogger(__name__)

T = TypeVar("T")
PREFIX = "cw"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Event handling time: a websocket round trip the customer waits for (ms to seconds).
EVENT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Time a customer waited in the live-chat queue before an agent took the chat.
WAIT_BUCKETS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)

sockets_connected = Gauge(
    f"{PREFIX}_sockets_connected",
    "Websockets currently open, per worker process (pid label; sum() for the host)",
    # One series per live process: an imbalance between workers shows, and a rolling restart
    # can pick the worker that holds sockets. Series of dead processes are removed.
    multiprocess_mode="liveall",
)
events = Counter(
    f"{PREFIX}_events",
    "Reflex events handled (rate() gives events per second)",
    ["handler"],
)
event_seconds = Histogram(
    f"{PREFIX}_event_seconds",
    "Time from an event's state being loaded to its handler finishing (background tasks excluded)",
    ["handler"],
    buckets=EVENT_BUCKETS,
)
chat_messages = Counter(
    f"{PREFIX}_chat_messages",
    "Live-chat messages stored, by author (resends of the same message are not counted)",
    ["author"],
)
chat_wait_seconds = Histogram(
    f"{PREFIX}_chat_wait_seconds",
    "How long a customer waited in the queue before an agent took the chat",
    buckets=WAIT_BUCKETS,
)
assistant_questions = Counter(
    f"{PREFIX}_assistant_questions",
    "Questions the digital assistant handled, by the kind of reply "
    "(answer = understood; the answered share is answer / all)",
    ["reply"],
)
assistant_model_restarts = Counter(
    f"{PREFIX}_assistant_model_restarts",
    "Times a worker found its assistant model process dead and started another",
)
handovers = Counter(
    f"{PREFIX}_handovers",
    "Live chats requested from the assistant (hand-over to a human)",
)
uploads = Counter(
    f"{PREFIX}_uploads",
    "Uploaded files checked, by channel and result (accepted, or the refusal reason)",
    ["channel", "result"],
)
graph_calls = Counter(
    f"{PREFIX}_graph_calls",
    "Microsoft Graph calls by outcome (HTTP status, timeout or unreachable)",
    ["status"],
)
guard_blocks = Counter(
    f"{PREFIX}_guard_blocks",
    "Texts the privacy guard refused on the server, by kind of secret",
    ["kind"],
)

# Closed label sets: an unexpected value is folded into "other" rather than growing the series.
_REPLY_KINDS = frozenset({"answer", "clarify", "options", "rephrase", "feedback"})
_UPLOAD_CHANNELS = frozenset({"claim", "chat"})
_AUTHORS = frozenset({"customer", "agent"})


def _closed(value: str, allowed: frozenset[str]) -> str:
    return value if value in allowed else "other"


def socket_opened() -> None:
    sockets_connected.inc()


def socket_closed() -> None:
    sockets_connected.dec()


def event_handled(handler: str, seconds: float | None) -> None:
    """One event done; ``seconds`` is None for background tasks (they run for minutes)."""
    events.labels(handler).inc()
    if seconds is not None:
        event_seconds.labels(handler).observe(seconds)


def chat_message(author: str, *, created: bool = True) -> None:
    if created:
        chat_messages.labels(_closed(author, _AUTHORS)).inc()


def chat_wait(seconds: float) -> None:
    chat_wait_seconds.observe(max(0.0, seconds))


def assistant_question(reply_kind: str) -> None:
    assistant_questions.labels(_closed(str(reply_kind), _REPLY_KINDS)).inc()


def assistant_model_restarted() -> None:
    assistant_model_restarts.inc()


def handover(source_conversation_id: str | None) -> None:
    """Counted when a live chat is requested from an assistant conversation."""
    if source_conversation_id:
        handovers.inc()


def upload_checked(channel: str, check: Callable[..., T]) -> Callable[..., T]:
    """``upload_checked("claim", check_upload)(data, ...)``: runs the check and counts its
    result; a refusal keeps its reason code (``too_large``, ``unsupported_type``…)."""

    def counted(*args: Any, **kwargs: Any) -> T:
        label = _closed(channel, _UPLOAD_CHANNELS)
        try:
            result = check(*args, **kwargs)
        except Exception as exc:
            uploads.labels(label, str(getattr(exc, "code", "error"))[:40]).inc()
            raise
        uploads.labels(label, "accepted").inc()
        return result

    return counted


def graph_call(status: int | str | None) -> None:
    """``status``: the HTTP status Graph answered, or ``timeout`` / ``unreachable``; the last
    one also tells ``/readyz`` whether Graph answers, without a probe of its own."""
    from chat_widget.observability import readiness

    graph_calls.labels(str(status) if status is not None else "unknown").inc()
    readiness.record_graph_status(status)


def guard_blocked(kinds: Iterable[str]) -> None:
    for kind in kinds:
        guard_blocks.labels(str(kind)[:40]).inc()


# --- scrape time ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveChatSnapshot:
    """The live-chat figures read from the database at scrape time (all workers share it)."""

    waiting: int
    oldest_wait_seconds: float
    agents_available: int


class LiveChatGauges(Collector):
    """Queue length, the longest current wait and available agents, read when scraped.

    A failed read (database down) leaves these series out of the scrape instead of failing it:
    the per-process counters are still worth having, and ``/readyz`` says what is wrong."""

    def __init__(self, read: Callable[[], LiveChatSnapshot]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            snapshot = self._read()
        except Exception:
            log.warning("live chat gauges unavailable (database read failed)")
            return
        yield GaugeMetricFamily(
            f"{PREFIX}_chat_queue_length", "Chats waiting for an agent", value=snapshot.waiting
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_chat_queue_oldest_wait_seconds",
            "How long the longest-waiting customer has been waiting",
            value=snapshot.oldest_wait_seconds,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_agents_available",
            "Agents signed in as available (live chat)",
            value=snapshot.agents_available,
        )


def multiprocess_dir() -> str | None:
    path = environ().get(MULTIPROC_ENV)
    return path if path and os.path.isdir(path) else None


def exposition(extra: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The text to answer ``GET /metrics`` with, and its content type.

    In multiprocess mode a fresh registry reads every worker's files on each scrape (the
    documented prometheus-client pattern); otherwise the process's own default registry."""
    from prometheus_client import REGISTRY

    registry: CollectorRegistry
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Delegate(REGISTRY))
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Delegate(Collector):
    """The default registry's metrics inside a per-scrape registry (single-process mode)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator[Any]:
        yield from self._registry.collect()


def forget_dead_processes(path: str, alive: Callable[[int], bool]) -> list[int]:
    """Drop the live-gauge files of processes that are gone, so ``sockets_connected`` does not
    count the sockets of a worker that crashed or was restarted. Counters and histograms of a
    dead process stay: they are totals, and Prometheus expects them never to go down."""
    from prometheus_client import multiprocess

    dead: set[int] = set()
    for name in os.listdir(path):
        if not (name.startswith("gauge_live") and name.endswith(".db")):
            continue
        pid_text = name.rsplit("_", 1)[-1].removesuffix(".db")
        if pid_text.isdigit() and not alive(int(pid_text)):
            dead.add(int(pid_text))
    for pid in sorted(dead):
        multiprocess.mark_process_dead(pid, path)
    return sorted(dead)
