"""Deleting a set of conversations with everything that hangs off them, in foreign-key order.

Shared by the retention purge and by erasure so both remove exactly the same things: messages,
live-chat rows (request, internal notes, read receipts, attachments with their bytes) and the
assistant's review items.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, delete, select

from chat_widget.assistant.records import AssistantReviewItem
from chat_widget.claims.records import Claim
from chat_widget.domain.models import Conversation, Message
from chat_widget.files import BlobStore
from chat_widget.live_chat.attachments import count_conversation_files, erase_conversation_files
from chat_widget.live_chat.records import ChatRequest, InternalNote, ReadState

# Both databases accept far more bound parameters; this keeps statements small and plans stable.
CHUNK = 500


def chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _delete(session: Session, table: Any, column: Any, ids: Sequence[str]) -> int:
    total = 0
    for part in chunks(ids):
        result = session.execute(delete(table).where(col(column).in_(part)))
        total += int(getattr(result, "rowcount", 0) or 0)
    return total


def delete_conversations(
    session: Session, conversation_ids: Sequence[str], *, store: BlobStore
) -> dict[str, int]:
    """Delete the conversations and their dependants; returns rows deleted per kind.

    A kept claim that pointed at one of them loses only the link (its answers are its record).
    Live-chat attachments go with their bytes in ``store`` (``files`` in the result).
    """
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        return {
            "conversations": 0,
            "messages": 0,
            "chat_records": 0,
            "review_items": 0,
            "files": 0,
        }
    files = erase_conversation_files(session=session, store=store, conversation_ids=ids)
    for part in chunks(ids):
        session.execute(
            update(Claim).where(col(Claim.conversation_id).in_(part)).values(conversation_id=None)
        )
    chat_records = _delete(session, ReadState, ReadState.conversation_id, ids)
    chat_records += _delete(session, InternalNote, InternalNote.conversation_id, ids)
    chat_records += _delete(session, ChatRequest, ChatRequest.conversation_id, ids)
    review_items = _delete(session, AssistantReviewItem, AssistantReviewItem.conversation_id, ids)
    messages = _delete(session, Message, Message.conversation_id, ids)
    conversations = _delete(session, Conversation, Conversation.id, ids)
    session.flush()
    # Objects loaded earlier in this session must not be written back by a later flush.
    session.expire_all()
    return {
        "conversations": conversations,
        "messages": messages,
        "chat_records": chat_records,
        "review_items": review_items,
        "files": files,
    }


def _count(session: Session, table: Any, column: Any, ids: Sequence[str]) -> int:
    total = 0
    for part in chunks(ids):
        query = select(func.count()).select_from(table).where(col(column).in_(part))
        total += int(session.exec(query).one())
    return total


def count_conversations(session: Session, conversation_ids: Sequence[str]) -> dict[str, int]:
    """What ``delete_conversations`` would delete, for a dry run."""
    ids = list(dict.fromkeys(conversation_ids))
    return {
        "conversations": len(ids),
        "messages": _count(session, Message, Message.conversation_id, ids),
        "chat_records": sum(
            _count(session, table, table.conversation_id, ids)
            for table in (ReadState, InternalNote, ChatRequest)
        ),
        "review_items": _count(
            session, AssistantReviewItem, AssistantReviewItem.conversation_id, ids
        ),
        "files": count_conversation_files(session=session, conversation_ids=ids),
    }


def delete_by_ids(session: Session, table: Any, ids: Sequence[str]) -> int:
    """Delete rows of a table with an ``id`` primary key."""
    count = _delete(session, table, table.id, list(ids))
    session.flush()
    return count


def ids_where(session: Session, query: Any) -> list[str]:
    return [str(value) for value in session.exec(query).all()]


def conversation_ids_of(session: Session, customer_id: str) -> list[str]:
    return ids_where(
        session, select(Conversation.id).where(Conversation.customer_id == customer_id)
    )
