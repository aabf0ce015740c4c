"""The console session cookie: set by a plain HTTP login, cleared by a plain HTTP logout.

Why not in Reflex state: a Reflex tab is identified by a token that scripts can read
(``sessionStorage``) and that travels in the websocket URL, so anything keyed on it can be
replayed by whoever saw it. The console session is therefore an ``HttpOnly`` cookie that only
these two endpoints write, and every console page load and event reads it from the headers the
browser sent with the websocket handshake (never from anything the page's scripts send).

* ``POST /api/agent/login`` (form: username, password, next) → 303 to the asked console page
  with ``Set-Cookie``, or back to the login page with ``?error=invalid`` / ``?error=wait``.
* ``POST /api/agent/logout`` → revokes the session, clears the cookie, 303 to the login page
  (``?signed_out=1``, so that single sign-on does not take the employee straight back in).

Local passwords are refused in production (``passwords=False``): the login endpoint answers
404 there, and employees sign in with the bank's identity provider (``web.oidc``).

Both refuse a request whose ``Origin`` is not the widget server's own (login CSRF). On https
the cookie is ``__Host-`` prefixed and ``Secure``; always ``HttpOnly`` and ``SameSite=Strict``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlencode

from chat_widget.web.asgi import ASGIApp, Receive, Scope, Send, reply

LOGIN_PATH = "/api/agent/login"
LOGOUT_PATH = "/api/agent/logout"
LOGIN_PAGE = "/agent/login"
SIGNED_OUT_PAGE = f"{LOGIN_PAGE}?signed_out=1"
SECURE_COOKIE = "__Host-cw_console"
PLAIN_COOKIE = "cw_console"
MAX_AGE_SECONDS = 10 * 3600
_MAX_FORM_BYTES = 8 * 1024


def cookie_name(secure: bool) -> str:
    return SECURE_COOKIE if secure else PLAIN_COOKIE


def token_from_cookie_header(raw: str | None, *, secure: bool) -> str:
    """The console session token in a ``Cookie`` header ('' when absent or malformed)."""
    if not raw:
        return ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return ""
    morsel = jar.get(cookie_name(secure))
    return morsel.value[:512] if morsel is not None else ""


def header(scope: Scope, name: bytes) -> str | None:
    values = [bytes(v) for k, v in scope.get("headers", []) if k.lower() == name]
    return b"; ".join(values).decode("latin-1") if values else None


def session_token(scope: Scope, *, secure: bool) -> str:
    return token_from_cookie_header(header(scope, b"cookie"), secure=secure)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def set_cookie(token: str, *, secure: bool) -> bytes:
    parts = [
        f"{cookie_name(secure)}={token}",
        "Path=/",
        "HttpOnly",
        "SameSite=Strict",
        f"Max-Age={MAX_AGE_SECONDS if token else 0}",
    ]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


@dataclass(frozen=True)
class SignedIn:
    token: str
    landing: str


@dataclass(frozen=True)
class Refused:
    retry_after: int = 0


# (username, password, client address, asked page) -> outcome
SignIn = Callable[[str, str, str, str], Awaitable[SignedIn | Refused]]
# (session token) -> None; revokes it
SignOut = Callable[[str], Awaitable[None]]


def safe_next(value: str | None) -> str:
    """Only a console page of this server may be a return path (no open redirect)."""
    if not value or not value.startswith("/agent") or "//" in value or "\\" in value:
        return ""
    return value[:200] if all(c.isalnum() or c in "/-_" for c in value) else ""


class ConsoleSessionRoute:
    def __init__(
        self,
        app: ASGIApp,
        *,
        sign_in: SignIn,
        sign_out: SignOut,
        own_origin: str,
        secure: bool,
        passwords: bool = True,
    ) -> None:
        self.app = app
        self.passwords = passwords
        self.sign_in = sign_in
        self.sign_out = sign_out
        self.own_origin = own_origin.lower()
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path not in (LOGIN_PATH, LOGOUT_PATH):
            await self.app(scope, receive, send)
            return
        if path == LOGIN_PATH and not self.passwords:
            await reply(send, 404, b"Not found")
            return
        if scope.get("method") != "POST":
            await reply(send, 405, b"Method not allowed", [(b"allow", b"POST")])
            return
        origin = (header(scope, b"origin") or "").lower()
        if origin != self.own_origin:
            await reply(send, 403, b"Forbidden origin")
            return
        form = await _read_form(receive)
        if form is None:
            await reply(send, 413, b"Form too large")
            return
        if path == LOGOUT_PATH:
            token = session_token(scope, secure=self.secure)
            if token:
                await self.sign_out(token)
            await _redirect(send, SIGNED_OUT_PAGE, set_cookie("", secure=self.secure))
            return
        asked = safe_next(form.get("next"))
        outcome = await self.sign_in(
            form.get("username", "")[:128],
            form.get("password", "")[:1024],
            client_address(scope),
            asked,
        )
        if isinstance(outcome, SignedIn):
            await _redirect(send, outcome.landing, set_cookie(outcome.token, secure=self.secure))
            return
        query: dict[str, str] = {"error": "wait" if outcome.retry_after else "invalid"}
        if outcome.retry_after:
            query["seconds"] = str(outcome.retry_after)
        if asked:
            query["next"] = asked
        await _redirect(send, f"{LOGIN_PAGE}?{urlencode(query)}")


async def _read_form(receive: Receive) -> dict[str, str] | None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > _MAX_FORM_BYTES:
            return None
        if not message.get("more_body"):
            break
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items() if v}


async def _redirect(send: Send, location: str, cookie: bytes | None = None) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"location", location.encode("latin-1")),
        (b"cache-control", b"no-store"),
        (b"content-type", b"text/plain; charset=utf-8"),
    ]
    if cookie is not None:
        headers.append((b"set-cookie", cookie))
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
