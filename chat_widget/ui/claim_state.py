"""myBo, the claim declaration view: thin handlers over chat_widget.claims.

Every handler runs one domain call (which saves the draft) in a worker thread, then turns the
result into plain view data (:class:`ClaimView`) in that same unit of work, so the browser
never sees the flow state and nothing here decides what a valid answer is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from chat_widget.claims import attachments, flow, records, service, transcript
from chat_widget.claims.i18n import pick, status_label, ui_keys, ui_text
from chat_widget.claims.questions import QuestionType, claim_types, questionnaire
from chat_widget.domain.clock import bank_today
from chat_widget.files import FileRejected, UploadLimits
from chat_widget.i18n import catalog, format_when
from chat_widget.ui import runtime
from chat_widget.ui.runtime import file_store
from chat_widget.ui.widget_state import BRIDGE, WidgetState
from chat_widget.web.claim_files import ServedFile, file_url, mint_file_token

log = logging.getLogger(__name__)

BANK_ZONE = ZoneInfo("Europe/Brussels")
UPLOAD_ID = "cw-claim-upload"
FAMILY_ORDER = ("car", "home", "travel", "liability")
TEXT_TYPES = frozenset({"place", "free_text", "amount", "plate_number", "policy_number"})


@dataclass
class OptionItem:
    id: str
    label: str


@dataclass
class TypeItem:
    type: str
    label: str


@dataclass
class TypeGroup:
    label: str
    types: list[TypeItem] = field(default_factory=list)


@dataclass
class FileItem:
    id: str
    name: str
    url: str
    thumb: str = ""  # the same owner-checked link, for photos: the customer sees what they sent


@dataclass
class FileReport:
    name: str
    ok: bool
    text: str


@dataclass
class SummaryRow:
    question_id: str
    label: str
    value: str
    files: list[FileItem] = field(default_factory=list)


@dataclass
class MyClaimItem:
    id: str
    reference: str
    type_label: str
    status: str
    submitted: str


@dataclass(frozen=True)
class ClaimView:
    """Everything the view shows after one step, computed next to the database call."""

    claim_id: str
    type_label: str
    phase: str  # question | summary
    question: dict[str, Any] | None
    value: str
    error: str
    files: list[FileItem]
    summary: list[SummaryRow]
    missing: bool
    step: int = 0  # the question's place among the questions that apply (1-based)
    steps: int = 0


def upload_limits() -> UploadLimits:
    cfg = runtime.settings()
    return UploadLimits(max_bytes=cfg.upload_max_bytes, max_files=cfg.upload_max_files)


def today() -> date:
    """Claims are about Belgian events: "the future" starts at midnight in Brussels."""
    return bank_today()


async def read_claim_file(customer_id: str, file_id: str) -> ServedFile | None:
    """For the file route: the file if ``customer_id`` owns it (else None, like a missing one)."""

    def work(session: Session) -> ServedFile | None:
        found = attachments.open_file_for_customer(
            session=session, store=file_store(), customer_id=customer_id, file_id=file_id
        )
        if found is None:
            return None
        return ServedFile(found.data, found.meta.content_type, found.meta.original_name)

    return await runtime.run_db(work)


async def export_documents(since: datetime, limit: int) -> list[dict[str, Any]]:
    """For the insurer's export endpoint: documents of claims submitted since ``since``."""
    from chat_widget.claims.export import documents_since

    return await runtime.run_db(
        lambda session: documents_since(session=session, since=since, limit=limit)
    )


def _file_items(
    session: Session, claim_id: str, ids: list[str], customer_id: str
) -> list[FileItem]:
    secret = runtime.settings().secret_key
    by_id = {row.id: row for row in records.files_of_claim(session=session, claim_id=claim_id)}
    return [
        FileItem(
            id=fid,
            name=by_id[fid].original_name,
            url=(
                url := file_url(
                    fid, mint_file_token(secret=secret, customer_id=customer_id, file_id=fid)
                )
            ),
            thumb=url if by_id[fid].content_type.startswith("image/") else "",
        )
        for fid in ids
        if fid in by_id
    ]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or isinstance(value, list | dict):
        return ""
    return str(value)


