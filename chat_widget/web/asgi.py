"""The ASGI types and plain responses the widget's own HTTP routes share (files, exports,
console session, single sign-on, security headers): no framework, the server's ASGI app is
wrapped by these routes directly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ServedFile:
    """A file to answer with (a customer's claim photo or chat attachment, an export)."""

    data: bytes
    content_type: str
    filename: str


def content_disposition(filename: str, content_type: str) -> bytes:
    """Images open inline; anything else (PDF) downloads. Non-ASCII names use RFC 5987."""
    kind = "inline" if content_type.startswith("image/") else "attachment"
    ascii_name = (
        "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
        or "file"
    )
    return (
        f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    ).encode("latin-1")


async def send_file(send: Send, found: ServedFile, *, head: bool) -> None:
    """A 200 with the file, never cached, never sniffed, never leaking the referrer."""
    headers = [
        (b"content-type", found.content_type.encode("latin-1")),
        (b"content-length", str(len(found.data)).encode("ascii")),
        (b"content-disposition", content_disposition(found.filename, found.content_type)),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"private, no-store"),
        (b"referrer-policy", b"no-referrer"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else found.data})


async def reply(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"cache-control", b"private, no-store"),
        (b"x-content-type-options", b"nosniff"),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def file_id_or_pass(
    app: ASGIApp, prefix: str, scope: Scope, receive: Receive, send: Send
) -> str | None:
    """For a file route: the id after ``prefix`` of a GET/HEAD request. Any other path goes on
    to ``app`` and another method gets a 405; both return None (already answered)."""
    path = scope.get("path", "") if scope["type"] == "http" else ""
    if not path.startswith(prefix):
        await app(scope, receive, send)
        return None
    if scope.get("method") not in {"GET", "HEAD"}:
        await reply(send, 405, b"Method not allowed", [(b"allow", b"GET, HEAD")])
        return None
    return str(path[len(prefix) :])
