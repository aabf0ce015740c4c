"""myBo, the claim declaration view: thin handlers over chat_widget.claims.

A handler reads its input, runs one use case of ``claims.actions`` (it saves the draft and
builds the next screen, a ``ClaimView``) in a worker thread and copies the result into vars:
nothing here decides what a valid answer is or where the claim goes next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from chat_widget.claims import actions, flow, records
from chat_widget.claims import view as screen
from chat_widget.claims.i18n import ui_keys, ui_text
from chat_widget.claims.questions import QuestionType
from chat_widget.claims.view import (
    ClaimView,
    FileItem,
    FileReport,
    MyClaimItem,
    OptionItem,
    SummaryRow,
    TypeGroup,
)
from chat_widget.domain.clock import bank_today
from chat_widget.i18n import catalog
from chat_widget.ui import claim_screen, runtime
from chat_widget.ui.claim_io import file_links
from chat_widget.ui.locale_copy import LocaleCopy
from chat_widget.ui.runtime import file_store
from chat_widget.ui.widget_state import BRIDGE, WidgetState

log = logging.getLogger(__name__)

UPLOAD_ID = "cw-claim-upload"


def _focus(target: str) -> EventSpec:
    return rx.call_script(f"{BRIDGE}.focus('{target}')")


class ClaimState(LocaleCopy, WidgetState):
    phase: str = "types"  # types | question | summary | done | list
    claim_type_label: str = ""
    q_id: str = ""
    q_type: str = ""
    q_label: str = ""
    q_help: str = ""
    q_required: bool = True
    q_options: list[OptionItem] = []
    q_value: str = ""
    q_render: int = 0  # bumped on every render so uncontrolled inputs pick up q_value
    error: str = ""
    editing: bool = False
    files: list[FileItem] = []
    file_reports: list[FileReport] = []
    uploading: bool = False
    upload_progress: int = 0
    summary: list[SummaryRow] = []
    missing: bool = False
    reference: str = ""
    confirmation: str = ""
    my_claims: list[MyClaimItem] = []
    busy: bool = False
    q_step: int = 0
    q_steps: int = 0

    _claim_id: str = ""

    @rx.var
    def ct(self) -> dict[str, str]:
        """The claim flow's own sentences (the ``claims`` gettext domain) in this locale."""
        locale = self._lang()
        return {key: ui_text(key, locale) for key in ui_keys() if key != "confirmation"}

    @rx.var
    def type_groups(self) -> list[TypeGroup]:
        return screen.type_groups(self._lang())

    @rx.var
    def progress_text(self) -> str:
        return screen.progress_text(self.q_step, self.q_steps, self._lang())

    @rx.var
    def q_key(self) -> str:
        return f"{self.q_id}-{self.q_render}"

    @rx.var
    def q_input_type(self) -> str:
        return {"date": "date", "time": "time"}.get(self.q_type, "text")

    @rx.var
    def q_multiline(self) -> bool:
        return self.q_type == "free_text"

    # --- entering the view -------------------------------------------------------------------

    @rx.event
    async def open_claim(self) -> list[EventSpec]:
        self.view = "claim"
        self._copy_locale()
        self.notice_key = ""
        focus = _focus("cw-view-heading")
        if not self._customer_id:
            return [focus]
        kw = self._who()
        try:
            view = await runtime.run_db(lambda s: actions.resume(s, **kw))
        except flow.FlowError:  # a draft from an older questionnaire: start afresh
            log.warning("unusable claim draft for a customer; offering a new claim")
            view = None
        await self._load_my_claims()
        if view is not None:
            self._apply(view)
        elif self.phase not in {"done", "list"}:
            self.phase = "types"
        return [focus]

    async def _load_my_claims(self) -> None:
        customer_id, locale = self._customer_id, self.locale
        self.my_claims = await runtime.run_db(
            lambda s: screen.my_claims(s, customer_id=customer_id, locale=locale)
        )

    # --- the conversation --------------------------------------------------------------------

    @rx.event
    async def start(self, claim_type: str) -> EventSpec | None:
        if not self._customer_id or self.busy or not actions.is_claim_type(claim_type):
            return None
        kw = self._who()
        return await self._run(lambda s: actions.start(s, claim_type=claim_type, **kw))

    @rx.event
    async def submit_answer(self, form: dict[str, Any]) -> EventSpec | None:
        raw = form.get("value")
        return await self._answer(raw if isinstance(raw, str) else "")

    @rx.event
    async def pick(self, raw: str) -> EventSpec | None:
        return await self._answer(str(raw))

    @rx.event
    async def skip(self) -> EventSpec | None:
        return await self._answer("")

    @rx.event
    async def continue_files(self) -> EventSpec | None:
        return await self._answer([f.id for f in self.files])

    async def _answer(self, raw: Any) -> EventSpec | None:
        if not self._claim_id or not self.q_id or self.busy:
            return None
        kw = self._who(claim_id=self._claim_id, question_id=self.q_id, editing=self.editing)
        today = bank_today()  # "the future" starts at midnight in Brussels
        return await self._run(lambda s: actions.answer(s, raw=raw, today=today, **kw))

    @rx.event
    async def back(self) -> EventSpec | None:
        if not self._claim_id or self.busy:
            return None
        kw = self._who(claim_id=self._claim_id, editing=self.editing, current=self.q_id)
        return await self._run(lambda s: actions.back(s, **kw))

    @rx.event
    async def edit(self, question_id: str) -> EventSpec | None:
        if not self._claim_id or self.busy:
            return None
        kw = self._who(claim_id=self._claim_id)
        return await self._run(lambda s: actions.edit(s, question_id=question_id, **kw))

    @rx.event
    async def send_claim(self) -> EventSpec | None:
        if not self._claim_id or self.busy:
            return None
        self.busy = True
        try:
            reference = await claim_screen.send(
                customer_id=self._customer_id, claim_id=self._claim_id
            )
        finally:
            self.busy = False
        if reference is None:
            self.missing = True
            return None
        self._assign(claim_screen.sent_vars(reference, self.locale))
        await self._load_my_claims()
        return _focus("cw-claim-heading")

    @rx.event
    async def show_my_claims(self) -> EventSpec:
        await self._load_my_claims()
        self.phase = "list"
        return _focus("cw-claim-heading")

    @rx.event
    async def new_claim(self) -> list[EventSpec]:
        """From the list or the confirmation: the draft in progress if any, else a new one."""
        self.phase = "types"
        events = await self.open_claim()
        return [*events, _focus("cw-claim-heading")]

    # --- uploads -----------------------------------------------------------------------------

    @rx.event
    def upload_progress_changed(self, progress: dict[str, Any]) -> None:
        self.uploading, self.upload_progress = claim_screen.upload_progress(progress)

    @rx.event
    def drop_rejected(self, rejected: list[dict[str, Any]]) -> None:
        """The browser refused files before sending them (it never should: no client limits)."""
        self.error = catalog(self.locale)["claim.files_not_sent"]

    @rx.event
    async def receive_files(self, files: list[rx.UploadFile]) -> EventSpec | None:
        """Check and store each file on its own: one refusal keeps the others and the claim."""
        if not self._claim_id or self.q_type != QuestionType.FILES.value:
            return None
        accepted, self.file_reports = await claim_screen.store_uploads(
            files, customer_id=self._customer_id, claim_id=self._claim_id, locale=self.locale
        )
        self.files = [*self.files, *accepted]
        # "This answer is required" was about the missing photo: it is there now.
        self.error = "" if accepted else self.error
        self.uploading, self.upload_progress = False, 0
        return _focus("cw-claim-file-reports")

    @rx.event
    async def remove_file(self, file_id: str) -> None:
        if not self._claim_id or file_id not in {f.id for f in self.files}:
            return
        customer_id, claim_id, store = self._customer_id, self._claim_id, file_store()
        if await runtime.run_db(
            lambda s: actions.remove_file(
                s, store=store, customer_id=customer_id, claim_id=claim_id, file_id=file_id
            )
        ):
            self.files = [f for f in self.files if f.id != file_id]
            self.file_reports = []

    @rx.event
    async def refresh_locale(self) -> None:
        """After a language switch: the same step again, in the new language."""
        self._copy_locale()
        if self.view != "claim" or not self._customer_id:
            return
        if self.phase in {"done", "list", "types"}:
            await self._load_my_claims()
            self.confirmation = claim_screen.confirmation(self.reference, self.locale)
            return
        if not self._claim_id:
            return
        kw = self._who(claim_id=self._claim_id)
        target = self.q_id if self.phase == "question" and self.q_id else None
        view = await runtime.run_db(lambda s: screen.draft_view(s, question_id=target, **kw))
        if view is not None:
            files, reports, editing = self.files, self.file_reports, self.editing
            self._apply(view)
            self.editing = editing
            if view.phase == "question":
                self.files, self.file_reports = files, reports

    # --- helpers -----------------------------------------------------------------------------

    def _who(self, **more: Any) -> dict[str, Any]:
        """The customer, their language and their file links: what every use case needs."""
        links = file_links(self._customer_id)
        return {"customer_id": self._customer_id, "locale": self.locale, "links": links} | more

    def _assign(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    async def _run(self, work: Callable[[Session], ClaimView | None]) -> EventSpec | None:
        self.busy = True
        try:
            view = await runtime.run_db(work)
        except (records.ClaimError, flow.FlowError):
            # Submitted in another tab, or a stale draft: show where the customer stands now.
            log.info("claim step refused; reloading the customer's claims")
            self.busy, self._claim_id, self.editing, self.phase = False, "", False, "types"
            await self._load_my_claims()
            return _focus("cw-claim-heading")
        finally:
            self.busy = False
        if view is None:
            self._claim_id, self.q_id, self.phase = "", "", "types"
            return _focus("cw-claim-heading")
        return self._apply(view)

    def _apply(self, view: ClaimView) -> EventSpec:
        q = view.question
        same = self.phase == "question" and q is not None and self.q_id == q["id"]
        self._assign(claim_screen.view_vars(view, same_question=same))
        self.q_render += 1
        return _focus(claim_screen.focus_target(view))
