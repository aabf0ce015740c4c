"""Video meeting view state: consent first, then topic, slot, booking; camera only on request.

Handlers are thin: the order of the steps and what is stored come from chat_widget.meetings.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget.meetings import (
    AppointmentView,
    BookingNotFound,
    BookingOutcome,
    ConsentRequired,
    GatewayError,
    OutcomeStatus,
    RecordingTickRequired,
    Slot,
    all_topics,
    get_topic,
    has_video_consent,
    message,
    record_video_consent,
    recording_notice,
    video_notice,
)
from chat_widget.meetings.formatting import group_slots_by_day, time_zone_label
from chat_widget.ui import runtime
from chat_widget.ui.meetings_service import booking_service
from chat_widget.ui.widget_state import BRIDGE, WidgetState

log = logging.getLogger(__name__)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}$")
MAX_SLOTS_SHOWN = 24


@dataclass
class Option:
    value: str
    label: str


@dataclass
class Day:
    """One day of the strip and its times (``value`` keys a slot, as the form sends it)."""

    key: str
    short_label: str
    label: str
    times: list[Option]


@dataclass
class Booked:
    booking_id: str
    when: str
    advisor: str
    join_url: str
    reminder: str
    topic: str
    status: str
    topic_key: str


def _booked(view: AppointmentView, tr: dict[str, str]) -> Booked:
    return Booked(
        booking_id=view.booking_id,
        when=view.when_label,
        advisor=tr["video.with_advisor"].format(name=view.advisor_first_name),
        join_url=view.join_url or "",
        reminder=view.recording_reminder,
        topic=view.topic_label,
        status=view.status,
        topic_key=view.topic,
    )


class VideoState(WidgetState):
    step: str = "notice"  # notice | declined | topic | slot | done | unavailable
    notice_title: str = ""
    notice_paragraphs: list[str] = []
    notice_link: str = ""
    notice_link_label: str = ""
    notice_accept: str = ""
    notice_decline: str = ""
    declined_text: str = ""
    topics: list[Option] = []
    topic: str = ""
    needs_tick: bool = False
    recording_text: str = ""
    tick_label: str = ""
    slots: list[Option] = []
    slot_days: list[Day] = []
    slot_day: str = ""  # the day whose times are shown
    done_kind: str = ""  # booked | rescheduled | pending: the confirmation's one headline
    loading: bool = False
    form_error: str = ""
    status_text: str = ""
    booked: Booked | None = None
    meetings: list[Booked] = []
    device_status: str = ""
    device_on: bool = False
    rescheduling: str = ""

    _slots: dict[str, Slot] = {}
    _request_id: str = ""

    @rx.var
    def slot_count(self) -> int:
        return len(self.slots)

    @rx.var
    def meeting_count(self) -> int:
        return len(self.meetings)

    @rx.var
    def device_text(self) -> str:
        return self.tr.get(f"video.device_{self.device_status}", "") if self.device_status else ""

    @rx.var
    def tz_text(self) -> str:
        zone = time_zone_label(self._time_zone_name(), locale=self.locale)
        return self.tr.get("video.times_shown_in", "").format(tz=zone)

    @rx.var
    def done_title(self) -> str:
        key = {"rescheduled": "video.rescheduled_title", "pending": "video.pending_title"}
        return self.tr[key.get(self.done_kind, "video.confirmed")]

    @rx.var
    def slot_day_label(self) -> str:
        return next((d.label for d in self.slot_days if d.key == self.slot_day), "")

    def _time_zone_name(self) -> str:
        return self.time_zone or "Europe/Brussels"

    @rx.event
    async def open_video(self) -> AsyncIterator[EventSpec | None]:
        self.view = "video"
        self.notice_key = ""
        self.form_error = ""
        self.status_text = ""
        yield _focus()
        # Building the service loads msgraph-sdk (~1,300 modules): never on the event loop.
        if await asyncio.to_thread(booking_service) is None:
            self.step = "unavailable"
            return
        notice = video_notice(
            self.locale, privacy_charter_url=runtime.settings().privacy_url_for(self.locale)
        )
        self.notice_title = notice.title
        self.notice_paragraphs = list(notice.paragraphs)
        self.notice_link = notice.privacy_charter_url
        self.notice_link_label = notice.privacy_link_label
        self.notice_accept, self.notice_decline = notice.accept, notice.decline
        self.declined_text = notice.declined
        customer_id = self._customer_id
        consented = await runtime.run_db(
            lambda s: has_video_consent(session=s, customer_id=customer_id)
        )
        await self._load_meetings()
        self.step = "topic" if consented else "notice"
        self._load_topics()

    @rx.event
    async def decide(self, granted: bool) -> EventSpec:
        customer_id, locale = self._customer_id, self.locale
        await runtime.run_db(
            lambda s: record_video_consent(
                session=s, customer_id=customer_id, locale=locale, granted=granted
            )
        )
        self.step = "topic" if granted else "declined"
        self._load_topics()
        return _focus()

    def _load_topics(self) -> None:
        self.topics = [Option(t.key, t.label(self.locale)) for t in all_topics()]

    @rx.event
    async def choose_topic(self, key: str) -> AsyncIterator[EventSpec | None]:
        try:
            topic = get_topic(key)
        except ValueError:
            return
        self.topic = key
        self.needs_tick = topic.needs_recording_tick
        notice = recording_notice(self.locale)
        self.recording_text = notice.notice if topic.needs_recording_tick else ""
        self.tick_label = notice.tick
        self.step = "slot"
        self.form_error = ""
        self._request_id = uuid.uuid4().hex
        self.loading = True
        self.slots = []
        self.slot_days = []
        self.slot_day = ""
        yield _focus()
        await self._fetch_slots()
        self.loading = False

    async def _fetch_slots(self, alternatives: tuple[Slot, ...] = ()) -> None:
        service = booking_service()
        if service is None:
            self.step = "unavailable"
            return
        try:
            found = list(alternatives) or await service.free_slots(
                topic=self.topic, locale=self.locale
            )
        except GatewayError:
            self.form_error = self.tr["video.unavailable"]
            return
        shown = found[:MAX_SLOTS_SHOWN]
        self._slots = {s.start.isoformat(): s for s in shown}
        tz = self._time_zone_name()
        days = group_slots_by_day(shown, locale=self.locale, timezone=tz)
        self.slot_days = [
            Day(
                key=d.day.isoformat(),
                short_label=d.short_label,
                label=d.label,
                times=[Option(s.start.isoformat(), hours) for s, hours in d.slots],
            )
            for d in days
        ]
        self.slots = [t for d in self.slot_days for t in d.times]
        keys = [d.key for d in self.slot_days]
        self.slot_day = self.slot_day if self.slot_day in keys else (keys[0] if keys else "")

    @rx.event
    def choose_day(self, key: str) -> None:
        if any(d.key == key for d in self.slot_days):
            self.slot_day = key

    @rx.event
    async def book(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        service = booking_service()
        slot = self._slots.get(str(form.get("slot") or ""))
        name = str(form.get("name") or "").strip()[:120]
        email = str(form.get("email") or "").strip()[:254]
        tick = str(form.get("recording_tick") or "") in {"on", "true", "1"}
        if service is None:
            self.step = "unavailable"
            return
        if slot is None:
            self.form_error = self.tr["video.pick_slot"]
            return
        if not self.rescheduling and not name:
            self.form_error = self.tr["video.name_required"]
            return
        if email and not _EMAIL.match(email):
            self.form_error = self.tr["video.email_invalid"]
            return
        self.form_error = ""
        self.loading = True
        yield None
        try:
            if self.rescheduling:
                outcome = await service.reschedule(
                    booking_id=self.rescheduling, slot=slot, customer_id=self._customer_id
                )
            else:
                outcome = await service.book(
                    customer_id=self._customer_id,
                    topic=self.topic,
                    locale=self.locale,
                    slot=slot,
                    customer_name=name,
                    customer_email=email or None,
                    customer_time_zone=self._time_zone_name(),
                    recording_tick=tick,
                    request_id=self._request_id,
                )
        except ConsentRequired:
            self.loading = False
            self.step = "notice"
            return
        except RecordingTickRequired:
            self.loading = False
            self.form_error = message("recording_tick_required", self.locale)
            return
        except BookingNotFound:
            self.loading = False
            self.rescheduling = ""
            self.form_error = message("not_found", self.locale)
            return
        except GatewayError:
            # Graph could not tell the booking rules: nothing was stored, the customer may retry.
            self.loading = False
            self.form_error = self.tr["video.unavailable"]
            return
        except ValueError:
            self.loading = False
            self.form_error = self.tr["video.pick_slot"]
            return
        self.loading = False
        await self._after(outcome)
        yield _focus()

    async def _after(self, outcome: BookingOutcome) -> None:
        self.status_text = outcome.message
        if outcome.status == OutcomeStatus.BOOKED and outcome.appointment is not None:
            self.booked = _booked(outcome.appointment, self.tr)
            self.rescheduling = ""
            self.done_kind = "booked"
            self.step = "done"
        elif outcome.status == OutcomeStatus.RESCHEDULED and outcome.appointment is not None:
            self.booked = _booked(outcome.appointment, self.tr)
            self.rescheduling = ""
            self.done_kind = "rescheduled"
            self.step = "done"
        elif outcome.status == OutcomeStatus.SLOT_TAKEN or (
            outcome.status == OutcomeStatus.FAILED and outcome.alternatives
        ):
            # Taken, or refused by Bookings: the next free slots, to pick again.
            await self._fetch_slots(outcome.alternatives)
        elif outcome.status == OutcomeStatus.PENDING and outcome.appointment is not None:
            self.booked = _booked(outcome.appointment, self.tr)
            self.done_kind = "pending"
            self.step = "done"
        await self._load_meetings()

    async def _load_meetings(self) -> None:
        service = booking_service()
        if service is None:
            return
        customer_id = self._customer_id
        views = await asyncio.to_thread(lambda: service.list_for_customer(customer_id=customer_id))
        self.meetings = [_booked(v, self.tr) for v in views if v.status in {"booked", "pending"}]

    @rx.event
    async def cancel(self, booking_id: str) -> AsyncIterator[EventSpec | None]:
        service = booking_service()
        if service is None:
            return
        self.loading = True
        yield None
        try:
            outcome = await service.cancel(booking_id=booking_id, customer_id=self._customer_id)
        except BookingNotFound:
            # Not this customer's booking (or gone): say so instead of failing the handler.
            self.loading = False
            self.status_text = message("not_found", self.locale)
            await self._load_meetings()
            return
        self.loading = False
        self.status_text = outcome.message or self.tr["video.cancelled"]
        if self.booked is not None and self.booked.booking_id == booking_id:
            self.booked = None
            self.step = "topic"
        await self._load_meetings()

    @rx.event
    async def reschedule(self, booking_id: str, topic: str) -> AsyncIterator[EventSpec | None]:
        self.rescheduling = booking_id
        async for event in self.choose_topic(topic):
            yield event

    @rx.event
    async def download_ics(self, booking_id: str) -> EventSpec | None:
        service = booking_service()
        if service is None:
            return None
        customer_id = self._customer_id
        try:
            text = await asyncio.to_thread(
                lambda: service.ics(booking_id=booking_id, customer_id=customer_id)
            )
        except Exception:
            return None
        return rx.download(data=text, filename="video-meeting.ics")

    @rx.event
    def back_to_topics(self) -> EventSpec:
        self.step = "topic"
        self.rescheduling = ""
        self.form_error = ""
        return _focus()

    # --- device check: after consent only, on the customer's click ---------------------------

    @rx.event
    def test_devices(self, audio_only: bool) -> EventSpec | None:
        if self.step not in {"topic", "slot", "done"}:
            return None  # never before consent
        return rx.call_script(
            f"{BRIDGE}.testDevices({'true' if audio_only else 'false'})",
            callback=VideoState.devices_result,
        )

    @rx.event
    def devices_result(self, result: str) -> None:
        self.device_status = result if result in {"ok", "denied", "missing", "error"} else "error"
        self.device_on = self.device_status == "ok"

    @rx.event
    def stop_devices(self) -> EventSpec:
        self.device_on = False
        self.device_status = ""
        return rx.call_script(f"{BRIDGE}.stopDevices()")


def _focus() -> EventSpec:
    return rx.call_script(f"{BRIDGE}.focus('cw-view-heading')")


def valid_time_zone(value: object) -> str | None:
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return value
