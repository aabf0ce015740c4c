"""Single sign-on endpoints of the console (OpenID Connect), answered before Reflex.

* ``GET /api/agent/oidc/login?next=/agent/claims`` → 303 to the provider's authorization
  endpoint; the attempt (state, nonce, PKCE verifier, asked page) is kept in a short-lived,
  HMAC-sealed ``HttpOnly`` cookie. It is a link, not a form: the pages' CSP has
  ``form-action 'self'``, which would stop a form's redirect to the provider.
* ``GET /api/agent/oidc/callback?code&state`` → the state must be the one sealed in this
  browser's cookie (login CSRF), the code is exchanged with the verifier, the ID token is
  validated (adapters.oidc); then the console session cookie is set exactly as the password
  login sets it (web.console_session: ``HttpOnly``, ``SameSite=Strict``, ``__Host-``/Secure on
  https) and the browser goes to its console page. Any failure → ``/agent/login?error=…``.
* ``POST /api/agent/oidc/backchannel-logout`` (form ``logout_token``) → the provider's signed
  logout token ends the matching console sessions; 200, or 400 for a token not to be trusted.
* ``GET /api/agent/oidc/frontchannel-logout?sid=…[&iss=…]`` → ends the sessions opened under that
  provider session (Entra ID sends ``sid`` without ``iss``). The provider loads it in a hidden
  iframe, where the ``SameSite=Strict`` console cookie is not sent: the ``sid`` is the key.

The attempt cookie is ``SameSite=Lax``: the callback is a top-level navigation from the
provider's site, on which a Strict cookie would not be sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlencode

from chat_widget.adapters.oidc import Attempt, LogoutRequest, OidcClient, OidcError
from chat_widget.agents.directory import Employee, employee_from_claims
from chat_widget.domain.clock import utcnow
from chat_widget.web import console_session
from chat_widget.web.asgi import ASGIApp, Receive, Scope, Send, reply

log = logging.getLogger(__name__)

LOGIN_PATH = "/api/agent/oidc/login"
CALLBACK_PATH = "/api/agent/oidc/callback"
BACKCHANNEL_PATH = "/api/agent/oidc/backchannel-logout"
FRONTCHANNEL_PATH = "/api/agent/oidc/frontchannel-logout"
PATHS = (LOGIN_PATH, CALLBACK_PATH, BACKCHANNEL_PATH, FRONTCHANNEL_PATH)
SECURE_ATTEMPT_COOKIE = "__Host-cw_oidc"
PLAIN_ATTEMPT_COOKIE = "cw_oidc"
ATTEMPT_SECONDS = 600
_MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class SsoSignedIn:
    token: str
    landing: str


@dataclass(frozen=True)
class SsoRefused:
    reason: str  # "norole" | "overage"


# (validated employee, asked page) -> outcome; the use case runs in a worker thread
CompleteSignIn = Callable[[Employee, str], Awaitable[SsoSignedIn | SsoRefused]]
# the provider said this session (or every session of this subject) ended
EndSessions = Callable[[LogoutRequest], Awaitable[int]]


def attempt_cookie_name(secure: bool) -> str:
    return SECURE_ATTEMPT_COOKIE if secure else PLAIN_ATTEMPT_COOKIE


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    key = hashlib.sha256(f"oidc-attempt:{secret}".encode()).digest()
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def seal(attempt: Attempt, secret: str, *, issued_at: int | None = None) -> str:
    """The attempt as a cookie value the browser cannot alter (it can only send it back)."""
    at = int(utcnow().timestamp()) if issued_at is None else issued_at
    payload = _b64(
        json.dumps(
            [attempt.state, attempt.nonce, attempt.code_verifier, attempt.next, at],
            separators=(",", ":"),
        ).encode()
    )
    return f"{payload}.{_mac(secret, payload)}"


def unseal(value: str, secret: str) -> Attempt | None:
    """The attempt in a genuine, unexpired cookie value; None otherwise."""
    payload, _, mac = value.partition(".")
    if not payload or not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    try:
        state, nonce, verifier, next_page, at = json.loads(_unb64(payload))
    except (ValueError, TypeError):
        return None
    age = utcnow().timestamp() - float(at)
    if not 0 <= age <= ATTEMPT_SECONDS:
        return None
    return Attempt(str(state), str(nonce), str(verifier), str(next_page))


def _cookie(name: str, value: str, *, secure: bool, max_age: int) -> bytes:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax", f"Max-Age={max_age}"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def _query(scope: Scope) -> dict[str, str]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return {k: v[0][:4096] for k, v in parse_qs(raw, keep_blank_values=True).items() if v}


def _cookie_value(scope: Scope, name: str) -> str:
    raw = console_session.header(scope, b"cookie")
    if not raw:
        return ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value[:4096] if morsel is not None else ""


async def _redirect(send: Send, location: str, cookies: list[bytes]) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"location", location.encode("latin-1")),
        (b"cache-control", b"no-store"),
        (b"content-type", b"text/plain; charset=utf-8"),
        *((b"set-cookie", c) for c in cookies),
    ]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


class OidcRoute:
    def __init__(
        self,
        app: ASGIApp,
        *,
        client: OidcClient,
        complete: CompleteSignIn,
        end_sessions: EndSessions,
        secret: str,
        secure: bool,
    ) -> None:
        self.app = app
        self.client = client
        self.complete = complete
        self.end_sessions = end_sessions
        self.secret = secret
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path not in PATHS:
            await self.app(scope, receive, send)
            return
        method = scope.get("method")
        wanted = "POST" if path == BACKCHANNEL_PATH else "GET"
        if method != wanted:
            await reply(send, 405, b"Method not allowed", [(b"allow", wanted.encode())])
            return
        if path == LOGIN_PATH:
            await self._login(scope, send)
        elif path == CALLBACK_PATH:
            await self._callback(scope, send)
        elif path == BACKCHANNEL_PATH:
            await self._backchannel(receive, send)
        else:
            await self._frontchannel(scope, send)

    async def _login(self, scope: Scope, send: Send) -> None:
        asked = console_session.safe_next(_query(scope).get("next"))
        try:
            url, attempt = await self.client.begin(asked)
        except OidcError as exc:
            log.warning("console sign-in could not start: %s", exc.reason)
            await _redirect(send, _login_page("sso", asked), [])
            return
        cookie = _cookie(
            attempt_cookie_name(self.secure),
            seal(attempt, self.secret),
            secure=self.secure,
            max_age=ATTEMPT_SECONDS,
        )
        await _redirect(send, url, [cookie])

    async def _callback(self, scope: Scope, send: Send) -> None:
        name = attempt_cookie_name(self.secure)
        forget = _cookie(name, "", secure=self.secure, max_age=0)
        params = _query(scope)
        attempt = unseal(_cookie_value(scope, name), self.secret)
        asked = attempt.next if attempt else ""
        if attempt is None or not hmac.compare_digest(params.get("state", ""), attempt.state):
            log.warning("console sign-in callback without a matching attempt (state)")
            await _redirect(send, _login_page("sso", asked), [forget])
            return
        if "error" in params or not params.get("code"):
            # The provider refused or the employee cancelled (e.g. MFA not completed).
            log.info("provider answered %s", params.get("error", "no code")[:64])
            await _redirect(send, _login_page("sso", asked), [forget])
            return
        try:
            claims = await self.client.finish(
                code=params["code"], attempt=attempt, issuer_param=params.get("iss")
            )
        except OidcError as exc:
            log.warning("console sign-in refused: %s", exc.reason)
            await _redirect(send, _login_page("sso", asked), [forget])
            return
        employee = employee_from_claims(claims, self.client.settings.role_claims)
        outcome = await self.complete(employee, asked)
        if isinstance(outcome, SsoRefused):
            if outcome.reason == "overage":
                log.warning(
                    "%s: the ID token had too many groups to list (overage); assign app roles",
                    employee.key,
                )
            await _redirect(send, _login_page("norole", ""), [forget])
            return
        session_cookie = console_session.set_cookie(outcome.token, secure=self.secure)
        await _redirect(send, outcome.landing, [forget, session_cookie])

    async def _backchannel(self, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > _MAX_BODY:
                await reply(send, 413, b"Too large")
                return
            if not message.get("more_body"):
                break
        form = parse_qs(body.decode("utf-8", "replace"))
        raw = (form.get("logout_token") or [""])[0]
        try:
            request = await self.client.validate_logout_token(raw)
        except OidcError as exc:
            log.warning("back-channel logout refused: %s", exc.reason)
            await reply(
                send, 400, b'{"error":"invalid_request"}', [(b"content-type", b"application/json")]
            )
            return
        ended = await self.end_sessions(request)
        log.info("back-channel logout ended %d console session(s)", ended)
        await reply(send, 200, b"")

    async def _frontchannel(self, scope: Scope, send: Send) -> None:
        params = _query(scope)
        sid, issuer = params.get("sid", ""), params.get("iss")
        if sid and (issuer is None or issuer == self.client.settings.issuer):
            ended = await self.end_sessions(LogoutRequest(self.client.settings.issuer, None, sid))
            log.info("front-channel logout ended %d console session(s)", ended)
        await reply(send, 200, b"")


def _login_page(error: str, asked: str) -> str:
    query = {"error": error} | ({"next": asked} if asked else {})
    return f"{console_session.LOGIN_PAGE}?{urlencode(query)}"
