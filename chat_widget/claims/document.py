"""A submitted claim as one JSON document for the insurer's claims system.

The shape is documented in ``docs/claim-schema.json`` (JSON Schema 2020-12) and versioned by
``schema_version``; add fields freely, but change or remove one only with a new version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from chat_widget.claims import flow
from chat_widget.claims.i18n import pick
from chat_widget.claims.questions import questionnaire
from chat_widget.claims.records import Claim, ClaimFile, files_of_claim, status_history
from chat_widget.domain.clock import as_aware
from chat_widget.domain.models import Customer, Message

SCHEMA_VERSION = "1.0"
SCHEMA_ID = "https://schemas.contact-widget.invalid/claim/1.0"


def default_download_path(claim_id: str, file_id: str) -> str:
    """Where the authenticated employee endpoint serves a file (the UI layer owns the route)."""
    return f"/api/claims/{claim_id}/files/{file_id}"


def _ts(value: datetime | None) -> str | None:
    """RFC 3339 UTC with a ``Z``, whether the database handed back aware or naive UTC."""
    if value is None:
        return None
    return as_aware(value).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def claim_to_document(
    *,
    claim: Claim,
    files: Sequence[ClaimFile],
    messages: Sequence[Message],
    customer_external_ref: str | None,
    status_changes: Sequence[Any] = (),
    download_path: Callable[[str, str], str] = default_download_path,
) -> dict[str, Any]:
    """Build the document; pure, so it can be tested without a database."""
    form = questionnaire(claim.type)
    answers = []
    for question_id, value in claim.answers.items():
        question = form.question(question_id)
        if question is None:
            continue
        answers.append(
            {
                "question_id": question_id,
                "type": question.type.value,
                "label": pick(question.label, claim.locale),
                "value": value,
            }
        )
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "id": claim.id,
        "reference": claim.reference,
        "type": claim.type,
        "family": form.family,
        "status": claim.status,
        "locale": claim.locale,
        "created_at": _ts(claim.created_at),
        "updated_at": _ts(claim.updated_at),
        "submitted_at": _ts(claim.submitted_at),
        "policy_start": claim.policy_start.isoformat() if claim.policy_start else None,
        "customer": {"external_ref": customer_external_ref},
        "answers": answers,
        "files": [
            {
                "id": f.id,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "width": f.width,
                "height": f.height,
                "download_path": download_path(claim.id, f.id),
            }
            for f in files
        ],
        "status_history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "at": _ts(change.at),
                "actor_kind": change.actor_kind,
            }
            for change in status_changes
        ],
        "transcript": [
            {
                "seq": m.seq,
                "at": _ts(m.created_at),
                "author_kind": m.author_kind,
                "body": m.body,
            }
            for m in messages
        ],
    }


def display_answers(claim: Claim, locale: str) -> list[flow.SummaryItem]:
    """The answers as label + display value lines, for the handler's detail view or a receipt."""
    return flow.summary(flow.load_state(claim.state), locale)


def load_claim_document(
    *,
    session: Session,
    claim_id: str,
    download_path: Callable[[str, str], str] = default_download_path,
) -> dict[str, Any] | None:
    """The document of a claim read from the database, or None if there is no such claim."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        return None
    customer = session.get(Customer, claim.customer_id)
    messages: list[Message] = []
    if claim.conversation_id is not None:
        messages = list(
            session.exec(
                select(Message)
                .where(Message.conversation_id == claim.conversation_id)
                .order_by(col(Message.seq))
            ).all()
        )
    return claim_to_document(
        claim=claim,
        files=files_of_claim(session=session, claim_id=claim_id),
        messages=messages,
        customer_external_ref=customer.external_ref if customer else None,
        status_changes=status_history(session=session, claim_id=claim_id),
        download_path=download_path,
    )