def build_view(
    session: Session,
    *,
    claim_id: str,
    state: dict[str, Any],
    question_id: str | None,
    locale: str,
    customer_id: str,
    error: str = "",
    typed: str | None = None,
) -> ClaimView:
    """The view of a claim: one question (``question_id``) or, when None, the summary."""
    answers = state["answers"]
    type_label = pick(flow.form_of(state).label, locale)
    if question_id is not None:
        question = flow.form_of(state).question(question_id)
        if question is None:
            raise flow.FlowError(question_id)
        value = answers.get(question_id)
        visible = [q.id for q in flow.visible_questions(state)]
        step = visible.index(question_id) + 1 if question_id in visible else 0
        files = (
            _file_items(session, claim_id, value if isinstance(value, list) else [], customer_id)
            if question.type is QuestionType.FILES
            else []
        )
        return ClaimView(
            claim_id=claim_id,
            type_label=type_label,
            phase="question",
            question=question.to_public(locale),
            value=typed if typed is not None else _as_text(value),
            error=error,
            files=files,
            summary=[],
            missing=False,
            step=step,
            steps=len(visible),
        )
    rows = [
        SummaryRow(
            question_id=item.question_id,
            label=item.short_label or item.label,
            value=item.display_value,
            files=_file_items(session, claim_id, item.value, customer_id)
            if item.type == QuestionType.FILES.value and isinstance(item.value, list)
            else [],
        )
        for item in flow.summary(state, locale)
    ]
    return ClaimView(
        claim_id=claim_id,
        type_label=type_label,
        phase="summary",
        question=None,
        value="",
        error=error,
        files=[],
        summary=rows,
        missing=bool(flow.missing_required(state)),
    )


def draft_view(
    session: Session,
    *,
    claim_id: str,
    customer_id: str,
    locale: str,
    question_id: str | None = None,
) -> ClaimView | None:
    """The customer's draft where it stands (or on ``question_id``); None if not a draft."""
    claim = records.get_claim_for_customer(
        session=session, customer_id=customer_id, claim_id=claim_id
    )
    if claim is None or claim.status != records.ClaimStatus.DRAFT:
        return None
    state = flow.load_state(claim.state)
    return build_view(
        session,
        claim_id=claim_id,
        state=state,
        question_id=question_id or state.get("current"),
        locale=locale,
        customer_id=customer_id,
    )


def _step_view(
    session: Session, step: service.Step, *, locale: str, customer_id: str, typed: str | None = None
) -> ClaimView:
    question = step.step.question
    return build_view(
        session,
        claim_id=step.claim.id,
        state=step.step.state,
        question_id=question.id if question else None,
        locale=locale,
        customer_id=customer_id,
        error=step.step.error_message(locale) or "",
        typed=typed if step.step.error is not None else None,
    )


