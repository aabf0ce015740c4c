"""The operations settings: safe defaults, bad values refused at start-up, not at first use."""

from __future__ import annotations

import pytest

from chat_widget.settings import SettingsError, load_settings

DEV = {"CW_ENV": "development"}
STRONG = {"CW_SECRET_KEY": "s" * 40, "CW_IDENTITY_JWT_KEY": "j" * 40}


def test_defaults_trust_no_proxy_and_only_loopback_reads_metrics() -> None:
    s = load_settings(DEV)
    assert s.trusted_proxy_hops == 0
    assert s.internal_networks == ("127.0.0.0/8", "::1/128")
    assert s.metrics_token is None
    assert (s.log_level, s.log_format) == ("INFO", "text")  # a developer's terminal
    assert load_settings({"CW_ENV": "test"}).log_format == "json"
    assert load_settings(STRONG).log_format == "json"


def test_workers_migrate_themselves_only_outside_production() -> None:
    assert load_settings(DEV).migrate_on_start == "upgrade"
    assert load_settings({"CW_ENV": "test"}).migrate_on_start == "upgrade"
    assert load_settings(STRONG).migrate_on_start == "check"
    assert load_settings({**DEV, "CW_MIGRATE_ON_START": "check"}).migrate_on_start == "check"


def test_values_are_parsed() -> None:
    s = load_settings(
        {
            **DEV,
            "CW_LOG_LEVEL": "debug",
            "CW_LOG_FORMAT": "TEXT",
            "CW_TRUSTED_PROXY_HOPS": "2",
            "CW_INTERNAL_NETWORKS": "10.0.0.0/8, 192.168.1.7",
            "CW_DRAIN_SECONDS": "7.5",
        }
    )
    assert (s.log_level, s.log_format, s.trusted_proxy_hops) == ("DEBUG", "text", 2)
    assert s.internal_networks == ("10.0.0.0/8", "192.168.1.7")
    assert s.drain_seconds == 7.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CW_LOG_LEVEL", "loud"),
        ("CW_LOG_FORMAT", "xml"),
        ("CW_TRUSTED_PROXY_HOPS", "-1"),
        ("CW_TRUSTED_PROXY_HOPS", "one"),
        ("CW_INTERNAL_NETWORKS", "intranet"),
        ("CW_MIGRATE_ON_START", "maybe"),
        ("CW_DRAIN_SECONDS", "soon"),
    ],
)
def test_bad_values_are_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({**DEV, name: value})


def test_production_refuses_a_short_metrics_token() -> None:
    with pytest.raises(SettingsError, match="CW_METRICS_TOKEN"):
        load_settings({**STRONG, "CW_METRICS_TOKEN": "short"})
    assert load_settings({**STRONG, "CW_METRICS_TOKEN": "m" * 32}).metrics_token == "m" * 32
