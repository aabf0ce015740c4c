"""``/healthz``, ``/readyz`` and ``/metrics``, answered before Reflex sees the request.

* ``GET /healthz`` — the process is alive and its event loop answers (for a supervisor that
  restarts what hangs). Never touches a dependency.
* ``GET /readyz`` — may this worker get customers: 200 when ready (or ``degraded``: only an
  optional dependency is down), 503 otherwise, and while it drains before a restart. The per-dependency report goes only to internal
  addresses; anyone else gets the status word, since the details (error texts, latencies)
  help an attacker more than a customer.
* ``GET /metrics`` — Prometheus text, for internal addresses (``CW_INTERNAL_NETWORKS``) or a
  request carrying ``Authorization: Bearer $CW_METRICS_TOKEN``; 403 for anyone else.

"Internal" is judged on the client address the trusted proxies report (see
:mod:`chat_widget.web.observed`, which must wrap this layer).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
from collections.abc import Callable, Iterable
from functools import lru_cache

from prometheus_client.registry import Collector

from chat_widget.observability import drain, metrics, readiness
from chat_widget.settings import environ
from chat_widget.web.asgi import ASGIApp, Receive, Scope, Send

HEALTHZ, READYZ, METRICS = "/healthz", "/readyz", "/metrics"
_PATHS = frozenset({HEALTHZ, READYZ, METRICS})

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_networks(networks: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def is_internal(address: str | None, networks: tuple[str, ...]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in parse_networks(networks))


def _bearer(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"authorization":
            scheme, _, token = bytes(value).decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class HealthRoutes:
    def __init__(
        self,
        app: ASGIApp,
        *,
        checks: Callable[[], list[readiness.Check]],
        internal_networks: tuple[str, ...],
        metrics_token: str | None = None,
        collectors: Callable[[], Iterable[Collector]] = tuple,
    ) -> None:
        self.app = app
        self.checks = checks
        self.internal_networks = internal_networks
        self.metrics_token = metrics_token
        self.collectors = collectors

    def _internal(self, scope: Scope) -> bool:
        client = scope.get("client")
        return is_internal(str(client[0]) if client else None, self.internal_networks)

    def _token_ok(self, scope: Scope) -> bool:
        given = _bearer(scope)
        if not self.metrics_token or given is None:
            return False
        return hmac.compare_digest(given.encode(), self.metrics_token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path not in _PATHS:
            await self.app(scope, receive, send)
            return
        if scope.get("method") not in ("GET", "HEAD"):
            await _answer(send, 405, b"Method not allowed\n", "text/plain; charset=utf-8")
            return
        if path == HEALTHZ:
            await _answer(send, 200, b'{"status":"alive"}\n', "application/json")
            return
        trusted = self._internal(scope) or self._token_ok(scope)
        if path == READYZ:
            report = await readiness.run_checks(self.checks())
            ready = report.ready and not drain.state.draining
            public = {"status": "draining" if drain.state.draining else report.status}
            body = (
                {
                    **report.as_dict(),
                    **public,
                    "worker": environ().get("CW_WORKER_ID"),
                    "pid": os.getpid(),
                    "draining": drain.state.draining,
                    "running_events": drain.state.running_events,
                }
                if trusted
                else public
            )
            await _answer(
                send,
                200 if ready else 503,
                (json.dumps(body) + "\n").encode(),
                "application/json",
            )
            return
        if not trusted:
            await _answer(send, 403, b"Forbidden\n", "text/plain; charset=utf-8")
            return
        import asyncio

        # Reading every worker's files (and the queue from the database) is blocking work.
        text, content_type = await asyncio.to_thread(metrics.exposition, list(self.collectors()))
        await _answer(send, 200, text, content_type)


async def _answer(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
