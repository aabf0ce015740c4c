"""/agent/supervisor: live queue and agents, period charts and tables, CSV links. Thin.

A substate of the console's ``AgentState`` (same cookie, language and binding). Every page
load, event and live refresh re-checks the console session for the ``supervisor`` (or
``admin``) role. Each view is one call (``supervisor_view.load_live`` / ``load_period``)
whose result is assigned as it is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from functools import partial
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget import agents
from chat_widget.domain.clock import bank_today
from chat_widget.i18n import DEFAULT_LOCALE, LOCALES, catalog, normalize_locale
from chat_widget.live_chat.realtime import QUEUE, notifier
from chat_widget.supervision import MAX_DAYS, Period, PeriodError, default_period, parse_period
from chat_widget.supervision.access import NotSupervisor, supervisor_of
from chat_widget.supervision.export import export_csv
from chat_widget.supervision.tables import Figure
from chat_widget.ui import runtime
from chat_widget.ui.agent.binding import session_digest
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.agent.supervisor_view import SectionView, load_live, load_period
from chat_widget.ui.components.console_links import NavLink, links_for
from chat_widget.ui.live_push import Liveness
from chat_widget.ui.locale_copy import LocaleCopy, follow_events
from chat_widget.web.asgi import ServedFile

SUPERVISOR_ROUTE = "/agent/supervisor"
#: Live figures are read again this often, and at once when the queue changes on this worker.
LIVE_SECONDS = 15.0
#: ...but never more often than this (a burst of queue changes costs one read).
LIVE_MIN_SECONDS = 2.0


async def read_supervisor_csv(
    token: str, name: str, params: Mapping[str, str]
) -> ServedFile | None:
    """For the CSV route: one table if the session is a supervisor's (checked, audited)."""
    locale = normalize_locale(params.get("lang")) or DEFAULT_LOCALE
    try:
        period: Period | None = parse_period(params.get("from"), params.get("to"))
    except PeriodError:
        period = None
    found = await runtime.run_db(
        lambda s: export_csv(
            session=s, token=token, name=name, period=period, locale=locale, tr=catalog(locale)
        )
    )
    return ServedFile(found.data, "text/csv; charset=utf-8", found.filename) if found else None


class SupervisorState(LocaleCopy, AgentState):
    f_from: str = ""
    f_to: str = ""
    period_error: bool = False
    period_text: str = ""
    nav: list[NavLink] = []
    live_figures: list[Figure] = []
    live_sections: list[SectionView] = []
    live_updated: str = ""
    glance: list[Figure] = []
    sections: list[SectionView] = []

    _roles: list[str] = []
    _live_gen: int = 0

    @rx.var
    def period_help(self) -> str:
        return self._texts()["supervisor.period_help"].format(max=MAX_DAYS)

    @rx.var
    def period_error_text(self) -> str:
        texts = self._texts()
        return texts["supervisor.period_error"].format(max=MAX_DAYS) if self.period_error else ""

    async def _supervisor(self) -> str | None:
        """The supervisor's token if the console session may see this page, else None."""
        self._copy_locale()
        token = self._session_token()
        try:
            if not token:
                raise agents.NotAuthenticated("no cookie")
            employee = await runtime.run_db(lambda s: supervisor_of(session=s, token=token))
        except (agents.NotAuthenticated, NotSupervisor):
            self._forget()
            self._clear()
            return None
        self._agent_id, self.agent_name = employee.id, employee.display_name
        self._roles = list(employee.roles)
        self._bound_session = session_digest(token)
        self.authed = True
        self.nav = links_for(self._roles, self.tr, SUPERVISOR_ROUTE)
        return token

    def _clear(self) -> None:
        self._live_gen += 1  # stops a running refresh loop
        self._roles = []
        self.nav, self.live_figures, self.live_sections, self.glance, self.sections = (
            [],
            [],
            [],
            [],
            [],
        )

    async def _read_live(self, token: str) -> None:
        view = await runtime.run_db(partial(load_live, token=token, locale=self.locale))
        self.live_figures, self.live_sections = view.figures, view.sections
        self.live_updated = view.updated

    async def _read_period(self) -> None:
        period = parse_period(self.f_from, self.f_to)
        view = await runtime.run_db(partial(load_period, period=period, locale=self.locale))
        self.glance, self.sections = view.figures, view.sections
        self.period_text = self.tr["supervisor.period_shown"].format(
            first=period.first.isoformat(), last=period.last.isoformat()
        )

    @rx.event
    async def on_supervisor_page(self) -> AsyncIterator[EventSpec | None]:
        if (token := await self._supervisor()) is None:
            yield self._to_login()
            return
        if not self.f_from:
            period = default_period(bank_today())
            self.f_from, self.f_to = period.first.isoformat(), period.last.isoformat()
        await self._read_live(token)
        await self._read_period()
        yield SupervisorState.watch_live

    @rx.event
    async def show_period(self, form: dict[str, Any]) -> EventSpec | None:
        if await self._supervisor() is None:
            return self._to_login()
        raw_from, raw_to = str(form.get("from") or "")[:10], str(form.get("to") or "")[:10]
        try:
            parse_period(raw_from, raw_to)
        except PeriodError:
            self.period_error = True
            return None
        self.period_error = False
        self.f_from, self.f_to = raw_from, raw_to
        await self._read_period()
        return None

    @rx.event
    async def refresh_live(self) -> EventSpec | None:
        if (token := await self._supervisor()) is None:
            return self._to_login()
        await self._read_live(token)
        return None

    @rx.event
    async def switch_locale(self, value: str) -> EventSpec | list[EventSpec] | None:
        if (token := await self._supervisor()) is None:
            return self._to_login()
        if value in LOCALES:
            self.locale = value
            self._copy_locale()
            self.nav = links_for(self._roles, self.tr, SUPERVISOR_ROUTE)
            await self._read_live(token)
            await self._read_period()
            return follow_events(AgentState)
        return None

    @rx.event(background=True)
    async def watch_live(self) -> AsyncIterator[EventSpec | None]:
        """Live figures on a timer, sooner when the queue moves; stops when the tab is gone,
        another loop starts, or the session no longer allows the page. The database is read
        outside the state lock, so the tab's own events never wait for it."""
        async with self:
            self._live_gen += 1
            gen = self._live_gen
            liveness = Liveness(self.router.session.client_token)
        while True:
            started = time.monotonic()
            await notifier.wait([QUEUE], LIVE_SECONDS)
            rest = LIVE_MIN_SECONDS - (time.monotonic() - started)
            if rest > 0:
                await asyncio.sleep(rest)
            if liveness.expired():
                return
            async with self:
                # Another loop took over, or the tab moved on to another console page.
                if gen != self._live_gen or self.router.url.path.rstrip("/") != SUPERVISOR_ROUTE:
                    return
                token, locale = self._session_token(), self.locale
            try:
                view = await runtime.run_db(partial(load_live, token=token, locale=locale))
            except (agents.NotAuthenticated, NotSupervisor):
                async with self:
                    self._forget()
                    self._clear()
                yield self._to_login()
                return
            async with self:
                if gen != self._live_gen:
                    return
                self.live_figures, self.live_sections = view.figures, view.sections
                self.live_updated = view.updated
