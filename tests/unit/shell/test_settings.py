from __future__ import annotations

import pytest

from chat_widget.settings import DEFAULT_SECRET, SettingsError, load_settings

DEV = {"CW_ENV": "development"}


def test_without_cw_env_the_process_is_production_and_refuses_defaults() -> None:
    """Forgetting CW_ENV must fail closed: the default secrets never start a server."""
    with pytest.raises(SettingsError, match="CW_SECRET_KEY"):
        load_settings({})
    with pytest.raises(SettingsError, match="CW_SECRET_KEY"):
        load_settings({"CW_ENV": ""})


def test_production_allows_plain_http_only_on_loopback() -> None:
    strong = "z" * 40
    secrets = {"CW_SECRET_KEY": strong, "CW_IDENTITY_JWT_KEY": strong}
    for url in ("http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:3000"):
        assert load_settings({**secrets, "CW_PUBLIC_URL": url}).is_production
    for url in ("http://widget.bank.be", "http://localhost.bank.be", "http://10.0.0.5:3000"):
        with pytest.raises(SettingsError, match="https"):
            load_settings({**secrets, "CW_PUBLIC_URL": url})


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(SettingsError, match="CW_ENV"):
        load_settings({"CW_ENV": "staging"})


def test_development_defaults_are_a_working_local_demo() -> None:
    s = load_settings(DEV)
    assert s.env == "development"
    assert s.database_url.startswith("sqlite:///")
    assert s.allowed_origins == ("http://localhost:8000", "http://127.0.0.1:8000")
    assert s.socket_origins == ("http://localhost:3000",)


def test_origins_are_parsed_and_trailing_slashes_dropped() -> None:
    s = load_settings({**DEV, "CW_ALLOWED_ORIGINS": " https://www.bank.be/ ,https://app.bank.be"})
    assert s.allowed_origins == ("https://www.bank.be", "https://app.bank.be")


@pytest.mark.parametrize("bad", ["*", "www.bank.be"])
def test_wildcard_or_bare_host_origins_are_refused(bad: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({**DEV, "CW_ALLOWED_ORIGINS": bad})


def test_production_refuses_default_secrets() -> None:
    with pytest.raises(SettingsError, match="CW_SECRET_KEY"):
        load_settings({"CW_ENV": "production", "CW_PUBLIC_URL": "https://widget.bank.be"})


def test_production_refuses_plain_http_and_short_secrets() -> None:
    strong = "x" * 40
    with pytest.raises(SettingsError, match="https"):
        load_settings(
            {
                "CW_ENV": "production",
                "CW_PUBLIC_URL": "http://widget.bank.be",
                "CW_SECRET_KEY": strong,
                "CW_IDENTITY_JWT_KEY": strong,
            }
        )
    with pytest.raises(SettingsError, match="CW_IDENTITY_JWT_KEY"):
        load_settings(
            {
                "CW_ENV": "production",
                "CW_PUBLIC_URL": "https://widget.bank.be",
                "CW_SECRET_KEY": strong,
                "CW_IDENTITY_JWT_KEY": "short",
            }
        )


def test_production_starts_with_real_secrets() -> None:
    strong = "y" * 40
    s = load_settings(
        {
            "CW_ENV": "production",
            "CW_PUBLIC_URL": "https://widget.bank.be",
            "CW_SECRET_KEY": strong,
            "CW_IDENTITY_JWT_KEY": strong,
        }
    )
    assert s.is_production and s.secret_key != DEFAULT_SECRET


def test_settings_are_immutable() -> None:
    s = load_settings(DEV)
    with pytest.raises(AttributeError):
        s.env = "production"  # type: ignore[misc]


def test_bad_integer_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="CW_UPLOAD_MAX_BYTES"):
        load_settings({**DEV, "CW_UPLOAD_MAX_BYTES": "ten"})


def test_chat_routing_is_automatic_unless_set_to_manual() -> None:
    assert load_settings(DEV).chat_routing == "auto"
    assert load_settings({**DEV, "CW_CHAT_ROUTING": " Manual "}).chat_routing == "manual"
    with pytest.raises(SettingsError, match="CW_CHAT_ROUTING"):
        load_settings({**DEV, "CW_CHAT_ROUTING": "round-robin"})


def test_claim_age_target_is_read_here_and_must_be_positive() -> None:
    assert load_settings(DEV).claim_age_target_hours == 48
    assert load_settings({**DEV, "CW_CLAIM_AGE_TARGET_HOURS": "8"}).claim_age_target_hours == 8
    with pytest.raises(SettingsError, match="CW_CLAIM_AGE_TARGET_HOURS"):
        load_settings({**DEV, "CW_CLAIM_AGE_TARGET_HOURS": "0"})
