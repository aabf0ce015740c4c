"""The claim conversation with its draft saved after every step: what a UI handler calls.

Each function loads the customer's draft, applies one pure ``flow`` step and saves the new
state in the same unit of work, so closing the widget at any moment loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from chat_widget.claims import attachments, flow
from chat_widget.claims.records import (
    Claim,
    ClaimFile,
    ClaimNotDraft,
    ClaimNotFound,
    ClaimStatus,
    get_claim_for_customer,
    get_draft_for_customer,
    save_draft,
)
from chat_widget.files import BlobStore


@dataclass(frozen=True, slots=True)
class Step:
    """The saved claim and what to show next (``step.question`` None = summary screen)."""

    claim: Claim
    step: flow.StepResult


def begin_claim(
    *,
    session: Session,
    customer_id: str,
    claim_type: str,
    locale: str,
    conversation_id: str | None = None,
    policy_start: date | None = None,
) -> Step:
    state = flow.start(claim_type, policy_start=policy_start)
    claim = save_draft(
        session=session,
        customer_id=customer_id,
        state=state,
        locale=locale,
        conversation_id=conversation_id,
        policy_start=policy_start,
    )
    return Step(claim, flow.StepResult(state=state, question=flow.current_question(state)))


def resume_claim(*, session: Session, customer_id: str) -> Step | None:
    """The customer's latest draft where they left it, or None."""
    claim = get_draft_for_customer(session=session, customer_id=customer_id)
    if claim is None:
        return None
    state = flow.load_state(claim.state)
    return Step(claim, flow.StepResult(state=state, question=flow.current_question(state)))


def answer_current(
    *, session: Session, customer_id: str, claim_id: str, raw: Any, today: date
) -> Step:
    claim, state = _draft(session, customer_id, claim_id)
    return _saved(session, claim, flow.answer(state, raw, today=today))


def go_back(*, session: Session, customer_id: str, claim_id: str) -> Step:
    claim, state = _draft(session, customer_id, claim_id)
    return _saved(session, claim, flow.back(state))


def edit_answer(
    *, session: Session, customer_id: str, claim_id: str, question_id: str, raw: Any, today: date
) -> Step:
    claim, state = _draft(session, customer_id, claim_id)
    return _saved(session, claim, flow.edit(state, question_id, raw, today=today))


def remove_file(
    *, session: Session, store: BlobStore, customer_id: str, claim_id: str, file_id: str
) -> bool:
    """Take a file back out of the customer's draft and out of any answer that listed it."""
    claim, state = _draft(session, customer_id, claim_id)
    row = session.get(ClaimFile, file_id)
    if row is None or row.claim_id != claim.id:
        return False
    if not attachments.remove_claim_file(
        session=session, store=store, customer_id=customer_id, file_id=file_id
    ):
        return False
    new_state = flow.without_file(state, file_id)
    if new_state != state:
        save_draft(
            session=session,
            customer_id=customer_id,
            claim_id=claim.id,
            state=new_state,
            locale=claim.locale,
        )
    return True


def _draft(session: Session, customer_id: str, claim_id: str) -> tuple[Claim, dict[str, Any]]:
    claim = get_claim_for_customer(session=session, customer_id=customer_id, claim_id=claim_id)
    if claim is None:
        raise ClaimNotFound(claim_id)
    if claim.status != ClaimStatus.DRAFT:
        raise ClaimNotDraft(claim_id)
    return claim, flow.load_state(claim.state)


def _saved(session: Session, claim: Claim, result: flow.StepResult) -> Step:
    if result.error is None:
        claim = save_draft(
            session=session,
            customer_id=claim.customer_id,
            claim_id=claim.id,
            state=result.state,
            locale=claim.locale,
        )
    return Step(claim, result)
