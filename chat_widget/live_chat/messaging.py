"""Who may write in a live chat, read receipts and the satisfaction rating.

The customer may only write to their own chat; an agent only to a chat they hold. Both
answers are ``(message, created)`` from ``append_message``: the message is durable (committed)
when these return, so the UI acknowledges to the sender only after that.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from chat_widget.conversations import append_message
from chat_widget.conversations.errors import ConversationClosed, ConversationNotFound
from chat_widget.conversations.messages import stage_message
from chat_widget.conversations.sqlite_append import CustomerAppend
from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import AuthorKind, Channel, Message
from chat_widget.live_chat.errors import ChatNotFound, InvalidChatState, NotAssignedAgent
from chat_widget.live_chat.records import ChatRequest, ReadState

MAX_BODY = 4000


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValueError("empty message")
    if len(body) > MAX_BODY:
        raise ValueError(f"message longer than {MAX_BODY} characters")
    return body


def post_customer_message(
    *,
    session: Session,
    customer_id: str,
    conversation_id: str,
    client_msg_id: str,
    body: str,
    meta: Mapping[str, Any] | None = None,
) -> tuple[Message, bool]:
    stored = stage_customer_message(
        session=session,
        customer_id=customer_id,
        conversation_id=conversation_id,
        client_msg_id=client_msg_id,
        body=body,
        meta=meta,
    )
    session.commit()
    return stored


def stage_customer_message(
    *,
    session: Session,
    customer_id: str,
    conversation_id: str,
    client_msg_id: str,
    body: str,
    meta: Mapping[str, Any] | None = None,
) -> tuple[Message, bool]:
    """``post_customer_message`` without the commit: ``send_queue`` stores several customers'
    messages in one transaction."""
    with _chat_errors(conversation_id):
        return stage_message(
            session=session,
            conversation_id=conversation_id,
            client_msg_id=client_msg_id,
            author_kind=AuthorKind.CUSTOMER,
            author_id=customer_id,
            body=_check_body(body),
            meta=meta,
            # Ownership and channel are checked by the statement that reserves the seq.
            customer_id=customer_id,
            channel=Channel.LIVE_CHAT.value,
        )


def stage_customer_message_on(
    append: CustomerAppend,
    cursor: sqlite3.Cursor,
    *,
    customer_id: str,
    conversation_id: str,
    client_msg_id: str,
    body: str,
) -> tuple[Message, bool]:
    """``stage_customer_message`` on SQLite's DB-API cursor (the writer thread's batch):
    the same checks and the same errors, without the ORM's cost per message."""
    with _chat_errors(conversation_id):
        return append.stage(
            cursor,
            customer_id=customer_id,
            conversation_id=conversation_id,
            channel=Channel.LIVE_CHAT.value,
            client_msg_id=client_msg_id,
            body=_check_body(body),
        )


@contextmanager
def _chat_errors(conversation_id: str) -> Iterator[None]:
    """The conversation layer's refusals as the live chat's."""
    try:
        yield
    except ConversationNotFound as exc:
        raise ChatNotFound(conversation_id) from exc
    except ConversationClosed as exc:
        raise InvalidChatState("chat has ended") from exc


def post_agent_message(
    *,
    session: Session,
    agent_id: str,
    conversation_id: str,
    client_msg_id: str,
    body: str,
    meta: Mapping[str, Any] | None = None,
) -> tuple[Message, bool]:
    request = session.get(ChatRequest, conversation_id)
    if request is None:
        raise ChatNotFound(conversation_id)
    session.refresh(request)
    if request.agent_id != agent_id:
        raise NotAssignedAgent(f"{agent_id} does not hold {conversation_id}")
    if request.closed_at is not None:
        raise InvalidChatState("chat has ended")
    return append_message(
        session=session,
        conversation_id=conversation_id,
        client_msg_id=client_msg_id,
        author_kind=AuthorKind.AGENT,
        author_id=agent_id,
        body=_check_body(body),
        meta=meta,
    )


def mark_read(
    *,
    session: Session,
    conversation_id: str,
    participant_kind: str,
    participant_id: str,
    seq: int,
) -> int:
    """Record that a participant has seen up to ``seq``; never moves backwards. Flushes."""
    row = session.get(ReadState, (conversation_id, participant_kind, participant_id))
    if row is None:
        row = ReadState(
            conversation_id=conversation_id,
            participant_kind=participant_kind,
            participant_id=participant_id,
            last_read_seq=0,
        )
    if seq > row.last_read_seq:
        row.last_read_seq = seq
        row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row.last_read_seq


def read_states(*, session: Session, conversation_id: str) -> dict[str, int]:
    """``{"customer": 7, "agent": 9}``: the highest seq read per participant kind."""
    rows = session.exec(select(ReadState).where(ReadState.conversation_id == conversation_id)).all()
    result: dict[str, int] = {}
    for row in rows:
        result[row.participant_kind] = max(result.get(row.participant_kind, 0), row.last_read_seq)
    return result


def rate_chat(
    *,
    session: Session,
    customer_id: str,
    conversation_id: str,
    rating: int,
    comment: str | None = None,
    now: datetime | None = None,
) -> ChatRequest:
    """Store the 1–5 satisfaction rating of an ended chat (a later rating replaces it). Flushes."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValueError("rating must be an integer from 1 to 5")
    request = session.get(ChatRequest, conversation_id)
    if request is None or request.customer_id != customer_id:
        raise ChatNotFound(conversation_id)
    session.refresh(request)
    if request.closed_at is None or request.accepted_at is None:
        raise InvalidChatState("only a chat that took place and ended can be rated")
    request.rating = rating
    request.rating_comment = (comment or "").strip()[:1000] or None
    request.rated_at = now or utcnow()
    session.add(request)
    session.flush()
    return request