class ClaimState(WidgetState):
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
    _claim_type: str = ""

    @rx.var
    def ct(self) -> dict[str, str]:
        """The claim flow's own sentences (chat_widget/claims/messages.json) in this locale."""
        return {key: ui_text(key, self.locale) for key in ui_keys() if key != "confirmation"}

    @rx.var
    def type_groups(self) -> list[TypeGroup]:
        """Claim types under their family (car, home, travel, liability first)."""
        tr = catalog(self.locale)
        groups: dict[str, TypeGroup] = {}
        for t in claim_types(self.locale):
            family = t["family"]
            group = groups.setdefault(
                family, TypeGroup(label=tr.get(f"claim.family.{family}", family))
            )
            group.types.append(TypeItem(type=t["type"], label=t["label"]))
        order = {family: i for i, family in enumerate(FAMILY_ORDER)}
        return [groups[f] for f in sorted(groups, key=lambda f: order.get(f, len(order)))]

    @rx.var
    def progress_text(self) -> str:
        """'Step 3 of 9': the number of questions that apply so far (answers can add some)."""
        if not self.q_step or not self.q_steps:
            return ""
        return catalog(self.locale)["claim.progress"].format(k=self.q_step, n=self.q_steps)

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
        self.notice_key = ""
        focus = rx.call_script(f"{BRIDGE}.focus('cw-view-heading')")
        if not self._customer_id:
            return [focus]
        customer_id, locale = self._customer_id, self.locale

        def work(session: Session) -> ClaimView | None:
            step = service.resume_claim(session=session, customer_id=customer_id)
            if step is None:
                return None
            return _step_view(session, step, locale=locale, customer_id=customer_id)

        try:
            view = await runtime.run_db(work)
        except flow.FlowError:  # a draft from an older questionnaire: start afresh
            log.warning("unusable claim draft for a customer; offering a new claim")
            view = None
        await self._load_my_claims()
        if view is None:
            if self.phase not in {"done", "list"}:
                self.phase = "types"
            return [focus]
        self._apply(view)
        return [focus]

    async def _load_my_claims(self) -> None:
        customer_id, locale = self._customer_id, self.locale

        def work(session: Session) -> list[MyClaimItem]:
            rows = records.list_claims_for_customer(session=session, customer_id=customer_id)
            return [
                MyClaimItem(
                    id=c.id,
                    reference=c.reference or "",
                    type_label=_type_label(c.type, locale),
                    status=status_label(c.status, locale),
                    submitted=format_when(records.as_aware(c.submitted_at), locale)
                    if c.submitted_at
                    else "",
                )
                for c in rows
                if c.status != records.ClaimStatus.DRAFT
            ]

        self.my_claims = await runtime.run_db(work)

    # --- the conversation --------------------------------------------------------------------

    @rx.event
    async def start(self, claim_type: str) -> EventSpec | None:
        if not self._customer_id or self.busy:
            return None
        try:
            questionnaire(claim_type)
        except KeyError:
            return None
        customer_id, locale = self._customer_id, self.locale

        def work(session: Session) -> ClaimView:
            conversation_id = transcript.start_claim_conversation(
                session=session, customer_id=customer_id, locale=locale
            )
            step = service.begin_claim(
                session=session,
                customer_id=customer_id,
                claim_type=claim_type,
                locale=locale,
                conversation_id=conversation_id,
            )
            return _step_view(session, step, locale=locale, customer_id=customer_id)

        return await self._run(work)

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
        customer_id, locale, claim_id = self._customer_id, self.locale, self._claim_id
        question_id, editing, when = self.q_id, self.editing, today()
        typed = raw if isinstance(raw, str) else None

        def work(session: Session) -> ClaimView:
            if editing:
                step = service.edit_answer(
                    session=session,
                    customer_id=customer_id,
                    claim_id=claim_id,
                    question_id=question_id,
                    raw=raw,
                    today=when,
                )
            else:
                claim = records.get_claim_for_customer(
                    session=session, customer_id=customer_id, claim_id=claim_id
                )
                if claim is not None and claim.state.get("current") != question_id:
                    # This page was behind (the claim moved on in another tab): show where the
                    # claim really is instead of answering a question the customer did not see.
                    view = draft_view(
                        session, claim_id=claim_id, customer_id=customer_id, locale=locale
                    )
                    if view is None:
                        raise records.ClaimNotFound(claim_id)
                    return view
                step = service.answer_current(
                    session=session, customer_id=customer_id, claim_id=claim_id, raw=raw, today=when
                )
            if step.step.error is None:
                transcript.record_answer(
                    session=session, claim=step.claim, question_id=question_id, edited=editing
                )
            return _step_view(session, step, locale=locale, customer_id=customer_id, typed=typed)

        event = await self._run(work)
        if editing and self.phase == "question" and self.q_id == question_id and self.error:
            self.editing = True  # a refused change: still changing that answer from the summary
        return event

    @rx.event
    async def back(self) -> EventSpec | None:
        if not self._claim_id or self.busy:
            return None
        customer_id, locale, claim_id, editing = (
            self._customer_id,
            self.locale,
            self._claim_id,
            self.editing,
        )

        current = self.q_id

        def work(session: Session) -> ClaimView | None:
            if editing:  # leaving an edit changes nothing: back to where the claim stands
                view = draft_view(
                    session, claim_id=claim_id, customer_id=customer_id, locale=locale
                )
                if view is None:
                    raise records.ClaimNotFound(claim_id)
                return view
            step = service.go_back(session=session, customer_id=customer_id, claim_id=claim_id)
            question = step.step.question
            if question is not None and question.id == current:
                # Back from the first question: to the claim types. An untouched draft goes.
                if not step.step.state["answers"]:
                    records.discard_draft(
                        session=session, customer_id=customer_id, claim_id=claim_id
                    )
                return None
            return _step_view(session, step, locale=locale, customer_id=customer_id)

        return await self._run(work)

    @rx.event
    async def edit(self, question_id: str) -> EventSpec | None:
        if not self._claim_id or self.busy:
            return None
        customer_id, locale, claim_id = self._customer_id, self.locale, self._claim_id

        def work(session: Session) -> ClaimView:
            claim = records.get_claim_for_customer(
                session=session, customer_id=customer_id, claim_id=claim_id
            )
            if claim is None or claim.status != records.ClaimStatus.DRAFT:
                raise records.ClaimNotFound(claim_id)
            state = flow.load_state(claim.state)
            if question_id not in {q.id for q in flow.visible_questions(state)}:
                raise records.ClaimNotFound(claim_id)
            return build_view(
                session,
                claim_id=claim_id,
                state=state,
                question_id=question_id,
                locale=locale,
                customer_id=customer_id,
            )

        event = await self._run(work)
        self.editing = self.phase == "question"
        return event

    @rx.event
    async def send_claim(self) -> EventSpec | None:
        if not self._claim_id or self.busy:
            return None
        customer_id, locale, claim_id = self._customer_id, self.locale, self._claim_id

        def work(session: Session) -> str:
            return (
                records.submit_claim(
                    session=session, customer_id=customer_id, claim_id=claim_id
                ).reference
                or ""
            )

        self.busy = True
        try:
            reference = await runtime.run_db(work)
        except flow.IncompleteClaim:
            self.missing = True
            return None
        except records.ClaimError:
            log.info("claim %s could not be submitted", claim_id)
            reference = ""
        finally:
            self.busy = False
        self._claim_id = ""
        self.reference = reference
        self.confirmation = (
            ui_text("confirmation", locale, reference=reference) if reference else ""
        )
        self.phase = "done"
        self.error = ""
        self.files = []
        self.file_reports = []
        await self._load_my_claims()
        return rx.call_script(f"{BRIDGE}.focus('cw-claim-heading')")

    @rx.event
    async def show_my_claims(self) -> EventSpec:
        await self._load_my_claims()
        self.phase = "list"
        return rx.call_script(f"{BRIDGE}.focus('cw-claim-heading')")

    @rx.event
    async def new_claim(self) -> list[EventSpec]:
        """From the list or the confirmation: the draft in progress if any, else a new one."""
        self.phase = "types"
        events = await self.open_claim()
        return [*events, rx.call_script(f"{BRIDGE}.focus('cw-claim-heading')")]

    # --- uploads -----------------------------------------------------------------------------

    @rx.event
    def upload_progress_changed(self, progress: dict[str, Any]) -> None:
        value = progress.get("progress")
        fraction = float(value) if isinstance(value, int | float) else 0.0
        # The last progress report may arrive after the files were handled: it must not
        # leave the view "uploading" (and "Continue" disabled).
        self.uploading = fraction < 1.0
        self.upload_progress = max(0, min(100, round(fraction * 100)))

    @rx.event
    def drop_rejected(self, rejected: list[dict[str, Any]]) -> None:
        """The browser refused files before sending them (it never should: no client limits)."""
        self.error = catalog(self.locale)["claim.files_not_sent"]

    @rx.event
    async def receive_files(self, files: list[rx.UploadFile]) -> EventSpec | None:
        """Check and store each file on its own: one refusal keeps the others and the claim."""
        if not self._claim_id or self.q_type != QuestionType.FILES.value:
            return None
        limits = upload_limits()
        customer_id, locale, claim_id = self._customer_id, self.locale, self._claim_id
        store = file_store()
        reports: list[FileReport] = []
        accepted: list[FileItem] = []
        accepted_text = catalog(locale)["claim.file_accepted"]
        for upload in files:
            name = upload.filename or "file"
            # One byte over the limit is enough to refuse it; never read more than that.
            data = await upload.read(limits.max_bytes + 1)

            def work(session: Session, name: str = name, data: bytes = data) -> FileItem:
                row = attachments.add_claim_file(
                    session=session,
                    store=store,
                    customer_id=customer_id,
                    claim_id=claim_id,
                    filename=name,
                    data=data,
                    limits=limits,
                )
                return _file_items(session, claim_id, [row.id], customer_id)[0]

            try:
                item = await runtime.run_db(work)
            except FileRejected as rejected:
                reports.append(FileReport(name=name, ok=False, text=rejected.message(locale)))
                continue
            except records.ClaimError:
                log.info("upload to a claim that is no longer a draft")
                break
            accepted.append(item)
            reports.append(FileReport(name=item.name, ok=True, text=accepted_text))
        self.files = [*self.files, *accepted]
        if accepted:
            # "This answer is required" was about the missing photo: it is there now.
            self.error = ""
        self.file_reports = reports
        self.uploading = False
        self.upload_progress = 0
        return rx.call_script(f"{BRIDGE}.focus('cw-claim-file-reports')")

    @rx.event
    async def remove_file(self, file_id: str) -> None:
        if not self._claim_id or file_id not in {f.id for f in self.files}:
            return
        customer_id, claim_id = self._customer_id, self._claim_id

        def work(session: Session) -> bool:
            return service.remove_file(
                session=session,
                store=file_store(),
                customer_id=customer_id,
                claim_id=claim_id,
                file_id=file_id,
            )

        try:
            removed = await runtime.run_db(work)
        except records.ClaimError:
            removed = False
        if removed:
            self.files = [f for f in self.files if f.id != file_id]
            self.file_reports = []

    @rx.event
    async def refresh_locale(self) -> None:
        """After a language switch: the same step again, in the new language."""
        if self.view != "claim" or not self._customer_id:
            return
        locale = self.locale
        if self.phase in {"done", "list", "types"}:
            await self._load_my_claims()
            if self.reference:
                self.confirmation = ui_text("confirmation", locale, reference=self.reference)
            return
        if not self._claim_id:
            return
        customer_id, claim_id, editing = self._customer_id, self._claim_id, self.editing
        target = self.q_id if self.phase == "question" and self.q_id else None

        def work(session: Session) -> ClaimView | None:
            return draft_view(
                session,
                claim_id=claim_id,
                customer_id=customer_id,
                locale=locale,
                question_id=target,
            )

        view = await runtime.run_db(work)
        if view is not None:
            files, reports = self.files, self.file_reports
            self._apply(view)
            self.editing = editing
            if view.phase == "question":
                self.files, self.file_reports = files, reports

    # --- helpers -----------------------------------------------------------------------------

    async def _run(self, work: Any) -> EventSpec | None:
        self.busy = True
        try:
            view: ClaimView | None = await runtime.run_db(work)
        except (records.ClaimError, flow.FlowError):
            # Submitted in another tab, or a stale draft: show where the customer stands now.
            log.info("claim step refused; reloading the customer's claims")
            self.busy = False
            self._claim_id = ""
            self.phase = "types"
            await self._load_my_claims()
            return rx.call_script(f"{BRIDGE}.focus('cw-claim-heading')")
        finally:
            self.busy = False
        if view is None:
            self._claim_id = ""
            self.q_id = ""
            self.phase = "types"
            return rx.call_script(f"{BRIDGE}.focus('cw-claim-heading')")
        return self._apply(view)

    def _apply(self, view: ClaimView) -> EventSpec:
        self._claim_id = view.claim_id
        self.claim_type_label = view.type_label
        self.error = view.error
        self.editing = False
        self.q_render += 1
        if view.question is None:
            self.phase = "summary"
            self.summary = view.summary
            self.missing = view.missing
            self.q_id = ""
            self.q_type = ""
            self.files = []
            self.file_reports = []
            return rx.call_script(f"{BRIDGE}.focus('cw-claim-heading')")
        q = view.question
        same_question = self.phase == "question" and self.q_id == q["id"]
        self.phase = "question"
        self.q_id = str(q["id"])
        self.q_type = str(q["type"])
        self.q_label = str(q["label"])
        self.q_help = str(q["help"] or "")
        self.q_required = bool(q["required"])
        self.q_options = [OptionItem(id=o["id"], label=o["label"]) for o in q["options"]]
        self.q_value = view.value
        self.q_step, self.q_steps = view.step, view.steps
        self.files = view.files
        if not same_question:
            self.file_reports = []
        # After a refusal the customer fixes the field; otherwise read the new question first.
        is_text = self.q_type in TEXT_TYPES or self.q_type in {"date", "time"}
        target = "cw-claim-input" if view.error and is_text else "cw-claim-q"
        return rx.call_script(f"{BRIDGE}.focus('{target}')")


def _type_label(claim_type: str, locale: str) -> str:
    try:
        form = questionnaire(claim_type)
    except KeyError:
        return claim_type
    return pick(form.label, locale)
