"""Picking a conversation up again after the server lost the tab's state.

A restart, a deploy, a dead worker or a reload gives the browser a fresh server-side state:
everything the view held in memory is gone. The conversation itself is in the database and
belongs to the customer (or the agent holding it), not to the tab, so the views rebuild from
here. The browser's hints (the view it showed, the chat an agent had selected, the messages
it kept while offline) are only hints: every one is checked against what this customer or
agent may see, so a forged hint shows nothing that is not theirs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlmodel import Session

from chat_widget.domain.models import Message
from chat_widget.live_chat.errors import LiveChatError
from chat_widget.live_chat.routing import active_chats_for_agent
from chat_widget.live_chat.sides import Sent, agent_send, customer_send, open_chat_id

#: Views the widget reopens by itself; the others (home) need nothing.
RESUMABLE_VIEWS = ("live_chat", "assistant", "claim", "video", "privacy")
#: The outbox holds what one person typed during one outage, not a bulk import.
MAX_QUEUED = 20
MAX_TEXT = 4000
MAX_ID = 64


def widget_view(*, session: Session, customer_id: str, last_view: str) -> str:
    """The view a fresh widget state reopens for ``customer_id``.

    ``last_view`` is the view the tab showed (kept in its session storage). A chat in
    progress wins over the home screen: it is the customer's conversation wherever they
    open the widget again (a reload, another bank page, a restarted server)."""
    if last_view in RESUMABLE_VIEWS:
        return last_view
    if open_chat_id(session=session, customer_id=customer_id):
        return "live_chat"
    return "home"


def console_chat(*, session: Session, agent_id: str, wanted: str) -> str:
    """The chat a fresh console state selects: ``wanted`` (the one the tab had open) if the
    agent still holds it, else the chat they took first, else none."""
    held = [c.id for c in active_chats_for_agent(session=session, agent_id=agent_id)]
    if wanted and wanted in held:
        return wanted
    return held[0] if held else ""


@dataclass(frozen=True)
class QueuedSend:
    """A message typed while the connection was down, sent later with its original id so a
    resend after a half-finished attempt is the same message (``append_message`` is
    idempotent on ``client_msg_id``)."""

    client_msg_id: str
    text: str
    conversation_id: str = ""


def parse_outbox(raw: object) -> list[QueuedSend]:
    """The browser's outbox, cleaned: anything malformed is dropped, never guessed at."""
    if not isinstance(raw, str) or len(raw) > MAX_QUEUED * (MAX_TEXT + 200):
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    queued: list[QueuedSend] = []
    for entry in data[:MAX_QUEUED]:
        if not isinstance(entry, dict):
            continue
        msg_id, text, conv = entry.get("id"), entry.get("text"), entry.get("conv", "")
        if not isinstance(msg_id, str) or not 0 < len(msg_id) <= MAX_ID:
            continue
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            continue
        queued.append(
            QueuedSend(
                msg_id, text.strip(), conv if isinstance(conv, str) and len(conv) <= 64 else ""
            )
        )
    return queued


@dataclass(frozen=True)
class QueuedOutcome:
    """What became of one queued message: ``sent`` (stored, or stored before: the same
    message) or ``failed`` (refused: chat closed, guard block; the browser offers a retry)."""

    client_msg_id: str
    outcome: str
    message: Message | None = None
    blocked_kinds: tuple[str, ...] = ()


def _outcome(q: QueuedSend, send: Callable[[], Sent]) -> QueuedOutcome:
    """One queued send: sent, refused by the guard (with what it found) or refused outright."""
    try:
        sent = send()
    except (LiveChatError, ValueError):
        return QueuedOutcome(q.client_msg_id, "failed")
    if sent.message is None:
        return QueuedOutcome(q.client_msg_id, "failed", None, tuple(sent.blocked_kinds))
    return QueuedOutcome(q.client_msg_id, "sent", sent.message)


def customer_outbox(
    customer_id: str, conversation_id: str, queued: list[QueuedSend], locale: str, session: Session
) -> list[QueuedOutcome]:
    """Send the customer's queued messages in the order they were typed (positional
    ``session`` last: the views run it with ``run_db``)."""
    return [
        _outcome(
            q,
            partial(
                customer_send,
                session=session,
                customer_id=customer_id,
                conversation_id=conversation_id,
                client_msg_id=q.client_msg_id,
                text=q.text,
                locale=locale,
            ),
        )
        for q in queued
    ]


def agent_outbox(
    agent_id: str, current_id: str, queued: list[QueuedSend], locale: str, session: Session
) -> list[QueuedOutcome]:
    """Send an agent's queued replies, each to the chat it was typed in (``agent_send``
    refuses a chat the agent no longer holds)."""
    return [
        _outcome(
            q,
            partial(
                agent_send,
                session=session,
                agent_id=agent_id,
                conversation_id=q.conversation_id or current_id,
                client_msg_id=q.client_msg_id,
                text=q.text,
                locale=locale,
            ),
        )
        for q in queued
    ]
