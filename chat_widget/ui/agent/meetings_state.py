"""Employee console: upcoming video meetings, cancelled or moved through Microsoft Graph."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget.domain.clock import utcnow
from chat_widget.meetings import BookingNotFound, GatewayError, message
from chat_widget.meetings.booking import view_of
from chat_widget.meetings.records import list_upcoming
from chat_widget.ui import runtime
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.meetings_service import booking_service


@dataclass
class MeetingRow:
    booking_id: str
    when: str
    topic: str
    advisor: str
    status: str


class MeetingsConsoleState(AgentState):
    meetings: list[MeetingRow] = []
    outcome: str = ""

    @rx.event
    async def load_meetings(self) -> AsyncIterator[EventSpec | None]:
        if await self._require() is None:
            yield self._to_login()
            return
        await self._refresh()

    async def _refresh(self) -> None:
        rows = await runtime.run_db(lambda s: list(list_upcoming(session=s, after=utcnow())))
        views = [view_of(r) for r in rows]
        self.meetings = [
            MeetingRow(v.booking_id, v.when_label, v.topic_label, v.advisor_first_name, v.status)
            for v in views
        ]

    @rx.event
    async def cancel_meeting(self, booking_id: str) -> AsyncIterator[EventSpec | None]:
        if await self._require() is None:
            yield self._to_login()
            return
        service = await asyncio.to_thread(booking_service)
        if service is None:
            return
        try:
            outcome = await service.cancel(booking_id=booking_id, customer_id=None)
        except BookingNotFound:
            # Already erased or purged while the list was open: say so, show the fresh list.
            self.outcome = message("not_found", self.locale)
            await self._refresh()
            return
        self.outcome = outcome.message
        await self._refresh()

    @rx.event
    async def move_meeting(self, booking_id: str) -> AsyncIterator[EventSpec | None]:
        """Moves the meeting to the first free time of its topic after the current one."""
        if await self._require() is None:
            yield self._to_login()
            return
        service = await asyncio.to_thread(booking_service)
        if service is None:
            return
        try:
            current = await asyncio.to_thread(lambda: service.get(booking_id=booking_id))
            slots = await service.free_slots(topic=current.topic, locale=self.locale)
        except BookingNotFound:
            self.outcome = message("not_found", self.locale)
            await self._refresh()
            return
        except GatewayError:
            self.outcome = message("change_failed", self.locale)
            return
        later = [s for s in slots if s.start > current.start]
        if not later:
            self.outcome = self.tr["meetings.none"]
            return
        try:
            outcome = await service.reschedule(
                booking_id=booking_id, slot=later[0], customer_id=None
            )
        except BookingNotFound:
            self.outcome = message("not_found", self.locale)
            await self._refresh()
            return
        self.outcome = outcome.message
        await self._refresh()
