"""Video meetings with an advisor: notice and consent, topics, free slots, booking via a gateway.

Plain Python: no Reflex, no HTTP. The Microsoft Graph implementation of the gateway lives in
``chat_widget.adapters.graph``. See README.md in this package for the UI-facing API.
"""

from __future__ import annotations

from chat_widget.domain.calendar import MeetingGateway, MeetingOptions
from chat_widget.domain.meeting_errors import (
    BookingNotFound,
    ConsentRequired,
    GatewayError,
    GatewayUnavailable,
    MeetingError,
    RecordingTickRequired,
)
from chat_widget.meetings.booking import (
    AppointmentView,
    BookingOutcome,
    BookingService,
    BookingSettings,
    OutcomeStatus,
)
from chat_widget.meetings.consent import has_video_consent, record_video_consent
from chat_widget.meetings.formatting import format_moment, format_slot
from chat_widget.meetings.slots import Advisor, Slot, SlotRules
from chat_widget.meetings.texts import (
    message,
    notice_version,
    recording_notice,
    recording_reminder,
    video_notice,
)
from chat_widget.meetings.topics import Recording, Topic, all_topics, get_topic

__all__ = [
    "Advisor",
    "AppointmentView",
    "BookingNotFound",
    "BookingOutcome",
    "BookingService",
    "BookingSettings",
    "ConsentRequired",
    "GatewayError",
    "GatewayUnavailable",
    "MeetingError",
    "MeetingGateway",
    "MeetingOptions",
    "OutcomeStatus",
    "Recording",
    "RecordingTickRequired",
    "Slot",
    "SlotRules",
    "Topic",
    "all_topics",
    "format_moment",
    "format_slot",
    "get_topic",
    "has_video_consent",
    "message",
    "notice_version",
    "record_video_consent",
    "recording_notice",
    "recording_reminder",
    "video_notice",
]
