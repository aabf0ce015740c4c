"""Single sign-on settings, the sealed sign-in attempt, and the group → role map."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chat_widget.adapters.oidc import Attempt
from chat_widget.agents.directory import RoleMap
from chat_widget.settings import SettingsError, load_settings
from chat_widget.web.oidc import ATTEMPT_SECONDS, seal, unseal
from tests.conftest import ManualClock

ENTRA = "https://login.microsoftonline.com/7d3c0a9e-0000-4000-8000-00000000ba4c/v2.0"
OIDC = {
    "CW_OIDC_ISSUER": ENTRA + "/",
    "CW_OIDC_CLIENT_ID": "client-id",
    "CW_OIDC_CLIENT_SECRET": "client-secret",
    "CW_OIDC_ROLE_MAP": "Console.Agent=agent; 0b1c-group=claims_handler,0b1c-group=agent",
}
PRODUCTION = {
    "CW_SECRET_KEY": "z" * 40,
    "CW_IDENTITY_JWT_KEY": "z" * 40,
    "CW_PUBLIC_URL": "https://widget.bank.example",
}


def test_without_an_issuer_there_is_no_single_sign_on() -> None:
    settings = load_settings({"CW_ENV": "development"})
    assert settings.oidc is None and settings.local_passwords
    # An SSO-only demo or test can turn local passwords off; production cannot turn them on.
    assert not load_settings({"CW_ENV": "test", "CW_LOCAL_PASSWORDS": "0"}).local_passwords
    assert not load_settings({**PRODUCTION, "CW_LOCAL_PASSWORDS": "1"}).local_passwords


def test_oidc_settings_are_read_with_entra_defaults() -> None:
    settings = load_settings({**PRODUCTION, **OIDC, "CW_OIDC_TENANT_ID": "tid-1"})
    oidc = settings.oidc
    assert oidc is not None
    assert oidc.issuer == ENTRA  # no trailing slash: compared exactly with the token's iss
    assert oidc.metadata_url == f"{ENTRA}/.well-known/openid-configuration"
    assert oidc.redirect_url == "https://widget.bank.example/api/agent/oidc/callback"
    assert oidc.scopes == ("openid", "profile", "email")
    assert oidc.role_claims == ("roles", "groups")
    assert oidc.tenant_id == "tid-1"
    assert oidc.role_map == (
        ("Console.Agent", "agent"),
        ("0b1c-group", "claims_handler"),
        ("0b1c-group", "agent"),
    )
    assert "client-secret" not in repr(settings)
    # Production: the console takes no local password, whatever else is configured.
    assert not settings.local_passwords


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"CW_OIDC_CLIENT_SECRET": ""}, "CLIENT_SECRET"),
        ({"CW_OIDC_ROLE_MAP": ""}, "ROLE_MAP is required"),
        ({"CW_OIDC_ROLE_MAP": "g1=superuser"}, "unknown roles"),
        ({"CW_OIDC_ROLE_MAP": "g1"}, "GROUP=value"),
        ({"CW_OIDC_LANGUAGE_MAP": "g1=es"}, "unknown languages"),
        ({"CW_OIDC_SCOPES": "profile email"}, "openid"),
        ({"CW_OIDC_ISSUER": "https://login.microsoftonline.com/{tenantid}/v2.0"}, "template"),
        ({"CW_OIDC_ISSUER": "http://idp.bank.example"}, "https"),
        ({"CW_OIDC_REDIRECT_URL": "http://widget.bank.example/cb"}, "https"),
        ({"CW_OIDC_TIMEOUT_SECONDS": "soon"}, "number"),
    ],
)
def test_unsafe_or_incomplete_oidc_settings_are_refused(
    change: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({**PRODUCTION, **OIDC, **change})


def test_a_local_provider_over_http_is_for_development_and_tests_only() -> None:
    local = {**OIDC, "CW_OIDC_ISSUER": "http://127.0.0.1:8002/tenant/v2.0"}
    assert load_settings({"CW_ENV": "test", **local}).oidc is not None
    with pytest.raises(SettingsError, match="https"):
        load_settings({**PRODUCTION, **local})


def test_roles_come_only_from_mapped_groups_in_a_stable_order() -> None:
    role_map = RoleMap(
        roles=(("g-admin", "admin"), ("g-chat", "agent"), ("g-claims", "claims_handler")),
        languages=(("g-nl", "nl"), ("g-fr", "fr")),
    )
    assert role_map.roles_for(["g-admin", "g-chat", "unknown"]) == ["agent", "admin"]
    assert role_map.roles_for(["g-nl"]) == []
    assert role_map.languages_for(["g-nl", "g-fr", "g-chat"]) == ["fr", "nl"]


def test_the_attempt_cookie_cannot_be_altered_or_kept_past_ten_minutes(
    pinned_clock: ManualClock,
) -> None:
    attempt = Attempt("state-1", "nonce-1", "verifier-1", "/agent/claims")
    sealed = seal(attempt, "secret")
    assert unseal(sealed, "secret") == attempt
    assert unseal(sealed, "another secret") is None
    payload, mac = sealed.split(".")
    assert unseal(f"{payload[:-2]}AA.{mac}", "secret") is None
    assert unseal("", "secret") is None and unseal("garbage", "secret") is None
    pinned_clock.advance(timedelta(seconds=ATTEMPT_SECONDS + 1))
    assert unseal(sealed, "secret") is None
