"""/agent/claims: claims handlers search the list, open a claim (with a reason, audited), take
it or pass it on, and move its status.

A substate of the console's ``AgentState``: same login, cookie and language. Every page load
and every event re-checks the session with ``claims.console.handler_of`` (``claims_handler`` or
``admin``); a failure sends the browser to the login page. Each handler reads its input and
calls a use case of ``chat_widget.claims``; claim content is plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from chat_widget import agents
from chat_widget.claims import records
from chat_widget.claims.console import (
    ClaimQuery,
    ClaimRow,
    HandlerDenied,
    handler_of,
    status_options,
    type_options,
)
from chat_widget.claims.detail import ClaimDetail, open_for_handler, refreshed
from chat_widget.claims.handler_files import file_for_session
from chat_widget.claims.handling import assign_owner, claim_handlers, needs_confirmation
from chat_widget.domain.clock import utcnow
from chat_widget.i18n import LOCALES, t
from chat_widget.ui import runtime
from chat_widget.ui.agent.binding import session_digest
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.locale_copy import LocaleCopy, follow_events
from chat_widget.ui.runtime import file_store
from chat_widget.web.asgi import ServedFile

__all__ = ["ClaimsConsoleState", "HandlerDenied", "handler_of", "read_handler_file"]

MAX_REASON = 300
MAX_NOTE = 1000


async def _read(token: str, file_id: str, *, preview: bool) -> ServedFile | None:
    store = file_store()
    found = await runtime.run_db(
        lambda s: file_for_session(
            session=s, store=store, token=token, file_id=file_id, preview=preview
        )
    )
    return ServedFile(*found) if found else None


async def read_handler_file(token: str, file_id: str) -> ServedFile | None:
    """For the handler file route: the file if the session may handle claims (audited)."""
    return await _read(token, file_id, preview=False)


async def read_handler_preview(token: str, file_id: str) -> ServedFile | None:
    """For the preview route: a thumbnail or first PDF page, on the same terms (audited)."""
    return await _read(token, file_id, preview=True)


def _target() -> int:
    return runtime.settings().claim_age_target_hours


class ClaimsConsoleState(LocaleCopy, AgentState):
    query: ClaimQuery = ClaimQuery()
    claims: list[ClaimRow] = []
    pending_id: str = ""
    pending_ref: str = ""
    d: ClaimDetail = ClaimDetail()
    #: catalog keys of what to say: opening refused, a change refused, a change saved
    open_error_key: str = ""
    status_error_key: str = ""
    done_key: str = ""
    #: the accept/refuse waiting for "are you sure?", and its note
    confirm_status: str = ""
    confirm_note: str = ""
    handlers: list[list[str]] = []

    #: the parent's _agent_id, copied for `mine` as the locale is (ui.locale_copy)
    _handler_id: str = ""

    @rx.var
    def type_options(self) -> list[list[str]]:
        return type_options(self._lang())

    @rx.var
    def status_options(self) -> list[list[str]]:
        return status_options(self._lang())

    @rx.var
    def opening_text(self) -> str:
        return self._texts()["claims.open_title"].format(reference=self.pending_ref)

    @rx.var
    def confirm_text(self) -> str:
        key = f"claims.confirm_{self.confirm_status}"
        return self._texts().get(key, "").format(reference=self.d.reference)

    @rx.var
    def mine(self) -> bool:
        return bool(self.d.owner_id) and self.d.owner_id == self._handler_id

    @rx.var
    def count_text(self) -> str:
        return t(self._lang(), "claims.count", n=len(self.claims))

    async def _handler(self) -> str | None:
        self._copy_locale()
        token = self._session_token()
        try:
            if not token:
                raise agents.NotAuthenticated("no console cookie")
            handler_id, name = await runtime.run_db(lambda s: handler_of(s, token))
        except (HandlerDenied, agents.NotAuthenticated) as exc:
            # Signed in but not for claims: nothing shown; the login page sends them on to
            # the part of the console they may use.
            if isinstance(exc, agents.NotAuthenticated):
                self._forget()
            self._reset_detail()
            self.claims, self.handlers, self.authed = [], [], False
            return None
        self._agent_id, self.agent_name = handler_id, name
        if self._handler_id != handler_id:
            self._handler_id = handler_id
        self._bound_session = session_digest(token)
        self.authed = True
        return handler_id

    def _reset_detail(self) -> None:
        self.pending_id = self.pending_ref = self.confirm_status = self.confirm_note = ""
        self.d = ClaimDetail()

    async def _refresh(self) -> None:
        """The list (audited) and the claim on screen, if any, read again."""
        work = partial(
            refreshed,
            handler_id=self._agent_id,
            query=self.query,
            claim_id=self.d.id,
            locale=self.locale,
            now=utcnow(),
            target_hours=_target(),
        )
        self.claims, found = await runtime.run_db(lambda s: work(session=s))
        self.d = found or ClaimDetail()

    @rx.event
    async def on_claims_page(self) -> EventSpec | None:
        if await self._handler() is None:
            return self._to_login()
        self._reset_detail()
        self.done_key = ""
        self.handlers = await runtime.run_db(lambda s: claim_handlers(session=s))
        await self._refresh()
        return None

    @rx.event
    async def search(self, form: dict[str, Any]) -> EventSpec | None:
        if await self._handler() is None:
            return self._to_login()
        self.query = ClaimQuery.from_form(form)
        await self._refresh()
        return None

    @rx.event
    async def ask_reason(self, claim_id: str) -> EventSpec | None:
        if await self._handler() is None:
            return self._to_login()
        row = next((c for c in self.claims if c.id == claim_id), None)
        if row is None:
            return None
        self._reset_detail()
        self.open_error_key = self.done_key = ""
        self.pending_id, self.pending_ref = row.id, row.reference
        return rx.set_focus("cl-reason")

    @rx.event
    def cancel_open(self) -> None:
        self._reset_detail()

    @rx.event
    async def open_claim(self, form: dict[str, Any]) -> EventSpec | None:
        if (handler_id := await self._handler()) is None:
            return self._to_login()
        reason = str(form.get("reason") or "").strip()[:MAX_REASON]
        claim_id, locale, target = self.pending_id, self.locale, _target()
        if not claim_id:
            return None
        if len(reason) < 3:
            self.open_error_key = "claims.reason_required"
            return None
        detail = await runtime.run_db(
            lambda s: open_for_handler(
                session=s,
                handler_id=handler_id,
                claim_id=claim_id,
                reason=reason,
                locale=locale,
                now=utcnow(),
                target_hours=target,
            )
        )
        if detail is None:
            self.open_error_key = "claims.not_found"
            return None
        self.open_error_key = self.pending_id = ""
        self.d = detail
        return rx.set_focus("cl-detail-h")

    @rx.event
    async def change_status(self, form: dict[str, Any]) -> EventSpec | None:
        """Nothing is preselected: an empty choice is refused; accept and refuse ask first."""
        if await self._handler() is None:
            return self._to_login()
        wanted = str(form.get("status") or "")
        note = str(form.get("note") or "").strip()[:MAX_NOTE]
        self.done_key = ""
        if wanted not in {o[0] for o in self.d.next}:
            self.status_error_key = "claims.choose_status"
            return None
        self.status_error_key = ""
        if needs_confirmation(wanted):
            self.confirm_status, self.confirm_note = wanted, note
            return rx.set_focus("cl-confirm-yes")
        await self._save_status(wanted, note)
        return None

    @rx.event
    async def confirm(self) -> EventSpec | None:
        if await self._handler() is None:
            return self._to_login()
        wanted, note = self.confirm_status, self.confirm_note
        self.confirm_status = self.confirm_note = ""
        if wanted:
            await self._save_status(wanted, note)
        return None

    @rx.event
    def cancel_confirm(self) -> EventSpec:
        self.confirm_status = self.confirm_note = ""
        return rx.set_focus("cl-new")

    async def _save_status(self, wanted: str, note: str) -> None:
        claim_id, actor = self.d.id, self._agent_id
        await self._act(
            lambda s: records.set_status(
                session=s, claim_id=claim_id, status=wanted, actor_id=actor, note=note or None
            ),
            done="claims.status_saved",
            failed="claims.status_failed",
        )

    @rx.event
    async def take(self) -> EventSpec | None:
        if (handler_id := await self._handler()) is None:
            return self._to_login()
        await self._assign(handler_id)
        return None

    @rx.event
    async def assign(self, form: dict[str, Any]) -> EventSpec | None:
        if await self._handler() is None:
            return self._to_login()
        await self._assign(str(form.get("owner") or "")[:32] or None)
        return None

    async def _assign(self, owner_id: str | None) -> None:
        claim_id, actor = self.d.id, self._agent_id
        await self._act(
            lambda s: assign_owner(session=s, claim_id=claim_id, owner_id=owner_id, actor_id=actor),
            done="claims.owner_saved",
            failed="claims.owner_failed",
        )

    async def _act(self, work: Callable[[Session], object], *, done: str, failed: str) -> None:
        """One change to the open claim; then the claim and the list are shown again."""
        try:
            await runtime.run_db(work)
        except (records.ClaimError, ValueError):
            self.status_error_key, self.done_key = failed, ""
            return
        self.status_error_key, self.done_key = "", done
        await self._refresh()

    @rx.event
    async def switch_locale(self, value: str) -> EventSpec | list[EventSpec] | None:
        """The console language; list and open claim are read again in it (not a new view)."""
        if await self._handler() is None:
            return self._to_login()
        if value in LOCALES:
            self.locale = value
            self._copy_locale()
            await self._refresh()
            return follow_events(AgentState)
        return None

    @rx.event
    def close_detail(self) -> None:
        self._reset_detail()
        self.done_key = ""
