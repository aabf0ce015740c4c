"""Security headers and origin checks for every response the widget server sends.

Why here and not in Reflex config: Reflex's defaults reflect any Origin, accept websockets from
anywhere and serve `/_upload` without authentication. This middleware wraps the whole ASGI app
(API, websocket and the compiled frontend in single-port mode), so one place decides:

* ``/widget`` pages may be framed only by the configured bank origins (CSP frame-ancestors);
  every other page (agent console…) may not be framed at all.
* websocket upgrades are refused unless their Origin is the widget's own.
* the unauthenticated upload folder is not served.
"""

from __future__ import annotations

from chat_widget.web.asgi import ASGIApp, Message, Receive, Scope, Send

_BLOCKED_PREFIXES = ("/_upload",)


def content_security_policy(*, frame_ancestors: tuple[str, ...], own_origin: str) -> str:
    ws_origin = own_origin.replace("https://", "wss://").replace("http://", "ws://")
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    # The compiled Reflex app needs inline scripts/styles and eval (see shared NOTES).
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            f"connect-src 'self' {own_origin} {ws_origin}",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )


def is_widget_path(path: str) -> bool:
    return path == "/widget" or path.startswith(("/widget/", "/widget."))


class SecurityHeaders:
    def __init__(
        self,
        app: ASGIApp,
        *,
        frame_ancestors: tuple[str, ...],
        own_origin: str,
        socket_origins: tuple[str, ...],
        max_upload_body: int = 64 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.max_upload_body = max_upload_body
        self.socket_origins = {o.lower() for o in socket_origins}
        self.widget_csp = content_security_policy(
            frame_ancestors=frame_ancestors, own_origin=own_origin
        ).encode()
        self.page_csp = content_security_policy(frame_ancestors=(), own_origin=own_origin).encode()
        # Behind the TLS-terminating proxy the ASGI scheme is http: the public origin decides.
        self.hsts = own_origin.lower().startswith("https://")

    def _upload_refusal(self, scope: Scope) -> int | None:
        """Uploads come only from the widget's own pages, with a declared, bounded size."""
        origin = _header(scope, b"origin")
        if origin is None or origin.lower() not in self.socket_origins:
            return 403
        length = _content_length(scope)
        if length is None:
            return 411
        return 413 if length > self.max_upload_body else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            origin = _header(scope, b"origin")
            if origin is None or origin.lower() not in self.socket_origins:
                await send({"type": "websocket.close", "code": 4403})
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path.startswith(_BLOCKED_PREFIXES):
            # The upload *endpoint* (POST, from the widget itself) is allowed with a size cap;
            # the upload *folder* (GET) is never served: files live in the private store.
            refusal = 404 if scope.get("method") != "POST" else self._upload_refusal(scope)
            if refusal:
                await _plain(send, refusal, b"Not allowed")
                return
        if path.startswith(("/_event", "/socket.io")):
            # Engine.IO long-polling fallback: same origin rule as the websocket.
            origin = _header(scope, b"origin")
            if origin is not None and origin.lower() not in self.socket_origins:
                await _plain(send, 403, b"Forbidden origin")
                return
        csp = self.widget_csp if is_widget_path(path) else self.page_csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A route may set a stricter Referrer-Policy (files: no-referrer); it is kept
                # and never doubled by the default below.
                own_referrer = any(
                    k.lower() == b"referrer-policy" for k, _ in message.get("headers", [])
                )
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower()
                    not in {
                        b"content-security-policy",
                        b"x-frame-options",
                        b"x-content-type-options",
                    }
                ]
                headers += [
                    (b"content-security-policy", csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=()"),
                ]
                if not own_referrer:
                    headers.append((b"referrer-policy", b"strict-origin-when-cross-origin"))
                if self.hsts:
                    headers.append(
                        (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
                    )
                if not is_widget_path(path):
                    headers.append((b"x-frame-options", b"DENY"))
                cache = _cache_policy(path)
                if cache and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", cache))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    return int(raw) if raw and raw.isdigit() else None


def _cache_policy(path: str) -> bytes | None:
    """Hashed build assets never change; the loader changes rarely and must pick up fixes."""
    if path.startswith("/assets/"):
        return b"public, max-age=31536000, immutable"
    if path in {"/embed.js", "/widget-bridge.js", "/widget.css"}:
        return b"public, max-age=300"
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _plain(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})
