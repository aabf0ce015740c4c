"""``GET /api/claims/export?since=YYYY-MM-DD[&limit=N]``: submitted claims as JSON documents.

For the insurer's claims system (schema: ``docs/claim-schema.json``). It authenticates with
``Authorization: Bearer <CW_CLAIMS_API_KEY>``, compared in constant time; without a configured
key the endpoint does not exist (404). Responses are never cached.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import parse_qs

from chat_widget.web.asgi import ASGIApp, Receive, Scope, Send

PATH = "/api/claims/export"
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000

# (since, limit) -> claim documents, oldest submission first.
DocumentLoader = Callable[[datetime, int], Awaitable[list[dict[str, Any]]]]


def key_matches(given: str | None, expected: str) -> bool:
    """Constant time, whatever the lengths (both sides are hashed first)."""
    if not given:
        return False
    a = hashlib.sha256(given.encode("utf-8")).digest()
    b = hashlib.sha256(expected.encode("utf-8")).digest()
    return hmac.compare_digest(a, b)


def parse_since(raw: str | None) -> datetime | None:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO timestamp with an offset (for paging)."""
    if not raw or len(raw) > 40:
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def _bearer(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"authorization":
            text = bytes(value).decode("latin-1")
            scheme, _, token = text.partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


class ClaimsExportRoute:
    def __init__(self, app: ASGIApp, *, api_key: str | None, load: DocumentLoader) -> None:
        self.app = app
        self.api_key = api_key
        self.load = load

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").rstrip("/") != PATH:
            await self.app(scope, receive, send)
            return
        if self.api_key is None:
            await _json(send, 404, {"error": "not_found"})
            return
        if not key_matches(_bearer(scope), self.api_key):
            await _json(send, 401, {"error": "unauthorized"}, [(b"www-authenticate", b"Bearer")])
            return
        if scope.get("method") != "GET":
            await _json(send, 405, {"error": "method_not_allowed"}, [(b"allow", b"GET")])
            return
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        since = parse_since((query.get("since") or [""])[0])
        limit_raw = (query.get("limit") or [str(DEFAULT_LIMIT)])[0]
        if since is None or not limit_raw.isdigit() or not 1 <= int(limit_raw) <= MAX_LIMIT:
            await _json(send, 400, {"error": "bad_request", "expected": "since=YYYY-MM-DD"})
            return
        documents = await self.load(since, int(limit_raw))
        await _json(
            send,
            200,
            {"since": since.isoformat(), "count": len(documents), "claims": documents},
        )


async def _json(
    send: Send, status: int, payload: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"cache-control", b"no-store"),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
