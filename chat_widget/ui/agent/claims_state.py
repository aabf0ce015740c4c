"""/agent/claims: claims handlers list, open (with a reason, audited) and move submitted claims.

A substate of the console's ``AgentState``: same login, cookie and language. Every page load
and every event re-checks the session with ``agents.require_role`` for ``claims_handler`` (or
``admin``); a failure sends the browser to the login page. Claim content is plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from chat_widget import agents
from chat_widget.agents.records import Role
from chat_widget.audit import record
from chat_widget.claims import attachments, records
from chat_widget.claims.document import display_answers
from chat_widget.claims.i18n import pick, status_label
from chat_widget.claims.questions import questionnaire, questionnaires
from chat_widget.conversations.messages import messages_since
from chat_widget.i18n import LOCALES
from chat_widget.ui import runtime
from chat_widget.ui.agent.binding import session_digest
from chat_widget.ui.agent.state import AgentState
from chat_widget.ui.claim_state import file_store
from chat_widget.web.claim_files import ServedFile
from chat_widget.web.handler_files import handler_file_url

ZONE = ZoneInfo("Europe/Brussels")
FILE_REASON = "document opened from the claims console"
MAX_REASON = 300
MAX_NOTE = 1000


class HandlerDenied(Exception):
    pass


@dataclass
class ClaimRow:
    id: str
    reference: str
    type: str
    status: str
    submitted: str


@dataclass
class LineRow:
    id: str
    label: str
    text: str


@dataclass
class FileRow:
    id: str
    name: str
    url: str


def handler_of(session: Session, token: str) -> tuple[str, str]:
    """(id, display name) of the console session's agent if they may handle claims."""
    for role in (Role.CLAIMS_HANDLER, Role.ADMIN):
        try:
            agent = agents.require_role(session=session, session_token=token, role=role)
        except agents.NotAuthenticated:
            raise
        except agents.NotAuthorized:
            continue
        return agent.id, agent.display_name
    raise HandlerDenied


async def read_handler_file(token: str, file_id: str) -> ServedFile | None:
    """For the handler file route: the file if the session may handle claims (audited)."""

    def work(session: Session) -> ServedFile | None:
        try:
            handler_id, _ = handler_of(session, token)
        except (HandlerDenied, agents.NotAuthenticated):
            return None
        found = attachments.open_file_for_handler(
            session=session,
            store=file_store(),
            handler_id=handler_id,
            file_id=file_id,
            reason=FILE_REASON,
        )
        if found is None:
            return None
        return ServedFile(found.data, found.meta.content_type, found.meta.original_name)

    return await runtime.run_db(work)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return records.as_aware(moment).astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def _type_label(claim_type: str, locale: str) -> str:
    try:
        return pick(questionnaire(claim_type).label, locale)
    except KeyError:
        return claim_type


def _day(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw or ""))
    except ValueError:
        return None


