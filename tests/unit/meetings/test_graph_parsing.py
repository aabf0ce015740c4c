"""Pure helpers of the Graph adapter (no network)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chat_widget.adapters.graph import (
    _retry_after,
    booking_id_of,
    booking_ref,
    parse_graph_datetime,
)
from chat_widget.meetings.errors import GatewayError
from chat_widget.meetings.gateway import MeetingOptions
from chat_widget.meetings.topics import Recording


def dtz(value: str, zone: str = "UTC"):  # type: ignore[no-untyped-def]
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone

    return DateTimeTimeZone(date_time=value, time_zone=zone)


@pytest.mark.parametrize(
    ("raw", "zone", "expected"),
    [
        ("2026-03-30T08:00:00.0000000", "UTC", datetime(2026, 3, 30, 8, tzinfo=UTC)),
        ("2026-03-30T08:00:00", "UTC", datetime(2026, 3, 30, 8, tzinfo=UTC)),
        ("2026-03-30T10:00:00.0000000+02:00", "UTC", datetime(2026, 3, 30, 8, tzinfo=UTC)),
        ("2026-03-30T10:00:00.0000000", "Europe/Brussels", datetime(2026, 3, 30, 8, tzinfo=UTC)),
        (
            "2026-10-26T09:00:00.1234567Z",
            "UTC",
            datetime(2026, 10, 26, 9, 0, 0, 123456, tzinfo=UTC),
        ),
    ],
)
def test_parse_graph_datetime(raw: str, zone: str, expected: datetime) -> None:
    assert parse_graph_datetime(dtz(raw, zone)) == expected


def test_windows_zone_names_are_refused_clearly() -> None:
    with pytest.raises(GatewayError):
        parse_graph_datetime(dtz("2026-03-30T10:00:00", "Romance Standard Time"))


def test_booking_reference_round_trip() -> None:
    from msgraph.generated.models.booking_appointment import BookingAppointment

    ref = booking_ref("0123456789abcdef0123456789abcdef")
    appt = BookingAppointment(additional_information=f"Notes. {ref} end")
    assert booking_id_of(appt) == "0123456789abcdef0123456789abcdef"
    assert booking_id_of(BookingAppointment(additional_information="nothing")) is None
    assert booking_id_of(BookingAppointment()) is None


def test_retry_after_header() -> None:
    assert _retry_after({"Retry-After": "7"}) == 7.0
    assert _retry_after({"retry-after": {"3"}}) == 3.0
    assert _retry_after({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None
    assert _retry_after({}) is None


def test_recording_options_per_topic() -> None:
    plain = MeetingOptions.for_recording(Recording.NONE)
    assert (plain.allow_recording, plain.record_automatically, plain.compliance_recording) == (
        False,
        False,
        False,
    )
    invest = MeetingOptions.for_recording(Recording.AUDIO_ONLY)
    assert invest.compliance_recording and not invest.allow_recording
    assert MeetingOptions.for_recording(
        Recording.AUDIO_ONLY, cloud_recording_for_audio_topics=True
    ).record_automatically
    assert plain.lobby_bypass == invest.lobby_bypass == "organizer"
