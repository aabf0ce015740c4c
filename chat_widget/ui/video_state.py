"""Video meeting view state: consent first, then topic, slot, booking; camera only on request.

Handlers are thin: they read input, call chat_widget.meetings (the steps, the form's rules,
what an outcome leads to: ``meetings.screen`` and ``meetings.requests``) and copy the
result into vars.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget.meetings import (
    BookingOutcome,
    GatewayError,
    Slot,
    all_topics,
    get_topic,
    has_video_consent,
    record_video_consent,
    recording_notice,
    requests,
    screen,
    video_notice,
)
from chat_widget.meetings.formatting import time_zone_label
from chat_widget.meetings.requests import Refusal
from chat_widget.meetings.screen import Booked, Day, Option
from chat_widget.ui import runtime
from chat_widget.ui.locale_copy import LocaleCopy
from chat_widget.ui.meetings_service import booking_service
from chat_widget.ui.widget_state import BRIDGE, WidgetState


class VideoState(LocaleCopy, WidgetState):
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
    _view_time_zone: str = ""  # the parent's time_zone, copied as the locale (ui.locale_copy)

    @rx.var
    def slot_count(self) -> int:
        return len(self.slots)

    @rx.var
    def meeting_count(self) -> int:
        return len(self.meetings)

    @rx.var
    def device_text(self) -> str:
        if not self.device_status:
            return ""
        return self._texts().get(f"video.device_{self.device_status}", "")

    @rx.var
    def tz_text(self) -> str:
        zone = time_zone_label(self._view_time_zone or "Europe/Brussels", locale=self._lang())
        return self._texts().get("video.times_shown_in", "").format(tz=zone)

    @rx.var
    def done_title(self) -> str:
        key = {"rescheduled": "video.rescheduled_title", "pending": "video.pending_title"}
        return self._texts()[key.get(self.done_kind, "video.confirmed")]

    @rx.var
    def slot_day_label(self) -> str:
        return next((d.label for d in self.slot_days if d.key == self.slot_day), "")

    def _time_zone_name(self) -> str:
        return self.time_zone or "Europe/Brussels"

    def _copy_locale(self) -> None:
        """The browser's time zone is copied with the language, for ``tz_text``."""
        super()._copy_locale()
        if self._view_time_zone != self._time_zone_name():
            self._view_time_zone = self._time_zone_name()

    @rx.event
    async def open_video(self) -> AsyncIterator[EventSpec | None]:
        self.view, self.notice_key, self.form_error, self.status_text = "video", "", "", ""
        self._copy_locale()
        yield _focus()
        # Building the service loads msgraph-sdk (~1,300 modules): never on the event loop.
        if await asyncio.to_thread(booking_service) is None:
            self.step = "unavailable"
            return
        n = video_notice(
            self.locale, privacy_charter_url=runtime.settings().privacy_url_for(self.locale)
        )
        self.notice_title, self.notice_paragraphs = n.title, list(n.paragraphs)
        self.notice_link, self.notice_link_label = n.privacy_charter_url, n.privacy_link_label
        self.notice_accept, self.notice_decline = n.accept, n.decline
        self.declined_text = n.declined
        customer_id = self._customer_id
        consented = await runtime.run_db(
            lambda s: has_video_consent(session=s, customer_id=customer_id)
        )
        await self._load_meetings()
        self.step = screen.first_step(consented)
        self._load_topics()

    @rx.event
    async def decide(self, granted: bool) -> EventSpec:
        customer_id, locale = self._customer_id, self.locale
        await runtime.run_db(
            lambda s: record_video_consent(
                session=s, customer_id=customer_id, locale=locale, granted=granted
            )
        )
        self.step = screen.step_after_consent(granted)
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
        notice = recording_notice(self.locale)
        self.topic, self.needs_tick, self.tick_label = key, topic.needs_recording_tick, notice.tick
        self.recording_text = notice.notice if topic.needs_recording_tick else ""
        self.step, self.form_error, self._request_id = "slot", "", uuid.uuid4().hex
        self.loading, self.slots, self.slot_days, self.slot_day = True, [], [], ""
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
        picker = screen.slot_picker(
            found, locale=self.locale, timezone=self._time_zone_name(), current_day=self.slot_day
        )
        self._slots, self.slot_days, self.slot_day = picker.by_key, picker.days, picker.day
        self.slots = picker.times

    @rx.event
    def choose_day(self, key: str) -> None:
        if any(d.key == key for d in self.slot_days):
            self.slot_day = key

    @rx.event
    async def book(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        service = booking_service()
        if service is None:
            self.step = "unavailable"
            return
        read = requests.read_booking_form(
            form, self._slots, rescheduling=bool(self.rescheduling), locale=self.locale
        )
        if isinstance(read, Refusal):
            self.form_error = read.error
            return
        self.form_error = ""
        self.loading = True
        yield None
        result = await requests.book_from_form(
            service,
            read,
            rescheduling=self.rescheduling,
            customer_id=self._customer_id,
            topic=self.topic,
            locale=self.locale,
            time_zone=self._time_zone_name(),
            request_id=self._request_id,
        )
        self.loading = False
        if isinstance(result, Refusal):
            self.form_error, self.step = result.error, result.step or self.step
            self.rescheduling = "" if result.stop_rescheduling else self.rescheduling
            return
        await self._after(result)
        yield _focus()

    async def _after(self, outcome: BookingOutcome) -> None:
        self.status_text = outcome.message
        after = screen.after_booking(outcome)
        if after.booked is not None:
            self.booked = screen.booked_item(after.booked, self.locale)
            self.done_kind = after.done_kind
            self.step = "done"
        if after.rescheduling_done:
            self.rescheduling = ""
        if after.pick_again:
            await self._fetch_slots(after.alternatives)
        await self._load_meetings()

    async def _load_meetings(self) -> None:
        service = booking_service()
        if service is None:
            return
        customer_id = self._customer_id
        views = await asyncio.to_thread(lambda: service.list_for_customer(customer_id=customer_id))
        self.meetings = screen.listed_meetings(views, self.locale)

    @rx.event
    async def cancel(self, booking_id: str) -> AsyncIterator[EventSpec | None]:
        service = booking_service()
        if service is None:
            return
        self.loading = True
        yield None
        cancelled, self.status_text = await requests.cancel_meeting(
            service, booking_id=booking_id, customer_id=self._customer_id, locale=self.locale
        )
        self.loading = False
        if cancelled and self.booked is not None and self.booked.booking_id == booking_id:
            self.booked, self.step = None, "topic"
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
        text = await requests.meeting_ics(
            service, booking_id=booking_id, customer_id=self._customer_id
        )
        return None if text is None else rx.download(data=text, filename="video-meeting.ics")

    @rx.event
    def back_to_topics(self) -> EventSpec:
        self.step, self.rescheduling, self.form_error = "topic", "", ""
        return _focus()

    # --- device check: after consent only, on the customer's click ---------------------------

    @rx.event
    def test_devices(self, audio_only: bool) -> EventSpec | None:
        if not screen.may_test_devices(self.step):
            return None  # never before consent
        return rx.call_script(
            f"{BRIDGE}.testDevices({'true' if audio_only else 'false'})",
            callback=VideoState.devices_result,
        )

    @rx.event
    def devices_result(self, result: str) -> None:
        self.device_status = screen.device_status(result)
        self.device_on = self.device_status == "ok"

    @rx.event
    def stop_devices(self) -> EventSpec:
        self.device_on, self.device_status = False, ""
        return rx.call_script(f"{BRIDGE}.stopDevices()")


def _focus() -> EventSpec:
    return rx.call_script(f"{BRIDGE}.focus('cw-view-heading')")
