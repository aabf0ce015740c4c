"""Start-up refuses a Graph configuration that would leak the token or cannot work."""

from __future__ import annotations

import pytest

from chat_widget.settings import SettingsError, load_settings

PROD = {
    "CW_ENV": "production",
    "CW_PUBLIC_URL": "https://widget.bank.example",
    "CW_ALLOWED_ORIGINS": "https://www.bank.example",
    "CW_SECRET_KEY": "s" * 40,
    "CW_IDENTITY_JWT_KEY": "k" * 40,
}


@pytest.mark.parametrize(
    "url",
    [
        "https://graph.microsoft.com/v1.0",
        "https://graph.microsoft.us/v1.0",
        "https://dod-graph.microsoft.us/v1.0",
        "https://microsoftgraph.chinacloudapi.cn/v1.0",
    ],
)
def test_microsoft_graph_hosts_are_accepted_in_production(url: str) -> None:
    assert load_settings({**PROD, "CW_GRAPH_BASE_URL": url}).graph_base_url == url


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ("production", "https://graph.example.org/v1.0"),
        ("production", "http://127.0.0.1:8001/v1.0"),
        ("production", "http://graph.microsoft.com/v1.0"),
        ("development", "https://graph.microsoft.com.attacker.example/v1.0"),
        ("test", "http://10.0.0.5/v1.0"),
    ],
)
def test_other_graph_hosts_are_refused_at_start_up(env: str, url: str) -> None:
    base = PROD if env == "production" else {"CW_ENV": env}
    with pytest.raises(SettingsError, match="CW_GRAPH_BASE_URL"):
        load_settings({**base, "CW_GRAPH_BASE_URL": url})


def test_loopback_fake_is_allowed_outside_production() -> None:
    settings = load_settings({"CW_ENV": "test", "CW_GRAPH_BASE_URL": "http://127.0.0.1:8001/v1.0"})
    assert settings.graph_base_url.startswith("http://127.0.0.1")


def test_static_graph_token_is_refused_in_production() -> None:
    with pytest.raises(SettingsError, match="CW_GRAPH_STATIC_TOKEN"):
        load_settings({**PROD, "CW_GRAPH_STATIC_TOKEN": "t"})
