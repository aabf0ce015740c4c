"""Start conversations, append messages idempotently and in order, replay them.

Transactions: ``append_message`` COMMITS the session it is given before returning, because a
message may only be acknowledged to its sender once it is durable. Everything else here only
flushes and leaves the commit to the caller's ``session_scope``.

Ordering: the next ``seq`` is reserved by ``UPDATE conversation SET last_seq = last_seq + 1 …
RETURNING last_seq``. On PostgreSQL that row lock serialises concurrent appenders (other
processes included) until commit; on SQLite the UPDATE takes the database write lock. Either way
the sequence is gap-free and the client-id re-check made under that lock cannot race.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Insert, Integer, Table, Update, bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from chat_widget.conversations.errors import ConversationClosed, ConversationNotFound
from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import AuthorKind, Conversation, ConversationStatus, Message

_MESSAGE: Table = Message.__table__  # type: ignore[attr-defined]

#: Statuses that accept no new text from customers or agents (system notices still go in).
FINISHED_STATUSES = frozenset({ConversationStatus.CLOSED.value, "abandoned"})


def start_conversation(
    *,
    session: Session,
    customer_id: str,
    channel: str,
    locale: str,
    topic: str | None = None,
    page_url: str | None = None,
    status: str = ConversationStatus.OPEN,
) -> Conversation:
    """Create a conversation owned by ``customer_id`` (flushed, not committed)."""
    conversation = Conversation(
        customer_id=customer_id,
        channel=str(channel),
        status=str(status),
        locale=locale,
        topic=topic,
        page_url=page_url,
    )
    session.add(conversation)
    session.flush()
    return conversation


def get_conversation(*, session: Session, conversation_id: str) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def get_conversation_for_customer(
    *, session: Session, customer_id: str, conversation_id: str
) -> Conversation | None:
    """The conversation only if ``customer_id`` owns it: another customer's id gives None (IDOR)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.customer_id != customer_id:
        return None
    return conversation


def conversations_for_customer(
    *, session: Session, customer_id: str, channel: str | None = None
) -> list[Conversation]:
    """The customer's conversations, newest first (history, earlier sessions)."""
    query = select(Conversation).where(Conversation.customer_id == customer_id)
    if channel is not None:
        query = query.where(Conversation.channel == str(channel))
    query = query.order_by(col(Conversation.created_at).desc(), col(Conversation.id))
    return list(session.exec(query).all())


def message_by_client_id(
    *, session: Session, conversation_id: str, client_msg_id: str
) -> Message | None:
    """The message a client already sent under this id, if any (resends must not duplicate)."""
    query = select(Message).where(
        Message.conversation_id == conversation_id, Message.client_msg_id == client_msg_id
    )
    return session.exec(query).first()


@cache
def _bump_statement(by_customer: bool, by_channel: bool) -> Update:
    """``UPDATE conversation SET last_seq = last_seq + :delta … RETURNING``, built once per
    shape: building a statement (coercing its clauses, computing its cache key) cost more CPU
    than running it. Parameter names may not be column names in an UPDATE (SQLAlchemy reserves
    those for the SET clause), hence ``b_``."""
    statement = update(Conversation).where(col(Conversation.id) == bindparam("b_conversation_id"))
    if by_customer:
        statement = statement.where(col(Conversation.customer_id) == bindparam("b_customer_id"))
    if by_channel:
        statement = statement.where(col(Conversation.channel) == bindparam("b_channel"))
    return statement.values(
        last_seq=col(Conversation.last_seq) + bindparam("b_delta", type_=Integer),
        updated_at=bindparam("b_updated_at", type_=Conversation.__table__.c.updated_at.type),  # type: ignore[attr-defined]
    ).returning(col(Conversation.last_seq), col(Conversation.status))


def _bump_seq(
    session: Session,
    conversation_id: str,
    delta: int,
    *,
    customer_id: str | None = None,
    channel: str | None = None,
) -> tuple[int, str] | None:
    """Move ``last_seq`` by ``delta`` under the row lock; ``(new last_seq, status)`` or None.

    ``customer_id``/``channel`` fold the ownership check into the same statement: another
    customer's conversation is simply not found (no separate read, no IDOR)."""
    statement = _bump_statement(customer_id is not None, channel is not None)
    params: dict[str, Any] = {
        "b_conversation_id": conversation_id,
        "b_delta": delta,
        "b_updated_at": utcnow(),
    }
    if customer_id is not None:
        params["b_customer_id"] = customer_id
    if channel is not None:
        params["b_channel"] = channel
    # Core, not the ORM's bulk-update path (40 % of a send's time under load): the one object
    # the session may hold is kept truthful below.
    row = session.connection().execute(statement, params).one_or_none()
    if row is None:
        return None
    seq, status = int(row[0]), str(row[1])
    cached = session.identity_map.get(session.identity_key(Conversation, conversation_id))
    if isinstance(cached, Conversation):
        # Keep the in-session object truthful without marking it dirty (no second UPDATE).
        set_committed_value(cached, "last_seq", seq)
    return seq, status


