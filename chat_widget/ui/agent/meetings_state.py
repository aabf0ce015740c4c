"""/agent/meetings: the employees' agenda of video meetings, cancelled or moved on request.

Thin handlers over ``chat_widget.meetings.console``: each checks the console session (agent
role), reads its input and calls one use case. Cancel and move are two steps: the first says
what will happen (to whom, when, and for a move the new time), the second does it.
"""

from __future__ import annotations

import asyncio
from functools import partial

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget.adapters.db import session_scope
from chat_widget.domain.clock import BANK_ZONE, utcnow
from chat_widget.i18n import LOCALES
from chat_widget.meetings import console
from chat_widget.meetings.console import AgendaRow, AgendaView, MoveProposal
from chat_widget.ui import runtime
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.locale_copy import LocaleCopy, follow_events
from chat_widget.ui.meetings_service import booking_service

#: Asked of the browser once per page: the employee's own time zone.
ZONE_SCRIPT = "Intl.DateTimeFormat().resolvedOptions().timeZone"
CANCEL = "cancel"
MOVE = "move"


def _sessions() -> console.SessionFactory:
    return partial(session_scope, runtime.engine())


class MeetingsConsoleState(LocaleCopy, AgentState):
    view: str = AgendaView.TODAY.value
    zone: str = ""
    meetings: list[AgendaRow] = []
    outcome_key: str = ""
    confirm_id: str = ""
    confirm_kind: str = ""
    confirm_start: str = ""
    confirm_label: str = ""

    async def _require(self) -> str | None:
        """Every handler of this page starts here: the language copy follows first."""
        self._copy_locale()
        return await super()._require()

    @rx.var
    def outcome(self) -> str:
        return self._texts().get(self.outcome_key, "") if self.outcome_key else ""

    @rx.var
    def zone_text(self) -> str:
        return self._texts()["meetings.zone"].format(zone=self.zone or str(BANK_ZONE))

    @rx.var
    def empty_text(self) -> str:
        return self._texts()[f"meetings.none_{self.view}"]

    @rx.var
    def confirm_text(self) -> str:
        row = next((m for m in self.meetings if m.booking_id == self.confirm_id), None)
        if row is None or not self.confirm_kind:
            return ""
        return self._texts()[f"meetings.confirm_{self.confirm_kind}"].format(
            customer=row.customer, when=row.when, new=self.confirm_label
        )

    @rx.event
    async def load_meetings(self) -> EventSpec | None:
        if await self._require() is None:
            return self._to_login()
        self._close_confirm()
        self.outcome_key = ""
        if not self.zone:
            return rx.call_script(ZONE_SCRIPT, callback=MeetingsConsoleState.set_zone)
        await self._refresh()
        return None

    @rx.event
    async def set_zone(self, raw: str) -> EventSpec | None:
        if await self._require() is None:
            return self._to_login()
        self.zone = console.agent_zone(raw)
        await self._refresh()
        return None

    @rx.event
    async def show(self, view: str) -> EventSpec | None:
        if await self._require() is None:
            return self._to_login()
        self.view = view if view in {v.value for v in AgendaView} else AgendaView.TODAY.value
        self._close_confirm()
        self.outcome_key = ""
        await self._refresh()
        return None

    async def _refresh(self) -> None:
        agent_id, view, locale = self._agent_id, AgendaView(self.view), self.locale
        zone = self.zone or str(BANK_ZONE)
        self.meetings = await runtime.run_db(
            lambda s: console.agenda(
                session=s, agent_id=agent_id, view=view, zone=zone, locale=locale, now=utcnow()
            )
        )

    def _listed(self, booking_id: str) -> bool:
        """Only a meeting on the employee's screen, still ahead, can be cancelled or moved."""
        return any(m.booking_id == booking_id and m.changeable for m in self.meetings)

    def _close_confirm(self) -> None:
        self.confirm_id = self.confirm_kind = self.confirm_start = self.confirm_label = ""

    @rx.event
    async def ask_cancel(self, booking_id: str) -> EventSpec | None:
        if await self._require() is None:
            return self._to_login()
        self.outcome_key = ""
        if not self._listed(booking_id):
            return None
        self.confirm_id, self.confirm_kind = booking_id, CANCEL
        return rx.set_focus("mt-confirm-yes")

    @rx.event
    async def ask_move(self, booking_id: str) -> EventSpec | None:
        if await self._require() is None:
            return self._to_login()
        self._close_confirm()
        if not self._listed(booking_id):
            return None
        service = await asyncio.to_thread(booking_service)
        if service is None:
            self.outcome_key = "meetings.done.failed"
            return None
        zone = self.zone or str(BANK_ZONE)
        proposal = await console.propose_move(
            service, _sessions(), booking_id=booking_id, zone=zone, locale=self.locale
        )
        if not isinstance(proposal, MoveProposal):
            self.outcome_key = proposal
            await self._refresh()
            return None
        self.outcome_key = ""
        self.confirm_id, self.confirm_kind = booking_id, MOVE
        self.confirm_start, self.confirm_label = proposal.start, proposal.label
        return rx.set_focus("mt-confirm-yes")

    @rx.event
    async def confirm(self) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        booking_id, kind, start = self.confirm_id, self.confirm_kind, self.confirm_start
        self._close_confirm()
        service = await asyncio.to_thread(booking_service)
        if service is None or not booking_id:
            self.outcome_key = "meetings.done.failed"
            return None
        if kind == MOVE:
            self.outcome_key = await console.move(
                service, _sessions(), booking_id=booking_id, start=start, agent_id=agent_id
            )
        else:
            self.outcome_key = await console.cancel(
                service, _sessions(), booking_id=booking_id, agent_id=agent_id
            )
        await self._refresh()
        return None

    @rx.event
    async def switch_locale(self, value: str) -> EventSpec | list[EventSpec] | None:
        """The console language; the agenda is told again in it."""
        if await self._require() is None:
            return self._to_login()
        if value in LOCALES:
            self.locale = value
            self._copy_locale()
            await self._refresh()
            return follow_events(AgentState)
        return None

    @rx.event
    def keep(self) -> None:
        self._close_confirm()
