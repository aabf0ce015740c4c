from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest

from chat_widget.identity import issue_session_token, read_session_token, verify_identity_token
from tests.conftest import ManualClock

SECRET = "s" * 40
KEY = "k" * 40


def test_session_token_round_trip() -> None:
    token = issue_session_token("a" * 32, SECRET)
    assert read_session_token(token, SECRET) == "a" * 32


@pytest.mark.parametrize(
    "token",
    [None, 42, "", "v1.x.y", "v2." + "a" * 32 + "." + "A" * 43, "v1." + "b" * 32 + "." + "A" * 43],
)
def test_forged_or_malformed_session_tokens_are_refused(token: object) -> None:
    assert read_session_token(token, SECRET) is None


def test_session_token_for_one_customer_cannot_be_edited_into_another() -> None:
    token = issue_session_token("a" * 32, SECRET)
    tampered = token.replace("a" * 32, "b" * 32)
    assert read_session_token(tampered, SECRET) is None
    assert read_session_token(token, "another-secret-of-sufficient-length!!") is None


def _verify(token: object) -> tuple[str | None, str | None]:
    check = verify_identity_token(
        token, key=KEY, algorithms=("HS256",), audience="contact-widget", issuer=None
    )
    return check.external_ref, check.error


def _jwt(**claims: object) -> str:
    base: dict[str, object] = {
        "sub": "cust-1",
        "aud": "contact-widget",
        "exp": int(time.time()) + 60,
    }
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, KEY, "HS256")


def test_valid_identity_token_gives_the_subject() -> None:
    assert _verify(_jwt()) == ("cust-1", None)


def test_expired_forged_missing_and_unsigned_tokens_fall_back_to_anonymous() -> None:
    assert _verify(_jwt(exp=int(time.time()) - 3600)) == (None, "expired")
    assert (
        _verify(
            jwt.encode(
                {"sub": "x", "aud": "contact-widget", "exp": 9999999999},
                "other-key-that-is-long-enough-000000",
                "HS256",
            )
        )[1]
        == "invalid"
    )
    assert _verify(None) == (None, "missing")
    unsigned = jwt.encode({"sub": "x", "aud": "contact-widget", "exp": 9999999999}, None, "none")
    assert _verify(unsigned) == (None, "invalid")
    assert _verify(_jwt(aud="someone-else")) == (None, "invalid")
    assert _verify(_jwt(exp=None)) == (None, "invalid")
    assert _verify(_jwt(sub="<script>")) == (None, "invalid")


def test_identity_expiry_is_judged_by_the_application_clock(pinned_clock: ManualClock) -> None:
    issued_for = int(pinned_clock().timestamp()) + 60
    assert _verify(_jwt(exp=issued_for)) == ("cust-1", None)
    pinned_clock.advance(timedelta(minutes=2))
    assert _verify(_jwt(exp=issued_for)) == (None, "expired")
    assert _verify(_jwt(exp=issued_for + 3600, nbf=issued_for + 600)) == (None, "invalid")
