"""The outermost ASGI layer: who is the client, which request is this, how many sockets.

Behind nginx every connection comes from the proxy (127.0.0.1), so the login throttle, the
``/metrics`` access rule and the logs would all see one address. The proxy says who the
client is in ``X-Forwarded-For`` and which scheme it used in ``X-Forwarded-Proto``; both are
believed only through ``CW_TRUSTED_PROXY_HOPS`` proxies, counted from the right (the entries a
client wrote itself are further left and are ignored). With 0 hops the headers are ignored.

Every request and socket gets a ``request_id`` in the log context: nginx's ``X-Request-ID``
when it sent one (so a proxy line and the app's lines share it), else a fresh one.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import Any

from chat_widget.observability import drain, logs, metrics
from chat_widget.web.asgi import ASGIApp, Message, Receive, Scope, Send

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def header(scope: Scope, name: bytes) -> str | None:
    values = [bytes(v).decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == name]
    return ",".join(values) if values else None


def forwarded_client(scope: Scope, hops: int) -> str | None:
    """The client address the trusted proxies saw, or None to keep the socket peer."""
    if hops <= 0:
        return None
    raw = header(scope, b"x-forwarded-for")
    if not raw:
        return None
    chain = [part.strip() for part in raw.split(",") if part.strip()]
    if len(chain) < hops:
        return None
    candidate = chain[-hops]
    if candidate.startswith("[") and "]" in candidate:  # "[::1]:1234"
        candidate = candidate[1 : candidate.index("]")]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def forwarded_scheme(scope: Scope, hops: int) -> str | None:
    if hops <= 0:
        return None
    raw = header(scope, b"x-forwarded-proto")
    if not raw:
        return None
    proto = raw.split(",")[-1].strip().lower()
    if proto not in {"http", "https"}:
        return None
    if scope["type"] == "websocket":
        return "wss" if proto == "https" else "ws"
    return proto


def behind_proxy(scope: Scope, hops: int) -> Scope:
    """A copy of ``scope`` with the client address and scheme the trusted proxies report."""
    client = forwarded_client(scope, hops)
    scheme = forwarded_scheme(scope, hops)
    if client is None and scheme is None:
        return scope
    scope = dict(scope)
    if client is not None:
        scope["client"] = (client, 0)
    if scheme is not None:
        scope["scheme"] = scheme
    return scope


def request_id(scope: Scope) -> str:
    given = header(scope, b"x-request-id")
    if given and _REQUEST_ID.match(given):
        return given
    return uuid.uuid4().hex[:16]


class Observed:
    """Client address behind the proxy, request id in the log context, open sockets counted."""

    def __init__(self, app: ASGIApp, *, trusted_proxy_hops: int) -> None:
        self.app = app
        self.hops = trusted_proxy_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket" and drain.state.draining:
            # Being restarted: the browser tries again and nginx sends it to another worker.
            await send({"type": "websocket.close", "code": 1012})
            return
        scope = behind_proxy(scope, self.hops)
        token = logs.bind(request_id=request_id(scope))
        try:
            if scope["type"] == "http":
                await self.app(scope, receive, send)
            else:
                await self._socket(scope, receive, send)
        finally:
            logs.unbind(token)

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        opened: dict[str, Any] = {"yes": False}

        async def counting_send(message: Message) -> None:
            if message["type"] == "websocket.accept" and not opened["yes"]:
                opened["yes"] = True
                metrics.socket_opened()
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if opened["yes"]:
                metrics.socket_closed()
