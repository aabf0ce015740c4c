"""A fake OpenID Connect provider for tests and the demo: real HTTP on 127.0.0.1, real JWTs.

Shaped like Microsoft Entra ID: the issuer is ``http://127.0.0.1:PORT/{tenant}/v2.0``, ID tokens
carry ``tid``, ``oid``, ``sid``, ``groups`` and ``roles``, and the front-channel logout call
sends ``sid`` alone. It serves discovery (``/.well-known/openid-configuration`` under the
issuer), the JWKS, ``/authorize`` (a page with one button per employee, PKCE S256 required)
and ``/token`` (authorization code + verifier, client secret in the form or HTTP Basic). ID
tokens are RS256-signed with a key generated at start (``rotate_key()`` makes a new one).

A test changes what the next ID token says with ``tamper(...)``: other claim values, claims
left out, an expiry in the past, or a signature by a key the JWKS does not publish. Times come
from ``chat_widget.domain.clock`` so an in-process test that pins the clock pins the provider
too. ``logout_token()`` and ``backchannel_logout()`` play the provider's back-channel logout.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from chat_widget.domain.clock import utcnow

TENANT = "7d3c0a9e-0000-4000-8000-00000000ba4c"
CLIENT_ID = "5e1f7c2a-0000-4000-8000-0000000c0501"
CLIENT_SECRET = "fake-client-secret-for-tests-only-000000"
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"

# Entra-style group object ids and app-role values the tests and the demo map to roles.
GROUP_AGENTS = "0b1c2d3e-0000-4000-8000-00000000a6e7"
GROUP_CLAIMS = "0b1c2d3e-0000-4000-8000-00000000c1a1"
GROUP_FR = "0b1c2d3e-0000-4000-8000-0000000000f7"
GROUP_NL = "0b1c2d3e-0000-4000-8000-0000000000a1"
APP_ROLE_ADMIN = "Console.Admin"
ROLE_MAP = f"{GROUP_AGENTS}=agent,{GROUP_CLAIMS}=claims_handler,{APP_ROLE_ADMIN}=admin"
LANGUAGE_MAP = f"{GROUP_FR}=fr,{GROUP_NL}=nl"


@dataclass
class FakeUser:
    username: str  # preferred_username (a UPN)
    name: str
    groups: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    oid: str = field(default_factory=lambda: str(uuid.uuid4()))
    tenant: str = TENANT

    @property
    def sub(self) -> str:
        # Entra's sub is pairwise per application; any stable opaque value does here.
        return hashlib.sha256(f"{self.oid}:{CLIENT_ID}".encode()).hexdigest()[:43]


@dataclass
class _Grant:
    user: FakeUser
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    sid: str


def _new_key() -> RSAKey:
    return RSAKey.generate_key(
        2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"}
    )


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class FakeOidc:
    """The fake provider; ``start()`` runs uvicorn in a thread on a free 127.0.0.1 port."""

    def __init__(
        self,
        users: list[FakeUser] | None = None,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        tenant: str = TENANT,
        port: int = 0,
    ) -> None:
        self.users: dict[str, FakeUser] = {u.username: u for u in users or []}
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenant = tenant
        self.redirect_uris: set[str] = set()
        self.port = port
        self.key = _new_key()
        self.old_keys: list[RSAKey] = []
        self.lock = threading.Lock()
        self._grants: dict[str, _Grant] = {}
        self._tamper: dict[str, Any] = {}
        self.sessions: dict[str, list[str]] = {}  # username -> provider session ids
        self.token_requests = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # ----- control -------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.origin}/{self.tenant}/v2.0"

    def env(self, redirect_uri: str | None = None) -> dict[str, str]:
        """The widget server's CW_OIDC_* settings for this provider."""
        values = {
            "CW_OIDC_ISSUER": self.issuer,
            "CW_OIDC_CLIENT_ID": self.client_id,
            "CW_OIDC_CLIENT_SECRET": self.client_secret,
            "CW_OIDC_TENANT_ID": self.tenant,
            "CW_OIDC_ROLE_MAP": ROLE_MAP,
            "CW_OIDC_LANGUAGE_MAP": LANGUAGE_MAP,
        }
        if redirect_uri:
            values["CW_OIDC_REDIRECT_URL"] = redirect_uri
        return values

    def add_user(self, user: FakeUser) -> FakeUser:
        with self.lock:
            self.users[user.username] = user
        return user

    def allow_redirect(self, uri: str) -> None:
        with self.lock:
            self.redirect_uris.add(uri)

    def tamper(self, **changes: Any) -> None:
        """Change the next ID token only. Claim names map to new values (``None`` leaves the
        claim out); ``expired=True`` puts ``exp`` in the past; ``foreign_key=True`` signs with
        a key the JWKS does not publish."""
        with self.lock:
            self._tamper = dict(changes)

    def rotate_key(self) -> None:
        """Sign with a new key from now on; the JWKS publishes the old one too."""
        with self.lock:
            self.old_keys.append(self.key)
            self.key = _new_key()

    def jwks(self) -> dict[str, Any]:
        with self.lock:
            keys = [self.key, *self.old_keys]
        return KeySet(keys).as_dict(private=False)  # type: ignore[arg-type]

    def _sign(self, claims: dict[str, Any], *, key: RSAKey | None = None, typ: str = "JWT") -> str:
        signer = key or self.key
        header = {"alg": "RS256", "kid": signer.kid, "typ": typ}
        return jwt.encode(header, claims, signer, algorithms=["RS256"])

    def id_token(self, user: FakeUser, *, nonce: str, sid: str, access_token: str = "") -> str:
        now = int(utcnow().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": user.sub,
            "aud": self.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "nonce": nonce,
            "name": user.name,
            "given_name": user.name.split(" ")[0],
            "preferred_username": user.username,
            "oid": user.oid,
            "tid": user.tenant,
            "sid": sid,
            "groups": list(user.groups),
            "roles": list(user.roles),
        }
        if access_token:
            claims["at_hash"] = _at_hash(access_token)
        with self.lock:
            changes, self._tamper = self._tamper, {}
        key = _new_key() if changes.pop("foreign_key", False) else None
        if changes.pop("expired", False):
            claims["iat"] = claims["nbf"] = now - 7200
            claims["exp"] = now - 3600
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return self._sign(claims, key=key)

    def logout_token(
        self, user: FakeUser, *, sid: str | None = None, with_sub: bool = True, **extra: Any
    ) -> str:
        now = int(utcnow().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_hex(12),
            "tid": user.tenant,
            "events": {BACKCHANNEL_EVENT: {}},
        }
        if with_sub:
            claims["sub"] = user.sub
        if sid:
            claims["sid"] = sid
        claims.update(extra)
        return self._sign(claims, typ="logout+jwt")

    def backchannel_logout(self, url: str, token: str) -> int:
        """POST the logout token the way a provider does; returns the relying party's status."""
        response = httpx.post(url, data={"logout_token": token}, timeout=10)
        return response.status_code

    def last_sid(self, username: str) -> str:
        with self.lock:
            return self.sessions[username][-1]

    # ----- server --------------------------------------------------------------------------

    def build_app(self) -> Starlette:
        base = f"/{self.tenant}/v2.0"

        async def discovery(request: Request) -> Response:
            return JSONResponse(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.origin}{base}/authorize",
                    "token_endpoint": f"{self.origin}{base}/token",
                    "jwks_uri": f"{self.origin}{base}/keys",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["pairwise"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                    "token_endpoint_auth_methods_supported": [
                        "client_secret_post",
                        "client_secret_basic",
                    ],
                    "scopes_supported": ["openid", "profile", "email", "offline_access"],
                    "frontchannel_logout_supported": True,
                    "backchannel_logout_supported": True,
                    "backchannel_logout_session_supported": True,
                }
            )

        async def keys(request: Request) -> Response:
            return JSONResponse(self.jwks())

        def bad_request(message: str) -> Response:
            return HTMLResponse(f"<p>{html.escape(message)}</p>", status_code=400)

        def check_request(params: dict[str, str]) -> str | None:
            if params.get("client_id") != self.client_id:
                return "unknown client_id"
            if params.get("redirect_uri") not in self.redirect_uris:
                return "redirect_uri not registered"
            if params.get("response_type") != "code":
                return "only response_type=code"
            if "openid" not in params.get("scope", "").split():
                return "scope must include openid"
            if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
                return "PKCE (S256) is required"
            if not params.get("state") or not params.get("nonce"):
                return "state and nonce are required"
            return None

        async def authorize(request: Request) -> Response:
            if request.method == "GET":
                params = dict(request.query_params)
                problem = check_request(params)
                if problem:
                    return bad_request(problem)
                hidden = "".join(
                    f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                    for k, v in params.items()
                )
                with self.lock:
                    users = list(self.users.values())
                buttons = "".join(
                    f'<li><button type="submit" name="user" value="{html.escape(u.username)}">'
                    f"{html.escape(u.name)}</button></li>"
                    for u in users
                )
                page = (
                    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                    "<title>Bank sign-in (test provider)</title></head><body><main>"
                    "<h1>Bank sign-in (test provider)</h1>"
                    "<p>Multi-factor authentication is assumed done.</p>"
                    f'<form method="post">{hidden}<ul>{buttons}</ul>'
                    '<button type="submit" name="user" value="">Cancel</button></form>'
                    "</main></body></html>"
                )
                return HTMLResponse(page)
            form = {k: str(v) for k, v in (await request.form()).items()}
            problem = check_request(form)
            if problem:
                return bad_request(problem)
            redirect_uri = form["redirect_uri"]
            user = self.users.get(form.get("user", ""))
            if user is None:
                query = urlencode({"error": "access_denied", "state": form["state"]})
                return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)
            code = secrets.token_urlsafe(24)
            sid = str(uuid.uuid4())
            with self.lock:
                self._grants[code] = _Grant(
                    user=user,
                    client_id=form["client_id"],
                    redirect_uri=redirect_uri,
                    nonce=form["nonce"],
                    challenge=form["code_challenge"],
                    sid=sid,
                )
                self.sessions.setdefault(user.username, []).append(sid)
            query = urlencode({"code": code, "state": form["state"]})
            return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)

        def token_error(error: str, status: int = 400) -> Response:
            return JSONResponse({"error": error}, status_code=status)

        async def token(request: Request) -> Response:
            form = {k: str(v) for k, v in (await request.form()).items()}
            with self.lock:
                self.token_requests += 1
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
            auth = request.headers.get("authorization", "")
            if auth.startswith("Basic "):
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            if client_id != self.client_id or secret != self.client_secret:
                return token_error("invalid_client", 401)
            if form.get("grant_type") != "authorization_code":
                return token_error("unsupported_grant_type")
            with self.lock:
                grant = self._grants.pop(form.get("code", ""), None)  # codes are single-use
            if grant is None or grant.client_id != client_id:
                return token_error("invalid_grant")
            if form.get("redirect_uri") != grant.redirect_uri:
                return token_error("invalid_grant")
            if _s256(form.get("code_verifier", "")) != grant.challenge:
                return token_error("invalid_grant")
            access_token = secrets.token_urlsafe(32)
            return JSONResponse(
                {
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "access_token": access_token,
                    "id_token": self.id_token(
                        grant.user, nonce=grant.nonce, sid=grant.sid, access_token=access_token
                    ),
                    "scope": "openid profile email",
                },
                headers={"cache-control": "no-store"},
            )

        return Starlette(
            routes=[
                Route(f"{base}/.well-known/openid-configuration", discovery, methods=["GET"]),
                Route(f"{base}/keys", keys, methods=["GET"]),
                Route(f"{base}/authorize", authorize, methods=["GET", "POST"]),
                Route(f"{base}/token", token, methods=["POST"]),
            ]
        )

    def start(self) -> FakeOidc:
        if not self.port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.build_app(),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake OpenID provider did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


def running_fake(users: list[FakeUser] | None = None, **kwargs: Any) -> Iterator[FakeOidc]:
    """Generator body for fixtures: ``yield from running_fake(...)``."""
    fake = FakeOidc(users, **kwargs).start()
    try:
        yield fake
    finally:
        fake.stop()


def demo_users() -> list[FakeUser]:
    """Employees of the demo and the browser tests."""
    return [
        FakeUser("anna.peeters@bank.example", "Anna Peeters", [GROUP_AGENTS, GROUP_NL, GROUP_FR]),
        FakeUser(
            "claire.dubois@bank.example", "Claire Dubois", [GROUP_CLAIMS, GROUP_AGENTS, GROUP_FR]
        ),
        FakeUser("max.weber@bank.example", "Max Weber", [GROUP_FR], roles=[APP_ROLE_ADMIN]),
        FakeUser("tom.janssens@bank.example", "Tom Janssens", [GROUP_NL]),
    ]
