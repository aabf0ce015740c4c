"""What the customer's claim screen shows, as plain data built next to the database call.

The Reflex state only copies these values into its vars, so the browser never sees the flow
state and the rules for building a screen (which step of how many, which files, which labels)
are tested without a browser. File links are minted by the caller (``FileLinks``): the web
layer owns the signed URLs, this package only says which files the customer may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from chat_widget.claims import flow, records
from chat_widget.claims.i18n import pick, status_label
from chat_widget.claims.questions import QuestionType, claim_types, questionnaire
from chat_widget.i18n import catalog, format_when

#: file id → an owner-checked link to it (the caller binds the customer and the secret).
FileLinks = Callable[[str], str]

FAMILY_ORDER = ("car", "home", "travel", "liability")


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
    editing: bool = False  # this question is being changed from the summary


def file_items(session: Session, claim_id: str, ids: list[str], links: FileLinks) -> list[FileItem]:
    """The claim's files among ``ids``, in that order; photos get a thumbnail."""
    by_id = {row.id: row for row in records.files_of_claim(session=session, claim_id=claim_id)}
    return [
        FileItem(
            id=fid,
            name=by_id[fid].original_name,
            url=(url := links(fid)),
            thumb=url if by_id[fid].content_type.startswith("image/") else "",
        )
        for fid in ids
        if fid in by_id
    ]


def as_text(value: Any) -> str:
    """An answer as the text field shows it again (booleans as their option ids)."""
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
    links: FileLinks,
    error: str = "",
    typed: str | None = None,
) -> ClaimView:
    """The view of a claim: one question (``question_id``) or, when None, the summary."""
    type_label = pick(flow.form_of(state).label, locale)
    if question_id is not None:
        return _question_view(
            session, claim_id, state, question_id, locale, links, type_label, error, typed
        )
    rows = [
        SummaryRow(
            question_id=item.question_id,
            label=item.short_label or item.label,
            value=item.display_value,
            files=file_items(session, claim_id, item.value, links)
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


def _question_view(
    session: Session,
    claim_id: str,
    state: dict[str, Any],
    question_id: str,
    locale: str,
    links: FileLinks,
    type_label: str,
    error: str,
    typed: str | None,
) -> ClaimView:
    question = flow.form_of(state).question(question_id)
    if question is None:
        raise flow.FlowError(question_id)
    value = state["answers"].get(question_id)
    visible = [q.id for q in flow.visible_questions(state)]
    files = (
        file_items(session, claim_id, value if isinstance(value, list) else [], links)
        if question.type is QuestionType.FILES
        else []
    )
    return ClaimView(
        claim_id=claim_id,
        type_label=type_label,
        phase="question",
        question=question.to_public(locale),
        value=typed if typed is not None else as_text(value),
        error=error,
        files=files,
        summary=[],
        missing=False,
        step=visible.index(question_id) + 1 if question_id in visible else 0,
        steps=len(visible),
    )


def draft_view(
    session: Session,
    *,
    claim_id: str,
    customer_id: str,
    locale: str,
    links: FileLinks,
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
        links=links,
    )


def my_claims(session: Session, *, customer_id: str, locale: str) -> list[MyClaimItem]:
    """The customer's sent claims (drafts are resumed, not listed), newest first."""
    return [
        MyClaimItem(
            id=c.id,
            reference=c.reference or "",
            type_label=type_label(c.type, locale),
            status=status_label(c.status, locale),
            submitted=format_when(records.as_aware(c.submitted_at), locale)
            if c.submitted_at
            else "",
        )
        for c in records.list_claims_for_customer(session=session, customer_id=customer_id)
        if c.status != records.ClaimStatus.DRAFT
    ]


def type_label(claim_type: str, locale: str) -> str:
    """The claim type's name; an unknown (retired) type shows its code rather than failing."""
    try:
        form = questionnaire(claim_type)
    except KeyError:
        return claim_type
    return pick(form.label, locale)


def type_groups(locale: str) -> list[TypeGroup]:
    """Claim types under their family (car, home, travel, liability first)."""
    tr = catalog(locale)
    groups: dict[str, TypeGroup] = {}
    for t in claim_types(locale):
        family = t["family"]
        group = groups.setdefault(family, TypeGroup(label=tr.get(f"claim.family.{family}", family)))
        group.types.append(TypeItem(type=t["type"], label=t["label"]))
    order = {family: i for i, family in enumerate(FAMILY_ORDER)}
    return [groups[f] for f in sorted(groups, key=lambda f: order.get(f, len(order)))]


def progress_text(step: int, steps: int, locale: str) -> str:
    """'Step 3 of 9': the number of questions that apply so far (answers can add some)."""
    if not step or not steps:
        return ""
    return catalog(locale)["claim.progress"].format(k=step, n=steps)
