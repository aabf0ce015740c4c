"""/healthz, /readyz and /metrics behind the proxy layer: who may read what.

A tiny ASGI app stands in for Reflex; requests are driven with explicit client addresses and
headers, as nginx would pass them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from chat_widget.observability import drain, metrics, readiness
from chat_widget.web.health import HealthRoutes, is_internal
from chat_widget.web.observed import Observed, forwarded_client

TOKEN = "t" * 40


async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.accept"})
        await receive()
        return
    body = json.dumps({"client": scope["client"][0], "scheme": scope["scheme"]}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def ok(name: str, critical: bool = True) -> readiness.Check:
    return readiness.Check(name, lambda: readiness.CheckResult(readiness.OK), critical)


def down(name: str, critical: bool = True) -> readiness.Check:
    return readiness.Check(name, lambda: readiness.CheckResult(readiness.DOWN, "boom"), critical)


def app(checks: list[readiness.Check] | None = None, hops: int = 1) -> Observed:
    health = HealthRoutes(
        inner,
        checks=lambda: checks or [ok("database"), ok("redis")],
        internal_networks=("127.0.0.1/32", "10.0.0.0/8"),
        metrics_token=TOKEN,
    )
    return Observed(health, trusted_proxy_hops=hops)


def call(
    asgi: Any, path: str, *, peer: str = "127.0.0.1", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "scheme": "http",
        "client": (peer, 40000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(asgi(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture(autouse=True)
def not_draining() -> Iterator[None]:
    yield
    drain.state.draining = False


def test_healthz_answers_anyone() -> None:
    assert call(app(), "/healthz", headers={"X-Forwarded-For": "203.0.113.5"}) == (
        200,
        b'{"status":"alive"}\n',
    )


def test_readyz_details_only_for_internal_addresses() -> None:
    status, body = call(app(), "/readyz", headers={"X-Forwarded-For": "10.1.2.3"})
    report = json.loads(body)
    assert status == 200 and set(report["checks"]) == {"database", "redis"}
    assert report["draining"] is False and report["running_events"] == 0
    status, body = call(app(), "/readyz", headers={"X-Forwarded-For": "203.0.113.5"})
    assert (status, json.loads(body)) == (200, {"status": "ready"})


def test_a_critical_check_down_makes_the_worker_unready_an_optional_one_degraded() -> None:
    status, body = call(app([ok("database"), down("redis")]), "/readyz")
    assert status == 503
    assert json.loads(body)["checks"]["redis"] == {"status": "down", "detail": "boom"}
    status, body = call(app([ok("database"), down("graph", critical=False)]), "/readyz")
    assert (status, json.loads(body)["status"]) == (200, "degraded")


def test_metrics_for_internal_addresses_or_the_token_only() -> None:
    metrics.chat_message("customer")
    status, body = call(app(), "/metrics")
    assert status == 200 and b"cw_chat_messages_total" in body
    outside = {"X-Forwarded-For": "203.0.113.5"}
    assert call(app(), "/metrics", headers=outside)[0] == 403
    # The client wrote its own X-Forwarded-For; nginx appended the real address.
    forged = {"X-Forwarded-For": "127.0.0.1, 203.0.113.5"}
    assert call(app(), "/metrics", headers=forged)[0] == 403
    assert (
        call(app(), "/metrics", headers={**outside, "Authorization": f"Bearer {TOKEN}"})[0] == 200
    )
    assert call(app(), "/metrics", headers={**outside, "Authorization": "Bearer nope"})[0] == 403


def test_without_trusted_hops_forwarded_headers_are_ignored() -> None:
    status, body = call(
        app(hops=0), "/", peer="198.51.100.4", headers={"X-Forwarded-For": "10.0.0.1"}
    )
    assert json.loads(body)["client"] == "198.51.100.4"
    assert (
        call(app(hops=0), "/metrics", peer="198.51.100.4", headers={"X-Forwarded-For": "10.0.0.1"})[
            0
        ]
        == 403
    )


def test_the_app_sees_the_client_and_scheme_the_proxy_reports() -> None:
    headers = {"X-Forwarded-For": "192.0.2.1, 198.51.100.7", "X-Forwarded-Proto": "https"}
    status, body = call(app(hops=1), "/", headers=headers)
    assert json.loads(body) == {"client": "198.51.100.7", "scheme": "https"}
    status, body = call(app(hops=2), "/", headers=headers)
    assert json.loads(body)["client"] == "192.0.2.1"


@pytest.mark.parametrize(
    ("header", "hops", "expected"),
    [
        ("203.0.113.5", 1, "203.0.113.5"),
        ("[2001:db8::1]:443", 1, "2001:db8::1"),
        ("not-an-ip", 1, None),
        ("203.0.113.5", 2, None),  # fewer entries than proxies: keep the socket peer
        ("", 1, None),
    ],
)
def test_forwarded_client(header: str, hops: int, expected: str | None) -> None:
    scope = {"type": "http", "headers": [(b"x-forwarded-for", header.encode())]}
    assert forwarded_client(scope, hops) == expected


def test_internal_networks_include_ipv4_mapped_addresses() -> None:
    assert is_internal("::ffff:127.0.0.1", ("127.0.0.0/8",))
    assert not is_internal("127.0.0.2", ("127.0.0.1/32",))
    assert not is_internal(None, ("0.0.0.0/0",))


def test_a_draining_worker_is_not_ready_and_refuses_new_sockets() -> None:
    drain.state.draining = True
    status, body = call(app(), "/readyz", headers={"X-Forwarded-For": "203.0.113.5"})
    assert (status, json.loads(body)) == (503, {"status": "draining"})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/_event", "client": ("127.0.0.1", 1), "headers": []}
    asyncio.run(app()(scope, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1012}]


def test_open_sockets_are_counted_while_open() -> None:
    def value() -> float:
        return sum(s.value for m in metrics.sockets_connected.collect() for s in m.samples)

    before = value()
    seen: list[float] = []

    async def receive() -> dict[str, Any]:
        seen.append(value())
        return {"type": "websocket.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        return None

    scope = {"type": "websocket", "path": "/_event", "client": ("127.0.0.1", 1), "headers": []}
    asyncio.run(app()(scope, receive, send))
    assert seen == [before + 1] and value() == before
