"""Who the customer is: a signed anonymous widget session, or the bank's verified identity token.

An anonymous session id is a bearer secret the widget keeps (in its own storage or, when the
browser blocks that, in the host page's storage through the loader). It is HMAC-signed so a
modified client cannot pick another customer's id. Identified customers come from a JWT that
the bank's backend signs; anything unverifiable falls back to anonymous, never to someone else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

import jwt

from chat_widget.domain.clock import utcnow

_SESSION_RE = re.compile(r"^v1\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$")
_SAFE_REF = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
CLOCK_SKEW_SECONDS = 30
"""Tolerated difference between the bank's clock and ours on `exp` / `nbf`."""


def _mac(customer_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"session:{customer_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_session_token(customer_id: str, secret: str) -> str:
    return f"v1.{customer_id}.{_mac(customer_id, secret)}"


def read_session_token(token: object, secret: str, previous: Sequence[str] = ()) -> str | None:
    """The customer id inside a genuine token; None for anything forged or malformed.

    ``previous``: keys being rotated out (``CW_SECRET_KEY_PREVIOUS``), still accepted so that
    rotating the key does not turn every anonymous customer into a stranger to their chats."""
    if not isinstance(token, str) or len(token) > 100:
        return None
    match = _SESSION_RE.match(token)
    if not match:
        return None
    customer_id, mac = match.groups()
    for key in (secret, *previous):
        if hmac.compare_digest(mac, _mac(customer_id, key)):
            return customer_id
    return None


@dataclass(frozen=True)
class IdentityCheck:
    external_ref: str | None
    error: str | None  # "missing" | "expired" | "invalid"


def verify_identity_token(
    token: object,
    *,
    key: str,
    algorithms: tuple[str, ...],
    audience: str | None,
    issuer: str | None,
    previous_keys: Sequence[str] = (),
) -> IdentityCheck:
    """Verify the bank's JWT: signature, expiry, audience, issuer, and a usable subject.

    ``previous_keys`` (``CW_IDENTITY_JWT_KEY_PREVIOUS``) still verify signatures while the bank
    rotates its signing key: tokens signed before the switch stay good until they expire."""
    if not isinstance(token, str) or not token or len(token) > 8192:
        return IdentityCheck(None, "missing")
    safe_algorithms = [alg for alg in algorithms if alg.lower() != "none"]
    claims = None
    for candidate in (key, *previous_keys):
        try:
            claims = _decode(token, candidate, safe_algorithms, audience, issuer)
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            return IdentityCheck(None, "invalid")
    if claims is None:
        return IdentityCheck(None, "invalid")
    return _checked(claims)


def _decode(
    token: str, key: str, algorithms: list[str], audience: str | None, issuer: str | None
) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(
        token,
        key,
        algorithms=algorithms,
        audience=audience,
        issuer=issuer,
        # Times are checked in _checked against the application's clock, not PyJWT's own.
        options={
            "require": ["exp", "sub"],
            "verify_aud": audience is not None,
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
        },
    )
    return claims


def _checked(claims: dict[str, object]) -> IdentityCheck:
    now = utcnow().timestamp()
    exp, nbf = claims.get("exp"), claims.get("nbf", 0)
    if not isinstance(exp, int | float) or not isinstance(nbf, int | float):
        return IdentityCheck(None, "invalid")
    if now > exp + CLOCK_SKEW_SECONDS:
        return IdentityCheck(None, "expired")
    if now < nbf - CLOCK_SKEW_SECONDS:
        return IdentityCheck(None, "invalid")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not _SAFE_REF.match(subject):
        return IdentityCheck(None, "invalid")
    return IdentityCheck(subject, None)
