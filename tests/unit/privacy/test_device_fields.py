from __future__ import annotations

from chat_widget.privacy import NOTICE_FIELDS, collect_device_data


def test_not_allowed_gives_nothing() -> None:
    assert collect_device_data({"browser": "Firefox"}, allowed=False) == {}


def test_only_the_notice_fields_survive_trimmed_and_bounded() -> None:
    raw = {
        "browser": "  Firefox\n140 ",
        "os": "x" * 500,
        "app_version": 7,
        "screen": "412x915",
        "language": True,
        "ip": "203.0.113.9",
        "user_agent": "Mozilla/5.0",
        "geo": {"lat": 50.8},
    }
    kept = collect_device_data(raw, allowed=True)
    assert kept == {
        "browser": "Firefox 140",
        "os": "x" * NOTICE_FIELDS["os"],
        "app_version": "7",
        "screen": "412x915",
    }


def test_the_notice_fields_are_the_five_the_notice_names() -> None:
    assert set(NOTICE_FIELDS) == {"browser", "os", "app_version", "screen", "language"}
