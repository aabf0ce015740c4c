from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chat_widget.privacy.retention import (
    Duration,
    RetentionPolicy,
    is_regulated_topic,
    policy_from,
    subtract_months,
)
from chat_widget.settings import SettingsError


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 11, 24, 3, tzinfo=UTC), 24, datetime(2024, 11, 24, 3, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2028, 3, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
    ],
)
def test_subtract_months_clamps_to_the_months_last_day(
    moment: datetime, months: int, expected: datetime
) -> None:
    assert subtract_months(moment, months) == expected


def test_defaults_are_the_documented_ones() -> None:
    policy = policy_from({})
    assert policy == RetentionPolicy()
    assert policy.as_dict() == {
        "assistant": "90 days",
        "live_chat": "24 months",
        "video": "12 months",
        "video_regulated": "60 months",
        "review_items": "90 days",
        "device_data": "12 months",
    }


def test_variables_override_and_bad_values_are_refused() -> None:
    policy = policy_from(
        {"CW_RETENTION_LIVE_CHAT_MONTHS": "36", "CW_RETENTION_ASSISTANT_DAYS": " 30 "}
    )
    assert policy.live_chat == Duration(36, "months") and policy.assistant == Duration(30, "days")
    with pytest.raises(SettingsError):
        policy_from({"CW_RETENTION_REVIEW_DAYS": "ninety"})
    with pytest.raises(SettingsError):
        policy_from({"CW_RETENTION_DEVICE_MONTHS": "0"})


def test_investment_meetings_and_unknown_topics_are_regulated() -> None:
    assert is_regulated_topic("investments")
    assert not is_regulated_topic("daily_banking")
    assert is_regulated_topic("a-topic-removed-from-the-config")
