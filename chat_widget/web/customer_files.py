"""Customer files served back to their owner: short-lived capability URLs and the ASGI route.

Shared by claims (``GET /api/claims/files/{file_id}?t=TOKEN``) and live-chat attachments
(``GET /api/chat/files/{file_id}?t=TOKEN``): each *kind* of file has its own URL prefix and its
own signing key, so a token minted for one kind never opens a file of the other. The widget's
state mints ``TOKEN`` for the customer whose claim or chat holds the file; it is an HMAC (key
derived from the secret key, so it cannot be swapped with a session token) over customer id,
file id and expiry. The route re-checks the signature and then asks the claims or live-chat
layer for the file *as that customer*, so a token for another customer's file, an expired or
forged token, or no token at all all get the same 404.

The URL is a bearer capability for about ten minutes: whoever holds it may read that one file.
Files are never put in Reflex's upload folder or in ``assets/``; this route is the only way out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, quote

from chat_widget.domain.clock import utcnow
from chat_widget.web.asgi import (
    ASGIApp,
    Receive,
    Scope,
    Send,
    ServedFile,
    file_id_or_pass,
    reply,
    send_file,
)

CLAIM = "claim"
CHAT = "chat"
#: URL prefix per file kind.
PREFIXES = {CLAIM: "/api/claims/files/", CHAT: "/api/chat/files/"}
PREFIX = PREFIXES[CLAIM]
TOKEN_TTL_SECONDS = 600
_ID = re.compile(r"\A[0-9a-f]{32}\Z")
_TOKEN = re.compile(r"\A([0-9a-f]{32})\.(\d{1,12})\.([A-Za-z0-9_-]{43})\Z")


# (customer_id, file_id) -> the file if that customer owns it, else None.
FileReader = Callable[[str, str], Awaitable[ServedFile | None]]


def _key(secret: str, kind: str) -> bytes:
    if kind not in PREFIXES:
        raise ValueError(f"unknown file kind {kind!r}")
    purpose = f"{kind}-file-v1".encode("ascii")
    return hmac.new(secret.encode("utf-8"), purpose, hashlib.sha256).digest()


def _sign(secret: str, customer_id: str, file_id: str, expires: int, kind: str) -> str:
    msg = f"{customer_id}|{file_id}|{expires}".encode("ascii")
    mac = hmac.new(_key(secret, kind), msg, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def mint_file_token(
    *,
    secret: str,
    customer_id: str,
    file_id: str,
    now: float | None = None,
    ttl: int = TOKEN_TTL_SECONDS,
    kind: str = CLAIM,
) -> str:
    """A token letting ``customer_id`` read the ``kind`` file ``file_id`` until ``now + ttl``."""
    if not _ID.match(customer_id) or not _ID.match(file_id):
        raise ValueError("customer and file ids are 32 hex characters")
    expires = int((utcnow().timestamp() if now is None else now) + ttl)
    return f"{customer_id}.{expires}.{_sign(secret, customer_id, file_id, expires, kind)}"


def read_file_token(
    token: object, *, secret: str, file_id: str, now: float | None = None, kind: str = CLAIM
) -> str | None:
    """The customer id a genuine, unexpired ``kind`` token for ``file_id`` was minted for."""
    if not isinstance(token, str) or not _ID.match(file_id):
        return None
    match = _TOKEN.match(token)
    if match is None:
        return None
    customer_id, expires_raw, mac = match.groups()
    expires = int(expires_raw)
    if expires < (utcnow().timestamp() if now is None else now):
        return None
    expected = _sign(secret, customer_id, file_id, expires, kind)
    return customer_id if hmac.compare_digest(mac, expected) else None


def file_url(file_id: str, token: str, *, kind: str = CLAIM) -> str:
    """Relative URL of the file (the widget page and this route share an origin)."""
    return f"{PREFIXES[kind]}{file_id}?t={quote(token, safe='')}"


class CustomerFilesRoute:
    """Answers ``GET/HEAD {prefix of kind}{id}?t=TOKEN``; passes every other request through."""

    def __init__(
        self, app: ASGIApp, *, secret: str, read_file: FileReader, kind: str = CLAIM
    ) -> None:
        self.app = app
        self.secret = secret
        self.read_file = read_file
        self.kind = kind
        self.prefix = PREFIXES[kind]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        file_id = await file_id_or_pass(self.app, self.prefix, scope, receive, send)
        if file_id is None:
            return
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        token = (query.get("t") or [""])[0]
        customer_id = read_file_token(token, secret=self.secret, file_id=file_id, kind=self.kind)
        found = await self.read_file(customer_id, file_id) if customer_id else None
        if found is None:
            # Same answer for "no such file", "not yours", "expired" and "forged".
            await reply(send, 404, b"Not found")
            return
        await send_file(send, found, head=scope.get("method") == "HEAD")