@cache
def _insert_statement(dialect: str) -> Insert:
    """``INSERT … ON CONFLICT (conversation_id, client_msg_id) DO NOTHING RETURNING id``, built
    once per dialect (see ``_bump_statement``); the values come with each execution."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(_MESSAGE)
        .on_conflict_do_nothing(index_elements=["conversation_id", "client_msg_id"])
        .returning(_MESSAGE.c.id)
    )


def _insert_unless_sent(session: Session, message: Message) -> bool:
    """False when the client already sent this id. One statement instead of a read before
    and under the lock."""
    values = {column.name: getattr(message, column.name) for column in _MESSAGE.columns}
    statement = _insert_statement(session.get_bind().dialect.name)
    return session.connection().execute(statement, values).first() is not None


def append_message(
    *,
    session: Session,
    conversation_id: str,
    client_msg_id: str,
    author_kind: str,
    author_id: str | None,
    body: str,
    meta: Mapping[str, Any] | None = None,
    customer_id: str | None = None,
    channel: str | None = None,
) -> tuple[Message, bool]:
    """Store one message and commit; return ``(message, created)``.

    A second call with the same ``client_msg_id`` returns the stored message with
    ``created=False`` and changes nothing, so a client may resend freely after a dropped
    connection. With ``customer_id`` (and ``channel``) the conversation must be that customer's
    (on that channel), else it is not found. Raises ``ConversationNotFound``, or
    ``ConversationClosed`` for customer/agent/assistant text in a closed or abandoned
    conversation (the session is then rolled back).

    The common path is two statements and the commit: the seq bump (which takes the row or
    database write lock, so ordering is gap-free) and the insert that does nothing on a resend.
    The returned message is not attached to the session: nothing re-reads it after the commit.
    """
    try:
        stored = stage_message(
            session=session,
            conversation_id=conversation_id,
            client_msg_id=client_msg_id,
            author_kind=author_kind,
            author_id=author_id,
            body=body,
            meta=meta,
            customer_id=customer_id,
            channel=channel,
        )
    except ConversationClosed:
        session.rollback()
        raise
    session.commit()
    return stored


def stage_message(
    *,
    session: Session,
    conversation_id: str,
    client_msg_id: str,
    author_kind: str,
    author_id: str | None,
    body: str,
    meta: Mapping[str, Any] | None = None,
    customer_id: str | None = None,
    channel: str | None = None,
) -> tuple[Message, bool]:
    """``append_message`` without the commit, so several messages can share one transaction
    (``live_chat.send_queue``). A message that raises leaves the transaction as it found it:
    the other messages in it stay valid."""
    if not client_msg_id or len(client_msg_id) > 64:
        raise ValueError("client_msg_id must be 1..64 characters")
    bumped = _bump_seq(session, conversation_id, +1, customer_id=customer_id, channel=channel)
    if bumped is None:
        raise ConversationNotFound(conversation_id)
    seq, status = bumped
    # The status read under the lock is authoritative (an object cached in the session may not be).
    if status in FINISHED_STATUSES and author_kind != AuthorKind.SYSTEM:
        _bump_seq(session, conversation_id, -1)
        raise ConversationClosed(conversation_id)
    message = Message(
        conversation_id=conversation_id,
        seq=seq,
        client_msg_id=client_msg_id,
        author_kind=str(author_kind),
        author_id=author_id,
        body=body,
        meta=dict(meta or {}),
    )
    if not _insert_unless_sent(session, message):
        # A resend: give the seq back and answer with what was stored the first time (maybe
        # earlier in this same transaction).
        _bump_seq(session, conversation_id, -1)
        existing = message_by_client_id(
            session=session, conversation_id=conversation_id, client_msg_id=client_msg_id
        )
        if existing is None:  # pragma: no cover - the conflicting row cannot vanish
            raise ConversationNotFound(conversation_id)
        return existing, False
    return message, True


def messages_since(
    *, session: Session, conversation_id: str, after_seq: int = 0, limit: int | None = None
) -> list[Message]:
    """Messages with ``seq > after_seq`` in order: what a reconnecting client missed."""
    query = _since()
    if limit is not None:
        query = query.limit(limit)
    params = {"b_conversation_id": conversation_id, "b_after": after_seq}
    return list(session.exec(query, params=params).all())


@cache
def _since() -> SelectOfScalar[Message]:
    """Built once: every woken view runs it (building cost more CPU than running it)."""
    return (
        select(Message)
        .where(
            col(Message.conversation_id) == bindparam("b_conversation_id"),
            col(Message.seq) > bindparam("b_after"),
        )
        .order_by(col(Message.seq))
    )