class ClaimsConsoleState(AgentState):
    f_type: str = ""
    f_status: str = ""
    f_from: str = ""
    f_to: str = ""
    claims: list[ClaimRow] = []
    pending_id: str = ""
    pending_ref: str = ""
    reason_error_key: str = ""
    claim_error_key: str = ""
    status_error_key: str = ""
    status_saved: bool = False
    d_id: str = ""
    d_reference: str = ""
    d_type: str = ""
    d_status: str = ""
    d_status_code: str = ""
    d_submitted: str = ""
    d_answers: list[LineRow] = []
    d_history: list[LineRow] = []
    d_transcript: list[LineRow] = []
    d_files: list[FileRow] = []
    d_next: list[list[str]] = []

    @rx.var
    def type_options(self) -> list[list[str]]:
        return [[t, _type_label(t, self.locale)] for t in sorted(questionnaires())]

    @rx.var
    def status_options(self) -> list[list[str]]:
        return [
            [s.value, status_label(s.value, self.locale)]
            for s in records.ClaimStatus
            if s != records.ClaimStatus.DRAFT
        ]

    @rx.var
    def reason_error(self) -> str:
        return self.tr.get(self.reason_error_key, "") if self.reason_error_key else ""

    @rx.var
    def claim_error(self) -> str:
        return self.tr.get(self.claim_error_key, "") if self.claim_error_key else ""

    @rx.var
    def status_error(self) -> str:
        return self.tr.get(self.status_error_key, "") if self.status_error_key else ""

    @rx.var
    def opening_text(self) -> str:
        return self.tr["claims.open_title"].format(reference=self.pending_ref)

    async def _handler(self) -> str | None:
        token = self._session_token()
        if not token:
            self._forget()
            self._reset_detail()
            self.claims = []
            return None
        try:
            handler_id, name = await runtime.run_db(lambda s: handler_of(s, token))
        except HandlerDenied:
            # Signed in but not for claims: nothing shown; the login page sends them on to
            # the part of the console they may use.
            self._reset_detail()
            self.claims = []
            self.authed = False
            return None
        except agents.NotAuthenticated:
            self._forget()
            self._reset_detail()
            self.claims = []
            return None
        self._agent_id, self.agent_name = handler_id, name
        self._bound_session = session_digest(token)
        self.authed = True
        return handler_id

    def _reset_detail(self) -> None:
        self.pending_id = ""
        self.pending_ref = ""
        self.d_id = ""
        self.d_answers = []
        self.d_history = []
        self.d_transcript = []
        self.d_files = []
        self.d_next = []

    @rx.event
    async def on_claims_page(self) -> EventSpec | None:
        if await self._handler() is None:
            return self._to_login()
        self._reset_detail()
        await self._load_list()
        return None

    async def _load_list(self) -> None:
        claim_type = self.f_type if self.f_type in questionnaires() else None
        status = self.f_status if self.f_status in {s.value for s in records.ClaimStatus} else None
        start, end = _day(self.f_from), _day(self.f_to)
        since = datetime.combine(start, time(), ZONE) if start else None
        until = datetime.combine(end + timedelta(days=1), time(), ZONE) if end else None
        locale = self.locale
        handler_id = self._agent_id
        shown_from, shown_to = self.f_from or None, self.f_to or None

        def work(s: Session) -> list[ClaimRow]:
            found = records.list_claims(
                session=s,
                claim_type=claim_type,
                status=status,
                submitted_from=since,
                submitted_to=until,
                limit=200,
            )
            # The list shows who declared what and when: it is audited too, with what it showed.
            record(
                session=s,
                actor_kind=records.ActorKind.EMPLOYEE,
                actor_id=handler_id,
                action="claim.list",
                target_type="claim",
                target_id="*",
                details={
                    "type": claim_type,
                    "status": status,
                    "from": shown_from,
                    "to": shown_to,
                    "claim_ids": [c.id for c in found],
                },
            )
            return [
                ClaimRow(
                    id=c.id,
                    reference=c.reference or "—",
                    type=_type_label(c.type, locale),
                    status=status_label(c.status, locale),
                    submitted=_when(c.submitted_at),
                )
                for c in found
            ]

        self.claims = await runtime.run_db(work)

    @rx.event
    async def filter(self, form: dict[str, Any]) -> EventSpec | None:
        if await self._handler() is None:
            return self._to_login()
        self.f_type = str(form.get("type") or "")[:32]
        self.f_status = str(form.get("status") or "")[:16]
        self.f_from = str(form.get("from") or "")[:10]
        self.f_to = str(form.get("to") or "")[:10]
        await self._load_list()
        return None

    @rx.event
    async def ask_reason(self, claim_id: str) -> EventSpec | None:
        if await self._handler() is None:
            return self._to_login()
        row = next((c for c in self.claims if c.id == claim_id), None)
        if row is None:
            return None
        self._reset_detail()
        self.reason_error_key = ""
        self.pending_id, self.pending_ref = row.id, row.reference
        return None

    @rx.event
    def cancel_open(self) -> None:
        self._reset_detail()

    @rx.event
    async def open_claim(self, form: dict[str, Any]) -> EventSpec | None:
        if (handler_id := await self._handler()) is None:
            return self._to_login()
        reason = str(form.get("reason") or "").strip()[:MAX_REASON]
        claim_id = self.pending_id
        if not claim_id:
            return None
        if len(reason) < 3:
            self.reason_error_key = "claims.reason_required"
            return None
        self.reason_error_key = ""

        def work(s: Session) -> records.Claim | None:
            return records.get_claim_for_handler(
                session=s, handler_id=handler_id, claim_id=claim_id, reason=reason
            )

        claim = await runtime.run_db(work)
        if claim is None or claim.status == records.ClaimStatus.DRAFT:
            self.claim_error_key = "claims.not_found"
            return None
        self.claim_error_key = ""
        self.pending_id = ""
        await self._load_detail(claim_id)
        return None

    async def _load_detail(self, claim_id: str) -> None:
        locale = self.locale
        tr = self.tr

        def work(s: Session) -> dict[str, Any]:
            claim = s.get(records.Claim, claim_id)
            assert claim is not None
            answers = [
                LineRow(id=a.question_id, label=a.label, text=a.display_value or "—")
                for a in display_answers(claim, locale)
            ]
            history = [
                LineRow(
                    id=h.id,
                    label=_when(h.at),
                    text=" → ".join(
                        status_label(x, locale) for x in (h.from_status, h.to_status) if x
                    )
                    + (f" — {h.note}" if h.note else ""),
                )
                for h in records.status_history(session=s, claim_id=claim_id)
            ]
            transcript = (
                [
                    LineRow(
                        id=m.id,
                        label=tr.get(f"claims.author.{m.author_kind}", m.author_kind),
                        text=m.body,
                    )
                    for m in messages_since(session=s, conversation_id=claim.conversation_id)
                ]
                if claim.conversation_id
                else []
            )
            files = [
                FileRow(id=f.id, name=f.original_name, url=handler_file_url(f.id))
                for f in records.files_of_claim(session=s, claim_id=claim_id)
            ]
            current = records.ClaimStatus(claim.status)
            allowed = sorted(records.TRANSITIONS[current])
            return {
                "reference": claim.reference or "—",
                "type": _type_label(claim.type, locale),
                "status": status_label(claim.status, locale),
                "status_code": claim.status,
                "submitted": _when(claim.submitted_at),
                "answers": answers,
                "history": history,
                "transcript": transcript,
                "files": files,
                "next": [[x.value, status_label(x.value, locale)] for x in allowed],
            }

        d = await runtime.run_db(work)
        self.d_id = claim_id
        self.d_reference = d["reference"]
        self.d_type = d["type"]
        self.d_status = d["status"]
        self.d_status_code = d["status_code"]
        self.d_submitted = d["submitted"]
        self.d_answers = d["answers"]
        self.d_history = d["history"]
        self.d_transcript = d["transcript"]
        self.d_files = d["files"]
        self.d_next = d["next"]

    @rx.event
    async def change_status(self, form: dict[str, Any]) -> EventSpec | None:
        if (handler_id := await self._handler()) is None:
            return self._to_login()
        claim_id = self.d_id
        wanted = str(form.get("status") or "")
        note = str(form.get("note") or "").strip()[:MAX_NOTE] or None
        self.status_saved = False
        if not claim_id or wanted not in {o[0] for o in self.d_next}:
            self.status_error_key = "claims.status_failed"
            return None
        try:
            await runtime.run_db(
                lambda s: records.set_status(
                    session=s, claim_id=claim_id, status=wanted, actor_id=handler_id, note=note
                )
            )
        except (records.ClaimError, ValueError):
            self.status_error_key = "claims.status_failed"
            return None
        self.status_error_key = ""
        self.status_saved = True
        await self._load_detail(claim_id)
        await self._load_list()
        return None

    @rx.event
    async def switch_locale(self, value: str) -> EventSpec | None:
        """The console language; list and open claim are read again in it (not a new view)."""
        if (handler_id := await self._handler()) is None:
            return self._to_login()
        if value not in LOCALES:
            return None
        self.locale = value
        await self._load_list()
        if self.d_id and handler_id:
            await self._load_detail(self.d_id)
        return None

    @rx.event
    def close_detail(self) -> None:
        self._reset_detail()
