"""One claim as the claims console shows it, built in one step from the database.

Opening a claim needs a reason and is audited (``records.get_claim_for_handler``); the same
view shown again (another console language, after a status change) is not a new opening.
The answers are shown once, as label and value; the conversation that collected them is kept
for reference and folded by the page, so the handler does not read everything twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from chat_widget.claims.console import (
    ClaimQuery,
    ClaimRow,
    age_label,
    agent_names,
    answer_text,
    late_label,
    list_for_handler,
    type_label,
    when_label,
)
from chat_widget.claims.document import display_answers
from chat_widget.claims.i18n import status_label
from chat_widget.claims.records import (
    TRANSITIONS,
    Claim,
    ClaimStatus,
    files_of_claim,
    get_claim_for_handler,
    status_history,
)
from chat_widget.conversations.messages import messages_since
from chat_widget.domain.models import Customer
from chat_widget.i18n import t


@dataclass
class LineRow:
    id: str
    label: str
    text: str


@dataclass
class FileRow:
    id: str
    name: str
    #: "image" or "pdf": both get a preview; anything else is listed by name only.
    kind: str


@dataclass
class ClaimDetail:
    id: str = ""
    reference: str = ""
    type: str = ""
    status: str = ""
    status_code: str = ""
    submitted: str = ""
    age: str = ""
    late: str = ""
    customer: str = ""
    policy: str = ""
    owner_id: str = ""
    owner: str = ""
    answers: list[LineRow] = field(default_factory=list)
    history: list[LineRow] = field(default_factory=list)
    transcript: list[LineRow] = field(default_factory=list)
    transcript_label: str = ""
    files: list[FileRow] = field(default_factory=list)
    #: [status, label] a handler may choose next, in the lifecycle's order.
    next: list[list[str]] = field(default_factory=list)


_ORDER = list(ClaimStatus)


def _kind(content_type: str) -> str:
    if content_type.startswith("image/"):
        return "image"
    return "pdf" if content_type == "application/pdf" else "file"


def open_for_handler(
    *,
    session: Session,
    handler_id: str,
    claim_id: str,
    reason: str,
    locale: str,
    now: datetime,
    target_hours: int,
) -> ClaimDetail | None:
    """The claim opened with ``reason`` (audited, even when it does not exist); None for no
    claim or a draft, which the customer has not sent yet."""
    claim = get_claim_for_handler(
        session=session, handler_id=handler_id, claim_id=claim_id, reason=reason
    )
    if claim is None or claim.status == ClaimStatus.DRAFT:
        return None
    return build(session=session, claim=claim, locale=locale, now=now, target_hours=target_hours)


def shown_again(
    *, session: Session, claim_id: str, locale: str, now: datetime, target_hours: int
) -> ClaimDetail | None:
    """The claim already open on the handler's screen, read again (not a new opening)."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status == ClaimStatus.DRAFT:
        return None
    return build(session=session, claim=claim, locale=locale, now=now, target_hours=target_hours)


def build(
    *, session: Session, claim: Claim, locale: str, now: datetime, target_hours: int
) -> ClaimDetail:
    answers = [
        LineRow(id=a.question_id, label=a.label, text=a.display_value or "—")
        for a in display_answers(claim, locale)
    ]
    history = [
        LineRow(
            id=h.id,
            label=when_label(h.at),
            text=" → ".join(status_label(x, locale) for x in (h.from_status, h.to_status) if x)
            + (f" — {h.note}" if h.note else ""),
        )
        for h in status_history(session=session, claim_id=claim.id)
    ]
    transcript = [
        LineRow(
            id=m.id,
            label=t(locale, f"claims.author.{m.author_kind}"),
            text=m.body,
        )
        for m in (
            messages_since(session=session, conversation_id=claim.conversation_id)
            if claim.conversation_id
            else []
        )
    ]
    files = [
        FileRow(id=f.id, name=f.original_name, kind=_kind(f.content_type))
        for f in files_of_claim(session=session, claim_id=claim.id)
    ]
    customer = session.get(Customer, claim.customer_id)
    owner = agent_names(session, {claim.owner_id}) if claim.owner_id else {}
    allowed = sorted(TRANSITIONS[ClaimStatus(claim.status)], key=_ORDER.index)
    return ClaimDetail(
        id=claim.id,
        reference=claim.reference or "—",
        type=type_label(claim.type, locale),
        status=status_label(claim.status, locale),
        status_code=claim.status,
        submitted=when_label(claim.submitted_at),
        age=age_label(claim.submitted_at, now, locale),
        late=late_label(claim, now, target_hours, locale),
        customer=(customer.external_ref if customer else None)
        or t(locale, "claims.customer_anonymous"),
        policy=answer_text(claim, "policy_number") or "—",
        owner_id=claim.owner_id or "",
        owner=owner.get(claim.owner_id or "", t(locale, "claims.owner_none")),
        answers=answers,
        history=history,
        transcript=transcript,
        transcript_label=t(locale, "claims.transcript_fold", n=len(transcript)),
        files=files,
        next=[[s.value, status_label(s.value, locale)] for s in allowed],
    )


def refreshed(
    *,
    session: Session,
    handler_id: str,
    query: ClaimQuery,
    claim_id: str,
    locale: str,
    now: datetime,
    target_hours: int,
) -> tuple[list[ClaimRow], ClaimDetail | None]:
    """The list (audited) and, when one is open, the claim on screen, read again together
    after a change or in another language."""
    rows = list_for_handler(
        session=session,
        handler_id=handler_id,
        query=query,
        locale=locale,
        now=now,
        target_hours=target_hours,
    )
    if not claim_id:
        return rows, None
    again = shown_again(
        session=session, claim_id=claim_id, locale=locale, now=now, target_hours=target_hours
    )
    return rows, again
