"""The port between the meetings channel and a calendar system (Microsoft Bookings in prod).

It lives in the domain layer because both sides depend on it: ``chat_widget.meetings`` calls it,
``chat_widget.adapters.graph`` implements it with msgraph-sdk, and an adapter never imports a
channel. All datetimes crossing it are aware.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol


class Recording(StrEnum):
    NONE = "none"
    AUDIO_ONLY = "audio_only"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass aware datetimes")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Interval needs aware datetimes")

    def overlaps(self, other: Interval) -> bool:
        return _utc(self.start) < _utc(other.end) and _utc(other.start) < _utc(self.end)

    def contains(self, other: Interval) -> bool:
        return _utc(self.start) <= _utc(other.start) and _utc(other.end) <= _utc(self.end)


@dataclass(frozen=True, slots=True)
class StaffSchedule:
    """What the calendar system says about one advisor in the requested window.

    ``available`` is ``None`` when the source gives no working hours: business hours then decide.
    """

    staff_id: str
    busy: tuple[Interval, ...] = ()
    available: tuple[Interval, ...] | None = None


@dataclass(frozen=True, slots=True)
class SchedulingPolicy:
    """``bookingSchedulingPolicy`` (resources/bookingschedulingpolicy.md): the business rules an
    application must follow (concepts/bookingsbusiness-business-rules.md)."""

    time_slot_interval: timedelta | None = None
    minimum_lead_time: timedelta = timedelta(0)
    maximum_advance: timedelta | None = None
    allow_staff_selection: bool = True


@dataclass(frozen=True, slots=True)
class BusinessInfo:
    """The booking business: opening hours (Monday first, wall clock of the bank's zone) and
    its scheduling policy."""

    business_id: str
    display_name: str
    hours: tuple[tuple[tuple[time, time], ...], ...]
    policy: SchedulingPolicy


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A Bookings service; ``policy`` is the service's own, which wins over the business's."""

    service_id: str
    name: str
    duration: timedelta | None = None
    pre_buffer: timedelta = timedelta(0)
    post_buffer: timedelta = timedelta(0)
    staff_ids: tuple[str, ...] = ()
    policy: SchedulingPolicy | None = None
    is_location_online: bool = True


@dataclass(frozen=True, slots=True)
class StaffInfo:
    staff_id: str
    display_name: str
    email: str | None = None


class OptionsResult(StrEnum):
    APPLIED = "applied"
    NOT_FOUND_YET = "not_found_yet"  # the Teams meeting is not visible yet: try again later
    NOT_CONFIGURED = "not_configured"  # this deployment leaves options to Teams policies
    FAILED = "failed"  # refused for good (e.g. no access policy): staff must look at it


@dataclass(frozen=True, slots=True)
class MeetingOptions:
    """Teams options we ask for: customers wait in the lobby until the advisor admits them.

    ``allow_recording``/``record_automatically`` drive Teams *cloud* recording, which records
    image and sound. The legal recording of investment advice is sound only: it comes from a
    Teams compliance-recording policy assigned to the investment advisors (see the package
    README), never from these flags. ``cloud_recording_for_audio_topics`` exists for a bank
    whose Teams recording is audio-only by policy; it is off by default because the notice
    promises "never the image".
    """

    allow_recording: bool = False
    record_automatically: bool = False

    @classmethod
    def for_recording(
        cls, recording: Recording, *, cloud_recording_for_audio_topics: bool = False
    ) -> MeetingOptions:
        if recording is Recording.AUDIO_ONLY and cloud_recording_for_audio_topics:
            return cls(allow_recording=True, record_automatically=True)
        return cls()


@dataclass(frozen=True, slots=True)
class AppointmentRequest:
    """One booking as sent to the calendar system.

    ``graph_customer_id`` is the customer's one Bookings customer (reused across bookings);
    ``select_staff`` is false when the business does not allow staff selection, in which case
    Bookings picks the advisor among the service's staff.
    """

    booking_id: str
    topic: str
    staff_id: str
    start: datetime
    end: datetime
    customer_name: str
    customer_email: str | None
    customer_time_zone: str
    locale: str
    options: MeetingOptions
    graph_customer_id: str | None = None
    select_staff: bool = True


@dataclass(frozen=True, slots=True)
class AppointmentInfo:
    appointment_id: str
    staff_ids: tuple[str, ...]
    start: datetime
    end: datetime
    #: The Teams meeting link (``joinWebUrl``): the advisor's, and the key to its options.
    join_url: str | None
    #: ``anonymousJoinWebUrl``: joins from a browser without a Teams account, when the service
    #: allows it.
    anonymous_join_url: str | None = None
    service_id: str | None = None
    customer_ids: tuple[str, ...] = ()

    @property
    def customer_join_url(self) -> str | None:
        """What the customer gets: the anonymous link when Bookings made one."""
        return self.anonymous_join_url or self.join_url


class MeetingGateway(Protocol):
    async def get_business(self) -> BusinessInfo: ...

    async def list_services(self) -> list[ServiceInfo]: ...

    async def list_staff(self) -> list[StaffInfo]: ...

    async def staff_object_id(self, staff_id: str) -> str | None:
        """The advisor's Entra object id, or None when it cannot be found."""
        ...

    async def get_staff_availability(
        self, staff_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[StaffSchedule]: ...

    async def create_customer(self, *, name: str, email: str | None) -> str:
        """A new Bookings customer; returns its id."""
        ...

    async def delete_customer(self, customer_id: str) -> None: ...

    async def create_appointment(self, request: AppointmentRequest) -> AppointmentInfo:
        """One attempt, never retried inside: the caller reconciles before any retry."""
        ...

    async def find_appointment(
        self, request: AppointmentRequest, start: datetime, end: datetime
    ) -> AppointmentInfo | None:
        """The appointment made for ``request`` (same service, advisor, start and customer),
        looked up among appointments between ``start`` and ``end``."""
        ...

    async def get_appointment(self, appointment_id: str) -> AppointmentInfo: ...

    async def reschedule_appointment(
        self, appointment_id: str, *, start: datetime, end: datetime, staff_id: str | None = None
    ) -> AppointmentInfo: ...

    async def cancel_appointment(self, appointment_id: str, *, message: str) -> None: ...

    async def apply_meeting_options(
        self, *, join_url: str, staff_id: str, options: MeetingOptions
    ) -> OptionsResult:
        """Sets lobby and recording options on the Teams meeting behind ``join_url``."""
        ...
