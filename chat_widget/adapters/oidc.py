"""The console as an OpenID Connect relying party of the bank's identity provider (adapter:
the only module that talks to the provider; what the claims mean is `agents.directory`).

Authorization-code flow with PKCE (S256), a ``state`` and a ``nonce`` per attempt, and a
confidential client (the client secret authenticates the code exchange). Authlib builds the
authorization URL, fetches the provider's documents and exchanges the code (its HTTP client is
httpx2, which Authlib asks for; plain httpx is a deprecated fallback there); joserfc, the JOSE library Authlib
itself uses, checks the ID token's signature against the provider's published keys (JWKS), and
Authlib's ``CodeIDToken`` checks issuer, audience, authorised party, nonce, ``at_hash`` and the
times — against the application's clock (``domain.clock``), not the system's, so tests can pin
it. Only asymmetric signatures are accepted: never ``none``, never an HMAC keyed with the
client secret. The provider's metadata must name exactly the configured issuer (Entra's
multi-tenant ``{tenantid}`` template is refused), and when a tenant is configured the token's
``tid`` must be it.

Errors are :class:`OidcError` with a short ``reason`` for the log; the employee only ever sees
"sign-in failed".
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from chat_widget.domain.clock import utcnow
from chat_widget.settings import OidcSettings

log = logging.getLogger(__name__)

#: Asymmetric algorithms only: with HS* the "key" would be our own client secret.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
LEEWAY_SECONDS = 60
"""Tolerated difference between the provider's clock and ours."""
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
_JWKS_REFRESH_SECONDS = 60.0
_MAX_TOKEN_CHARS = 64 * 1024


