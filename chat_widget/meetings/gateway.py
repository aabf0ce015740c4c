"""The interface the booking service needs from a calendar system (Microsoft Bookings in prod).

Domain code and tests talk to this protocol only; ``chat_widget.adapters.graph`` implements it
with msgraph-sdk. All datetimes crossing it are aware.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from chat_widget.meetings.slots import StaffSchedule
from chat_widget.meetings.topics import Recording


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    service_id: str
    name: str


@dataclass(frozen=True, slots=True)
class StaffInfo:
    staff_id: str
    display_name: str
    email: str | None = None


class OptionsResult(StrEnum):
    APPLIED = "applied"
    NOT_FOUND_YET = "not_found_yet"  # the Teams meeting is not visible yet: try again later
    NOT_CONFIGURED = "not_configured"  # this deployment leaves options to Teams policies


@dataclass(frozen=True, slots=True)
class MeetingOptions:
    """Teams options we ask for: only the organizer (the advisor) bypasses the lobby.

    ``allow_recording``/``record_automatically`` drive Teams *cloud* recording, which records
    image and sound. The legal recording of investment advice is sound only, so it is not done
    with these flags but by a Teams compliance-recording policy on the investment advisors (see
    the package README); ``compliance_recording`` tells the adapter and the logs it is expected.
    ``cloud_recording_for_audio_topics`` exists for a bank whose Teams recording is set up to
    be audio-only by policy; it is off by default because the notice promises "never the image".
    """

    lobby_bypass: str = "organizer"
    allow_recording: bool = False
    record_automatically: bool = False
    compliance_recording: bool = False

    @classmethod
    def for_recording(
        cls, recording: Recording, *, cloud_recording_for_audio_topics: bool = False
    ) -> MeetingOptions:
        if recording is Recording.AUDIO_ONLY:
            return cls(
                allow_recording=cloud_recording_for_audio_topics,
                record_automatically=cloud_recording_for_audio_topics,
                compliance_recording=True,
            )
        return cls()


@dataclass(frozen=True, slots=True)
class AppointmentRequest:
    """``booking_id`` is ours; the gateway must store it where it can be found again."""

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


@dataclass(frozen=True, slots=True)
class AppointmentInfo:
    appointment_id: str
    booking_id: str | None
    staff_ids: tuple[str, ...]
    start: datetime
    end: datetime
    join_url: str | None


class MeetingGateway(Protocol):
    async def list_services(self) -> list[ServiceInfo]: ...

    async def list_staff(self) -> list[StaffInfo]: ...

    async def get_staff_availability(
        self, staff_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[StaffSchedule]: ...

    async def create_appointment(self, request: AppointmentRequest) -> AppointmentInfo:
        """One attempt, never retried inside: the caller reconciles before any retry."""
        ...

    async def find_appointment(
        self, booking_id: str, start: datetime, end: datetime
    ) -> AppointmentInfo | None:
        """Our booking id, looked up among appointments between ``start`` and ``end``."""
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
