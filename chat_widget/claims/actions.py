"""One function per thing the customer does on the claim screen, each returning the next screen.

A UI handler reads its input, runs one of these in a unit of work and shows the result. The
rules that are not about validating an answer live here: a page left behind in another tab is
shown where the claim really is, "back" from the first question leaves the flow (and drops an
untouched draft), only a question that applies may be changed from the summary.

``ClaimError``/``FlowError`` escape on purpose: the caller reloads the customer's claims.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlmodel import Session

from chat_widget.claims import attachments, records, service, transcript
from chat_widget.claims.flow import load_state, visible_questions
from chat_widget.claims.questions import questionnaire
from chat_widget.claims.view import (
    ClaimView,
    FileItem,
    FileLinks,
    build_view,
    draft_view,
    file_items,
)
from chat_widget.files import BlobStore, UploadLimits


def step_view(
    session: Session, step: service.Step, *, locale: str, links: FileLinks, typed: str | None = None
) -> ClaimView:
    """The screen after a flow step; a refused answer comes back as typed, with its reason."""
    question = step.step.question
    return build_view(
        session,
        claim_id=step.claim.id,
        state=step.step.state,
        question_id=question.id if question else None,
        locale=locale,
        links=links,
        error=step.step.error_message(locale) or "",
        typed=typed if step.step.error is not None else None,
    )


def resume(
    session: Session, *, customer_id: str, locale: str, links: FileLinks
) -> ClaimView | None:
    """The customer's draft where they left it, or None (then: pick a claim type)."""
    step = service.resume_claim(session=session, customer_id=customer_id)
    return None if step is None else step_view(session, step, locale=locale, links=links)


def is_claim_type(claim_type: str) -> bool:
    try:
        questionnaire(claim_type)
    except KeyError:
        return False
    return True


def start(
    session: Session, *, customer_id: str, claim_type: str, locale: str, links: FileLinks
) -> ClaimView:
    """A new draft of ``claim_type`` with its own transcript, on its first question."""
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
    return step_view(session, step, locale=locale, links=links)


def answer(
    session: Session,
    *,
    customer_id: str,
    claim_id: str,
    question_id: str,
    raw: Any,
    editing: bool,
    today: date,
    locale: str,
    links: FileLinks,
) -> ClaimView:
    """The answer to ``question_id`` (the question on screen), or to the one being changed.

    A refused change from the summary stays a change (``editing``) so that fixing it goes back
    to the summary; an accepted answer goes into the claim's transcript.
    """
    if editing:
        step = service.edit_answer(
            session=session,
            customer_id=customer_id,
            claim_id=claim_id,
            question_id=question_id,
            raw=raw,
            today=today,
        )
    else:
        claim = records.get_claim_for_customer(
            session=session, customer_id=customer_id, claim_id=claim_id
        )
        if claim is not None and claim.state.get("current") != question_id:
            # This page was behind (the claim moved on in another tab): show where the claim
            # really is instead of answering a question the customer did not see.
            return _where_it_stands(session, customer_id, claim_id, locale, links)
        step = service.answer_current(
            session=session, customer_id=customer_id, claim_id=claim_id, raw=raw, today=today
        )
    if step.step.error is None:
        transcript.record_answer(
            session=session, claim=step.claim, question_id=question_id, edited=editing
        )
    typed = raw if isinstance(raw, str) else None
    view = step_view(session, step, locale=locale, links=links, typed=typed)
    if editing and view.error and view.question is not None and view.question["id"] == question_id:
        return replace(view, editing=True)
    return view


def back(
    session: Session,
    *,
    customer_id: str,
    claim_id: str,
    current: str,
    editing: bool,
    locale: str,
    links: FileLinks,
) -> ClaimView | None:
    """One question back; None = back to the claim types (from the first question).

    Leaving a change from the summary changes nothing: back to where the claim stands. Leaving
    from the first question discards the draft if nothing was answered yet.
    """
    if editing:
        return _where_it_stands(session, customer_id, claim_id, locale, links)
    step = service.go_back(session=session, customer_id=customer_id, claim_id=claim_id)
    question = step.step.question
    if question is not None and question.id == current:
        if not step.step.state["answers"]:
            records.discard_draft(session=session, customer_id=customer_id, claim_id=claim_id)
        return None
    return step_view(session, step, locale=locale, links=links)


def edit(
    session: Session,
    *,
    customer_id: str,
    claim_id: str,
    question_id: str,
    locale: str,
    links: FileLinks,
) -> ClaimView:
    """``question_id`` opened from the summary: only a draft's question that applies now."""
    claim = records.get_claim_for_customer(
        session=session, customer_id=customer_id, claim_id=claim_id
    )
    if claim is None or claim.status != records.ClaimStatus.DRAFT:
        raise records.ClaimNotFound(claim_id)
    state = load_state(claim.state)
    if question_id not in {q.id for q in visible_questions(state)}:
        raise records.ClaimNotFound(claim_id)
    view = build_view(
        session,
        claim_id=claim_id,
        state=state,
        question_id=question_id,
        locale=locale,
        links=links,
    )
    return replace(view, editing=True)


def submit(session: Session, *, customer_id: str, claim_id: str) -> str:
    """Sends the draft; its reference ("" if the store gave none)."""
    claim = records.submit_claim(session=session, customer_id=customer_id, claim_id=claim_id)
    return claim.reference or ""


def add_file(
    session: Session,
    *,
    store: BlobStore,
    customer_id: str,
    claim_id: str,
    filename: str,
    data: bytes,
    limits: UploadLimits,
    links: FileLinks,
) -> FileItem:
    """One uploaded file checked and kept on the draft (``FileRejected`` says why not)."""
    row = attachments.add_claim_file(
        session=session,
        store=store,
        customer_id=customer_id,
        claim_id=claim_id,
        filename=filename,
        data=data,
        limits=limits,
    )
    return file_items(session, claim_id, [row.id], links)[0]


def remove_file(
    session: Session, *, store: BlobStore, customer_id: str, claim_id: str, file_id: str
) -> bool:
    """A file taken back out of the draft; False if it is not there (or the claim was sent)."""
    try:
        return service.remove_file(
            session=session,
            store=store,
            customer_id=customer_id,
            claim_id=claim_id,
            file_id=file_id,
        )
    except records.ClaimError:
        return False


def _where_it_stands(
    session: Session, customer_id: str, claim_id: str, locale: str, links: FileLinks
) -> ClaimView:
    view = draft_view(
        session, claim_id=claim_id, customer_id=customer_id, locale=locale, links=links
    )
    if view is None:
        raise records.ClaimNotFound(claim_id)
    return view
