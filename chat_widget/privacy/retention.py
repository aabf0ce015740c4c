"""How long each kind of customer data is kept, read from ``CW_RETENTION_*`` variables.

Durations are whole days or whole calendar months, as the privacy notice states them ("24
months", not "730 days"). Claims have no duration here on purpose: they are kept as long as the
claim exists, which is the insurer's decision, never this job's.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from chat_widget.settings import SettingsError, get_settings


@dataclass(frozen=True, slots=True)
class Duration:
    """A number of days or calendar months; ``before(now)`` is the cut-off moment."""

    amount: int
    unit: str  # "days" or "months"

    def before(self, now: datetime) -> datetime:
        if self.unit == "days":
            return now - timedelta(days=self.amount)
        return subtract_months(now, self.amount)

    def describe(self) -> str:
        return f"{self.amount} {self.unit}"


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    assistant: Duration = Duration(90, "days")
    live_chat: Duration = Duration(24, "months")
    video: Duration = Duration(12, "months")
    # Investment-advice meetings: MiFID II (art. 16(7)) requires records for five years.
    video_regulated: Duration = Duration(60, "months")
    review_items: Duration = Duration(90, "days")
    device_data: Duration = Duration(12, "months")

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name).describe() for name in self.__dataclass_fields__}


# name in the policy -> (environment variable, unit)
VARIABLES: dict[str, tuple[str, str]] = {
    "assistant": ("CW_RETENTION_ASSISTANT_DAYS", "days"),
    "live_chat": ("CW_RETENTION_LIVE_CHAT_MONTHS", "months"),
    "video": ("CW_RETENTION_VIDEO_MONTHS", "months"),
    "video_regulated": ("CW_RETENTION_VIDEO_REGULATED_MONTHS", "months"),
    "review_items": ("CW_RETENTION_REVIEW_DAYS", "days"),
    "device_data": ("CW_RETENTION_DEVICE_MONTHS", "months"),
}


def policy_from(env: Mapping[str, str]) -> RetentionPolicy:
    """The policy for these variables; unset ones keep the documented default."""
    defaults = RetentionPolicy()
    values: dict[str, Duration] = {}
    for name, (variable, unit) in VARIABLES.items():
        raw = env.get(variable, "").strip()
        if not raw:
            values[name] = getattr(defaults, name)
            continue
        try:
            amount = int(raw)
        except ValueError as exc:
            raise SettingsError(
                f"{variable} must be a whole number of {unit}, got {raw!r}"
            ) from exc
        if amount < 1:
            # Zero would make the next purge wipe everything, including today's chats.
            raise SettingsError(f"{variable} must be at least 1, got {amount}")
        values[name] = Duration(amount, unit)
    return RetentionPolicy(**values)


def current_policy() -> RetentionPolicy:
    return policy_from(get_settings().extra)


def subtract_months(moment: datetime, months: int) -> datetime:
    """Same day and time ``months`` earlier; the 31st becomes the month's last day."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def is_regulated_topic(topic: str) -> bool:
    """Meetings on a recorded topic (investment advice, MiFID II) follow the longer rule.

    A topic no longer in the configuration counts as regulated: keeping too long is
    recoverable, deleting a record the regulator asks for is not.
    """
    from chat_widget.meetings.topics import Recording, UnknownTopic, get_topic

    try:
        return get_topic(topic).recording is not Recording.NONE
    except UnknownTopic:
        return True
