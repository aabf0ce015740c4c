"""Pure helpers of the Graph adapter (no network)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chat_widget.adapters.graph import (
    _retry_after,
    organizer_oid,
    parse_graph_datetime,
    schedules_from,
)
from chat_widget.adapters.graph_zones import UnknownTimeZone, resolve_zone
from chat_widget.domain.calendar import MeetingOptions
from chat_widget.domain.meeting_errors import GatewayError
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


@pytest.mark.parametrize(
    ("zone", "raw", "expected"),
    [
        # The getStaffAvailability example's display name, in summer (UTC-7) and winter (UTC-8).
        (
            "(UTC-08:00) Pacific Time (US & Canada)",
            "2026-07-01T08:00:00",
            datetime(2026, 7, 1, 15, tzinfo=UTC),
        ),
        (
            "(UTC-08:00) Pacific Time (US & Canada)",
            "2026-01-24T08:00:00",
            datetime(2026, 1, 24, 16, tzinfo=UTC),
        ),
        (
            "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris",
            "2026-03-30T10:00:00",
            datetime(2026, 3, 30, 8, tzinfo=UTC),
        ),
        ("Romance Standard Time", "2026-01-05T10:00:00", datetime(2026, 1, 5, 9, tzinfo=UTC)),
        ("India Standard Time", "2026-01-05T10:00:00", datetime(2026, 1, 5, 4, 30, tzinfo=UTC)),
        # Not in the table: a city of the display name is an IANA city.
        (
            "(UTC+01:00) Luxembourg, Somewhere",
            "2026-07-01T10:00:00",
            datetime(2026, 7, 1, 8, tzinfo=UTC),
        ),
        # Nothing known at all: the fixed offset (a logged guess).
        (
            "(UTC+03:30) Nowhere Land",
            "2026-07-01T10:00:00",
            datetime(2026, 7, 1, 6, 30, tzinfo=UTC),
        ),
    ],
)
def test_windows_zone_names(zone: str, raw: str, expected: datetime) -> None:
    assert parse_graph_datetime(dtz(raw, zone)) == expected


def test_unknown_zone_is_refused_clearly() -> None:
    with pytest.raises(UnknownTimeZone):
        resolve_zone("Mars Standard Time")
    with pytest.raises(GatewayError):
        parse_graph_datetime(dtz("2026-03-30T10:00:00", "Mars Standard Time"))


def test_documented_availability_example_is_read_per_staff_per_day() -> None:
    """The response of api/bookingbusiness-getstaffavailability.md, as kiota leaves it."""
    from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
    from msgraph.generated.solutions.booking_businesses.item.get_staff_availability.get_staff_availability_post_response import (  # noqa: E501
        GetStaffAvailabilityPostResponse,
    )

    zone = "(UTC-08:00) Pacific Time (US & Canada)"

    def item(status: str, start: str, end: str) -> str:
        return (
            f'{{"status":"{status}","startDateTime":{{"dateTime":"{start}","timeZone":"{zone}"}},'
            f'"endDateTime":{{"dateTime":"{end}","timeZone":"{zone}"}},"serviceId":""}}'
        )

    body = (
        '{"staffAvailabilityItem":[{"staffId":"311a5454","availabilityItems":['
        + ",".join(
            [
                item("Available", "2022-01-24T08:00:00", "2022-01-24T15:00:00"),
                item("Busy", "2022-01-24T15:00:00", "2022-01-24T16:00:00"),
                item("Available", "2022-01-24T16:00:00", "2022-01-24T17:00:00"),
                item("Available", "2022-01-25T08:00:00", "2022-01-25T17:00:00"),
            ]
        )
        + "]}]}"
    )
    parsed = (
        JsonParseNodeFactory()
        .get_root_parse_node("application/json", body.encode())
        .get_object_value(GetStaffAvailabilityPostResponse)
    )
    [schedule] = schedules_from(parsed)
    assert schedule.staff_id == "311a5454"
    # 15:00–16:00 Pacific standard time (UTC-8) on 24 January.
    assert [(b.start, b.end) for b in schedule.busy] == [
        (datetime(2022, 1, 24, 23, tzinfo=UTC), datetime(2022, 1, 25, 0, tzinfo=UTC))
    ]
    assert schedule.available is not None
    assert [(w.start, w.end) for w in schedule.available] == [
        (datetime(2022, 1, 24, 16, tzinfo=UTC), datetime(2022, 1, 24, 23, tzinfo=UTC)),
        (datetime(2022, 1, 25, 0, tzinfo=UTC), datetime(2022, 1, 25, 1, tzinfo=UTC)),
        (datetime(2022, 1, 25, 16, tzinfo=UTC), datetime(2022, 1, 26, 1, tzinfo=UTC)),
    ]


def test_organizer_object_id_from_the_join_link() -> None:
    # The joinWebUrl of the post-appointments example.
    url = (
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_MTlhZTE3MDUtODk0Yy00MGZkLTlh"
        "NzktN2FmYTk3MDUxNmE2%40thread.v2/0?context=%7b%22Tid%22%3a%22995fa18c-b557-4694-8d07-"
        "b89779d6dc77%22%2c%22Oid%22%3a%22d4d260ab-989d-490e-b121-e2066391807a%22%7d"
    )
    assert organizer_oid(url) == "d4d260ab-989d-490e-b121-e2066391807a"
    assert organizer_oid("https://teams.microsoft.com/l/meetup-join/x") is None


def test_retry_after_header() -> None:
    assert _retry_after({"Retry-After": "7"}) == 7.0
    assert _retry_after({"retry-after": {"3"}}) == 3.0
    assert _retry_after({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None
    assert _retry_after({}) is None


def test_recording_options_per_topic() -> None:
    plain = MeetingOptions.for_recording(Recording.NONE)
    assert (plain.allow_recording, plain.record_automatically) == (False, False)
    # Investment advice is recorded by the Teams compliance policy, not by cloud recording.
    invest = MeetingOptions.for_recording(Recording.AUDIO_ONLY)
    assert not invest.allow_recording and not invest.record_automatically
    assert MeetingOptions.for_recording(
        Recording.AUDIO_ONLY, cloud_recording_for_audio_topics=True
    ).record_automatically