class OidcError(Exception):
    """A sign-in or logout message that is not to be trusted; ``reason`` is for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attempt:
    """What the browser keeps (sealed, HttpOnly) between the redirect and the callback."""

    state: str
    nonce: str
    code_verifier: str
    next: str = ""


@dataclass(frozen=True)
class LogoutRequest:
    issuer: str
    subject: str | None
    sid: str | None


class OidcClient:
    """One per process: it caches the provider's metadata and keys (refetched on rotation)."""

    def __init__(self, settings: OidcSettings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self._clock = clock
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._refreshed_at = float("-inf")

    # --- provider documents -------------------------------------------------------------

    def _client(self) -> AsyncOAuth2Client:
        s = self.settings
        return AsyncOAuth2Client(
            client_id=s.client_id,
            client_secret=s.client_secret,
            token_endpoint_auth_method="client_secret_post",
            scope=" ".join(s.scopes),
            redirect_uri=s.redirect_url,
            code_challenge_method="S256",
            timeout=s.timeout_seconds,
        )

    async def _get_json(self, url: str) -> dict[str, Any]:
        async with self._client() as client:
            try:
                response = await client.request(
                    "GET", url, headers={"accept": "application/json"}, withhold_token=True
                )
                response.raise_for_status()
                data = response.json()
            except (httpx2.HTTPError, ValueError) as exc:
                raise OidcError(f"provider unreachable: {url}: {exc}") from exc
        if not isinstance(data, dict):
            raise OidcError(f"not a JSON object: {url}")
        return data

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            data = await self._get_json(self.settings.metadata_url)
            if data.get("issuer") != self.settings.issuer:
                raise OidcError(
                    f"metadata names issuer {data.get('issuer')!r}, not {self.settings.issuer!r}"
                )
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(data.get(name), str):
                    raise OidcError(f"metadata has no {name}")
            self._metadata = data
        return self._metadata

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        """The provider's keys; ``refresh`` (an unknown key id) fetches them again, at most once
        a minute, so tokens with made-up key ids cannot make us hammer the provider."""
        if refresh and time.monotonic() - self._refreshed_at > _JWKS_REFRESH_SECONDS:
            self._refreshed_at = time.monotonic()
        elif self._keys is not None:
            return self._keys
        jwks = await self._get_json((await self.metadata())["jwks_uri"])
        try:
            self._keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError) as exc:
            raise OidcError(f"unusable JWKS: {exc}") from exc
        return self._keys

    async def _algorithms(self) -> list[str]:
        offered = (await self.metadata()).get("id_token_signing_alg_values_supported") or ["RS256"]
        return [alg for alg in SIGNING_ALGORITHMS if alg in offered]

    async def _decode(self, raw: str) -> jwt.Token:
        """Signature check against the provider's keys, fetched again once if the key id is
        unknown (the provider rotated its keys)."""
        if not raw or len(raw) > _MAX_TOKEN_CHARS:
            raise OidcError("token missing or oversized")
        algorithms = await self._algorithms()
        for refresh in (False, True):
            keys = await self._key_set(refresh=refresh)
            try:
                return jwt.decode(raw, keys, algorithms=algorithms)
            except JoseError as exc:
                if refresh or exc.error not in ("invalid_key_id", "missing_key"):
                    raise OidcError(f"signature: {exc.error}") from exc
            except (ValueError, TypeError) as exc:
                raise OidcError(f"malformed token: {exc}") from exc
        raise OidcError("signature: no key")  # pragma: no cover - the loop returns or raises

    def _now(self) -> int:
        return int(self._clock().timestamp())

    # --- sign-in --------------------------------------------------------------------------

    async def begin(self, next_page: str = "") -> tuple[str, Attempt]:
        """The provider's authorization URL for a new attempt, and what to keep until the
        callback (``state`` binds the callback to this browser, ``nonce`` the ID token to
        this attempt, ``code_verifier`` the code to this client)."""
        attempt = Attempt(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            code_verifier=secrets.token_urlsafe(48),
            next=next_page,
        )
        endpoint = (await self.metadata())["authorization_endpoint"]
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                endpoint,
                state=attempt.state,
                code_verifier=attempt.code_verifier,
                nonce=attempt.nonce,
            )
        return str(url), attempt

    async def finish(
        self, *, code: str, attempt: Attempt, issuer_param: str | None
    ) -> dict[str, Any]:
        """Exchange the code (with the PKCE verifier) and validate the ID token it returns; the
        claims are mapped to an employee by the caller (agents.directory), so this adapter knows
        nothing of the console's roles."""
        if issuer_param is not None and issuer_param != self.settings.issuer:
            # RFC 9207: the answer came from another provider (mix-up attack).
            raise OidcError("authorization response from another issuer")
        metadata = await self.metadata()
        async with self._client() as client:
            try:
                token = await client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=attempt.code_verifier,
                )
            except Exception as exc:  # Authlib raises OAuthError, httpx errors, ValueError…
                raise OidcError(f"code exchange failed: {exc}") from exc
        raw = token.get("id_token")
        if not isinstance(raw, str):
            raise OidcError("no id_token in the token response")
        return await self.validate_id_token(
            raw, nonce=attempt.nonce, access_token=token.get("access_token")
        )

    async def validate_id_token(
        self, raw: str, *, nonce: str, access_token: str | None = None
    ) -> dict[str, Any]:
        decoded = await self._decode(raw)
        s = self.settings
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": s.issuer},
                "aud": {"essential": True, "value": s.client_id},
                "exp": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
            },
            {"nonce": nonce, "client_id": s.client_id, "access_token": access_token},
        )
        try:
            claims.validate(now=self._now(), leeway=LEEWAY_SECONDS)
        except JoseError as exc:
            raise OidcError(f"id_token: {exc.error}: {exc.description}") from exc
        self._check_tenant(claims)
        return dict(claims)

    def _check_tenant(self, claims: dict[str, Any], *, required: bool = True) -> None:
        tenant = self.settings.tenant_id
        if not required and "tid" not in claims:
            return
        if tenant and claims.get("tid") != tenant:
            raise OidcError(f"tenant {claims.get('tid')!r} is not the bank's")

    # --- logout ---------------------------------------------------------------------------

    async def validate_logout_token(self, raw: str) -> LogoutRequest:
        """OpenID Connect Back-Channel Logout 1.0 §2.6: signed by the provider, for us, with
        the logout event, a ``sub`` or a ``sid``, and no ``nonce`` (so an ID token can never
        be replayed as a logout token)."""
        decoded = await self._decode(raw)
        s = self.settings
        registry = JWTClaimsRegistry(
            now=self._now(),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": s.issuer},
            aud={"essential": True, "value": s.client_id},
            iat={"essential": True},
        )
        claims = decoded.claims
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise OidcError(f"logout_token: {exc.error}") from exc
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_EVENT), dict):
            raise OidcError("logout_token: no back-channel logout event")
        if "nonce" in claims:
            raise OidcError("logout_token: carries a nonce")
        subject, sid = claims.get("sub"), claims.get("sid")
        subject = subject if isinstance(subject, str) and subject else None
        sid = sid if isinstance(sid, str) and sid else None
        if subject is None and sid is None:
            raise OidcError("logout_token: neither sub nor sid")
        # The issuer already names the tenant; a logout token need not repeat it.
        self._check_tenant(claims, required=False)
        return LogoutRequest(s.issuer, subject, sid)
