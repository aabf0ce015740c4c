"""The claim conversation as messages: each accepted answer is stored as myBo's question and the
customer's answer, in a ``claim`` conversation linked to the claim, so the submitted claim (and
its JSON document's ``transcript``) carries the conversation as the customer saw it.

Refused answers are not stored: they never became part of the claim.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session

from chat_widget.claims.flow import form_of, load_state
from chat_widget.claims.i18n import pick
from chat_widget.claims.records import Claim
from chat_widget.claims.validation import display_value
from chat_widget.conversations.messages import append_message, start_conversation
from chat_widget.domain.models import AuthorKind, Channel


def start_claim_conversation(*, session: Session, customer_id: str, locale: str) -> str:
    """A new ``claim`` conversation for the customer (flushed); returns its id."""
    conversation = start_conversation(
        session=session, customer_id=customer_id, channel=Channel.CLAIM, locale=locale
    )
    return conversation.id


def record_answer(*, session: Session, claim: Claim, question_id: str, edited: bool) -> None:
    """Append the question and the answer now stored for it (commits, like every message).

    Does nothing for a claim without a conversation or a question it does not know.
    """
    if claim.conversation_id is None:
        return
    state = load_state(claim.state)
    question = form_of(state).question(question_id)
    if question is None or question_id not in state["answers"]:
        return
    locale = claim.locale
    shown = display_value(question, state["answers"][question_id], locale)
    marker = uuid.uuid4().hex[:16]
    meta = {"claim_id": claim.id, "question_id": question_id, "edited": edited}
    append_message(
        session=session,
        conversation_id=claim.conversation_id,
        client_msg_id=f"q-{marker}",
        author_kind=AuthorKind.ASSISTANT,
        author_id="mybo",
        body=pick(question.label, locale),
        meta=meta,
    )
    append_message(
        session=session,
        conversation_id=claim.conversation_id,
        client_msg_id=f"a-{marker}",
        author_kind=AuthorKind.CUSTOMER,
        author_id=claim.customer_id,
        body=shown,
        meta=meta,
    )
