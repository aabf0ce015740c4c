"""The checks behind ``GET /readyz``: may this worker be sent customers right now?

Each dependency has its own status so an operator sees *what* is wrong:

* ``database`` — a ``SELECT 1`` and the schema at this code's revision;
* ``redis`` — ``PING``, when ``REDIS_URL`` is set (state and cross-worker delivery need it);
* ``assistant`` — the intent model is loaded in this process (start-up loads it; until then
  the first questions would wait seconds);
* ``graph`` — Microsoft Graph answers, when video booking is configured.

The first three decide readiness (503 when one is down). Graph does not: without it only video
booking is unavailable (requests are kept and booked later), so taking every worker out of
rotation would turn one missing feature into a full outage; it is reported, and the overall
status says ``degraded``.

Each check runs in a thread with a timeout, so a hanging dependency makes ``/readyz`` slow by
at most :data:`CHECK_TIMEOUT_S`, never stuck.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

OK = "ok"
DOWN = "down"
STARTING = "starting"
SKIPPED = "not configured"

CHECK_TIMEOUT_S = 2.0
GRAPH_PROBE_EVERY_S = 30.0


@dataclass(frozen=True)
class CheckResult:
    status: str
    detail: str = ""
    latency_ms: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.detail:
            out["detail"] = self.detail
        if self.latency_ms is not None:
            out["latency_ms"] = round(self.latency_ms, 1)
        return out


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[], CheckResult]
    #: A critical check that is not ok makes the worker not ready.
    critical: bool = True


@dataclass
class Report:
    checks: dict[str, CheckResult] = field(default_factory=dict)
    critical: frozenset[str] = frozenset()

    @property
    def ready(self) -> bool:
        return all(r.status in (OK, SKIPPED) for n, r in self.checks.items() if n in self.critical)

    @property
    def status(self) -> str:
        if not self.ready:
            return "unavailable"
        if any(r.status not in (OK, SKIPPED) for r in self.checks.values()):
            return "degraded"
        return "ready"

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "checks": {name: result.as_dict() for name, result in self.checks.items()},
        }


def _timed(fn: Callable[[], str]) -> CheckResult:
    start = time.perf_counter()
    try:
        detail = fn()
    except Exception as exc:
        return CheckResult(DOWN, _reason(exc), (time.perf_counter() - start) * 1000)
    return CheckResult(OK, detail, (time.perf_counter() - start) * 1000)


def _reason(exc: BaseException) -> str:
    """The error's type and first line: enough to act on, short, and without row details."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"[:200]


async def run_checks(checks: list[Check], timeout: float = CHECK_TIMEOUT_S) -> Report:
    async def one(check: Check) -> tuple[str, CheckResult]:
        try:
            result = await asyncio.wait_for(asyncio.to_thread(check.run), timeout)
        except TimeoutError:
            result = CheckResult(DOWN, f"no answer within {timeout:g} s", timeout * 1000)
        return check.name, result

    results = await asyncio.gather(*(one(c) for c in checks))
    return Report(dict(results), frozenset(c.name for c in checks if c.critical))


# --- the checks ----------------------------------------------------------------------------


def database_check(url: str) -> Check:
    def run() -> CheckResult:
        from sqlalchemy import text

        from chat_widget.adapters.db import engine_for
        from chat_widget.adapters.migrate import check

        def probe() -> str:
            engine = engine_for(url)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            check(engine)
            return ""

        return _timed(probe)

    return Check("database", run)


@lru_cache(maxsize=2)
def _redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=1.5, socket_connect_timeout=1.5)


def redis_check(url: str | None) -> Check:
    def run() -> CheckResult:
        if not url:
            return CheckResult(SKIPPED)
        return _timed(lambda: "" if _redis_client(url).ping() else "no PONG")

    return Check("redis", run)


def assistant_check() -> Check:
    def run() -> CheckResult:
        # Read, do not load (not even import): loading takes seconds and is the start-up
        # warm-up's job.
        classifier = sys.modules.get("chat_widget.assistant.nlu.classifier")
        process = sys.modules.get("chat_widget.assistant.nlu.model_process")
        own_process = process is not None and process.model_process().loaded
        if getattr(classifier, "_classifier", None) is None and not own_process:
            return CheckResult(STARTING, "intent model not loaded yet")
        return CheckResult(OK)

    return Check("assistant", run)


class GraphProbe:
    """Is Microsoft Graph answering? Real calls made by the worker count (any HTTP answer below
    500 means reachable); without a recent one, an unauthenticated GET of the base URL is made
    at most every :data:`GRAPH_PROBE_EVERY_S` (Graph answers it with 401: reachable)."""

    def __init__(self, base_url: str, *, every_s: float = GRAPH_PROBE_EVERY_S) -> None:
        self.base_url = base_url
        self.every_s = every_s
        self._last: tuple[float, CheckResult] | None = None

    def record(self, status: int | str | None) -> None:
        """Called for every real Graph call (see ``metrics.graph_call``)."""
        if isinstance(status, int) and status < 500:
            self._last = (time.monotonic(), CheckResult(OK, f"last call answered {status}"))
        else:
            self._last = (time.monotonic(), CheckResult(DOWN, f"last call: {status}"))

    def run(self) -> CheckResult:
        if self._last is not None and time.monotonic() - self._last[0] < self.every_s:
            return self._last[1]
        import httpx

        start = time.perf_counter()
        try:
            response = httpx.get(self.base_url, timeout=CHECK_TIMEOUT_S * 0.9)
        except httpx.HTTPError as exc:
            result = CheckResult(DOWN, _reason(exc), (time.perf_counter() - start) * 1000)
        else:
            status = OK if response.status_code < 500 else DOWN
            result = CheckResult(
                status, f"answered {response.status_code}", (time.perf_counter() - start) * 1000
            )
        self._last = (time.monotonic(), result)
        return result


_graph_probe: GraphProbe | None = None


def graph_probe(base_url: str | None) -> GraphProbe | None:
    global _graph_probe
    if base_url and (_graph_probe is None or _graph_probe.base_url != base_url):
        _graph_probe = GraphProbe(base_url)
    return _graph_probe if base_url else None


def record_graph_status(status: int | str | None) -> None:
    if _graph_probe is not None:
        _graph_probe.record(status)


def graph_check(base_url: str | None) -> Check:
    probe = graph_probe(base_url)

    def run() -> CheckResult:
        return CheckResult(SKIPPED) if probe is None else probe.run()

    return Check("graph", run, critical=False)
