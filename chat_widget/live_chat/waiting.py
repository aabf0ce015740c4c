"""How long a customer in a held chat has waited for an answer (the console's "my conversations").

The rule: the customer waits from their first message that no answer followed; an agent's (or
the assistant's) message answers everything before it, so once the agent wrote last there is
no wait to show. System lines (joined, transferred) answer nothing. Measured from the first
unanswered message, not the newest: a customer who asks again after five silent minutes has
waited five minutes, not a few seconds.

The console shows the moment (``waiting_since``) and the browser counts from it, so the shown
wait grows without reading the database again; "now" on the server is ``domain.clock``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import BindParameter, bindparam, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from chat_widget.domain.clock import as_aware
from chat_widget.domain.models import AuthorKind, Message

#: Messages that answer the customer.
ANSWERS = frozenset({AuthorKind.AGENT.value, AuthorKind.ASSISTANT.value})


def waiting_since(
    messages: Iterable[tuple[str, datetime]], since: datetime | None = None
) -> datetime | None:
    """The moment of the first unanswered customer message, or None when nothing is unanswered.

    ``messages`` are (author kind, created at) in conversation order; ``since`` is the wait
    before them (the console carries the open chat's wait on from the messages it just read)."""
    for author, at in messages:
        if author in ANSWERS:
            since = None
        elif author == AuthorKind.CUSTOMER.value and since is None:
            since = as_aware(at)
    return since


def waiting_since_by_chat(
    *, session: Session, conversation_ids: Sequence[str]
) -> dict[str, datetime]:
    """:func:`waiting_since` for each chat that has a customer waiting, in one query that
    returns one row per waiting chat: the earliest customer message after the chat's last
    answer. (It returned every message after the last answer, for Python to walk: a customer
    nobody had answered yet brought their whole chat back at every console read, and under
    load the consoles' reads were the server's largest cost.)"""
    if not conversation_ids:
        return {}
    rows = session.exec(_waits(), params={"b_ids": list(conversation_ids)}).all()
    return {cid: as_aware(at) for cid, at in rows if at is not None}


@cache
def _waits() -> Select[str, datetime]:
    """Built once, run with the chats' ids (building the statement cost more CPU than running it)."""
    ids: BindParameter[list[str]] = bindparam("b_ids", expanding=True)
    last_answer = (
        select(
            col(Message.conversation_id).label("cid"),
            func.max(Message.seq).label("seq"),
        )
        .where(
            col(Message.conversation_id).in_(ids),
            col(Message.author_kind).in_(sorted(ANSWERS)),
        )
        .group_by(col(Message.conversation_id))
        .subquery()
    )
    return (
        select(Message.conversation_id, func.min(Message.created_at))
        .outerjoin(last_answer, last_answer.c.cid == col(Message.conversation_id))
        .where(
            col(Message.conversation_id).in_(ids),
            col(Message.author_kind) == AuthorKind.CUSTOMER.value,
            col(Message.seq) > func.coalesce(last_answer.c.seq, 0),
        )
        .group_by(col(Message.conversation_id))
    )
