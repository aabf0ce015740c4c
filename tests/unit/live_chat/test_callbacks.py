"""The rules of a callback request that need no database: contact checks, due time, long queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chat_widget.live_chat.callbacks import (
    InvalidCallback,
    due_time,
    normalize_contact,
    normalize_email,
    normalize_phone,
    queue_too_long,
)
from chat_widget.live_chat.hours.schedule import parse_opening_hours
from chat_widget.live_chat.queue import QueueInfo

OFFICE = parse_opening_hours(
    {
        "timezone": "Europe/Brussels",
        "public_holidays": False,
        "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "closures": [],
    }
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("+32 2 222.11.11", "+3222221111"),
        ("0032 2/222 11 11", "+3222221111"),
        ("+33 1 23 45 67 89", "+33123456789"),
    ],
)
def test_phone_numbers_as_people_type_them(typed: str, stored: str) -> None:
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "12", "0470 12 34 5x", "+0 470", "++32470123456", "call me"])
def test_bad_phone_numbers_are_refused_with_a_translatable_reason(typed: str) -> None:
    with pytest.raises(InvalidCallback) as caught:
        normalize_phone(typed)
    assert caught.value.key == "callback.error.phone"


def test_email_checks() -> None:
    assert normalize_email(" Anne.Martin@Example.BE ") == "Anne.Martin@example.be"
    for bad in ("anne", "anne@", "anne@example", "a b@example.be", "anne@@example.be"):
        with pytest.raises(InvalidCallback):
            normalize_email(bad)


def test_contact_kind_and_presence() -> None:
    with pytest.raises(InvalidCallback) as caught:
        normalize_contact("fax", "0470123456")
    assert caught.value.key == "callback.error.kind"
    with pytest.raises(InvalidCallback) as caught:
        normalize_contact("email", "  ")
    assert caught.value.key == "callback.error.contact_required"


def test_due_at_the_next_opening_when_closed_and_at_once_when_open() -> None:
    friday_evening = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)  # 20:00 in Brussels
    assert due_time(friday_evening, OFFICE) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    tuesday_noon = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    assert due_time(tuesday_noon, OFFICE) == tuesday_noon
    assert due_time(friday_evening, None) == friday_evening


def _info(position: int | None, wait: timedelta | None) -> QueueInfo:
    return QueueInfo("waiting", position, 0, 1, wait, timedelta(minutes=6))


def test_queue_too_long() -> None:
    assert queue_too_long(_info(3, None))  # nobody speaks the language now
    assert queue_too_long(_info(9, timedelta(minutes=30)))
    assert not queue_too_long(_info(2, timedelta(minutes=6)))
    assert not queue_too_long(_info(None, None))  # already with an agent
    assert queue_too_long(_info(2, timedelta(minutes=6)), limit=timedelta(minutes=5))
