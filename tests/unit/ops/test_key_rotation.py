"""Rotating the session secret or the bank's JWT key logs no one out: the previous key is
still accepted to read, never used to sign."""

from __future__ import annotations

import time

import jwt

from chat_widget.identity import issue_session_token, read_session_token, verify_identity_token
from chat_widget.settings import load_settings

OLD, NEW = "o" * 40, "n" * 40


def test_a_session_signed_with_the_previous_secret_still_reads() -> None:
    token = issue_session_token("a" * 32, OLD)
    assert read_session_token(token, NEW) is None
    assert read_session_token(token, NEW, (OLD,)) == "a" * 32
    assert read_session_token(token, NEW, ("x" * 40,)) is None


def _verify(token: str, key: str, previous: tuple[str, ...] = ()) -> tuple[str | None, str | None]:
    check = verify_identity_token(
        token,
        key=key,
        algorithms=("HS256",),
        audience="contact-widget",
        issuer=None,
        previous_keys=previous,
    )
    return check.external_ref, check.error


def test_identity_tokens_signed_with_the_previous_key_verify_until_they_expire() -> None:
    claims = {"sub": "cust-1", "aud": "contact-widget", "exp": int(time.time()) + 60}
    before = jwt.encode(claims, OLD, "HS256")
    after = jwt.encode(claims, NEW, "HS256")
    assert _verify(before, NEW) == (None, "invalid")
    assert _verify(before, NEW, (OLD,)) == ("cust-1", None)
    assert _verify(after, NEW, (OLD,)) == ("cust-1", None)
    forged = jwt.encode(claims, "f" * 40, "HS256")
    assert _verify(forged, NEW, (OLD,)) == (None, "invalid")
    expired = jwt.encode({**claims, "exp": int(time.time()) - 3600}, OLD, "HS256")
    assert _verify(expired, NEW, (OLD,)) == (None, "expired")


def test_previous_keys_are_read_from_the_environment() -> None:
    settings = load_settings(
        {
            "CW_ENV": "development",
            "CW_SECRET_KEY_PREVIOUS": f"{OLD}, {'p' * 40}/",
            "CW_IDENTITY_JWT_KEY_PREVIOUS": OLD,
        }
    )
    assert settings.secret_key_previous == (OLD, "p" * 40 + "/")
    assert settings.identity_jwt_key_previous == (OLD,)
    assert OLD not in repr(settings)
