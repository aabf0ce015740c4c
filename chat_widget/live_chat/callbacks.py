"""Callback requests: the customer who cannot chat now leaves a message and how to be reached.

Why: outside opening hours (or when the queue is too long) the closed view promised "leave us a
message" with nothing behind it. A request holds the message (guard-screened like any text),
one validated contact (a phone number or an e-mail address) and the moment it becomes due: the
next opening. Agents see due requests in the console queue, take one (the customer then sees
"taken") and mark it done; the customer sees that status in the widget.

Plain Python over a ``sqlmodel.Session``; functions flush and leave the commit to the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, select

from chat_widget import guard
from chat_widget.domain.clock import as_aware, utcnow
from chat_widget.domain.models import new_id
from chat_widget.i18n import pick_locale
from chat_widget.live_chat.errors import LiveChatError
from chat_widget.live_chat.hours.schedule import OpeningHours, status
from chat_widget.live_chat.queue import QueueInfo

CONTACT_KINDS = ("phone", "email")
MESSAGE_MAX = 2000
#: A wait longer than this (or no agent at all for the language) offers a callback instead.
DEFAULT_QUEUE_LIMIT = timedelta(minutes=15)

_EMAIL = re.compile(
    r"^[^@\s<>\"'(),;:]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
#: What people type between the digits of a phone number.
_PHONE_SEPARATORS = re.compile(r"[\s./()\-]")


class CallbackStatus(StrEnum):
    SENT = "sent"  # waiting for an agent (before opening time: waiting for opening)
    TAKEN = "taken"  # an agent has it in hand
    DONE = "done"  # the agent called or wrote back


OPEN_STATUSES = (CallbackStatus.SENT.value, CallbackStatus.TAKEN.value)


class CallbackRequest(SQLModel, table=True):
    """One callback request. ``due_at`` is when it enters the agents' queue (the next opening
    when it was left outside hours, else at once)."""

    __tablename__ = "callback_request"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=32)
    language: str = Field(max_length=5)
    contact_kind: str = Field(max_length=8)
    contact: str = Field(max_length=254)
    message: str
    status: str = Field(default=CallbackStatus.SENT.value, max_length=8, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    due_at: datetime = Field(default_factory=utcnow, index=True)
    agent_id: str | None = Field(default=None, max_length=32)
    taken_at: datetime | None = Field(default=None)
    done_at: datetime | None = Field(default=None)


class InvalidCallback(LiveChatError):
    """A field the customer must correct; ``field`` names it, ``key`` is the i18n message."""

    def __init__(self, field: str, key: str) -> None:
        super().__init__(f"{field}: {key}")
        self.field = field
        self.key = key


class CallbackNotFound(LiveChatError):
    pass


@dataclass(frozen=True)
class CallbackResult:
    """What ``request_callback`` did: the stored request, or the guard's reasons to refuse."""

    request: CallbackRequest | None
    blocked_kinds: tuple[str, ...] = ()


def normalize_phone(value: str) -> str:
    """A phone number as dialled from Belgium: ``+`` and 8–15 digits (E.164 length).

    Accepts what people type: spaces, dots, slashes, dashes, brackets, a leading ``00`` or a
    national ``0`` (Belgian numbers, then written +32). Raises :class:`InvalidCallback`.
    """
    raw = _PHONE_SEPARATORS.sub("", value.strip())
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    elif raw.startswith("0"):
        raw = "+32" + raw[1:]
    digits = raw[1:] if raw.startswith("+") else ""
    if not digits.isdigit() or not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise InvalidCallback("contact", "callback.error.phone")
    return "+" + digits


def normalize_email(value: str) -> str:
    """A plausible e-mail address (one ``@``, a dotted domain), trimmed; the domain lower-cased."""
    text = value.strip()
    if len(text) > 254 or not _EMAIL.match(text):
        raise InvalidCallback("contact", "callback.error.email")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_contact(kind: str, value: str) -> str:
    if kind not in CONTACT_KINDS:
        raise InvalidCallback("kind", "callback.error.kind")
    if not value.strip():
        raise InvalidCallback("contact", "callback.error.contact_required")
    return normalize_phone(value) if kind == "phone" else normalize_email(value)


def due_time(now: datetime, hours: OpeningHours | None) -> datetime:
    """When a request left at ``now`` reaches the agents: now when open, else the next opening."""
    if hours is None:
        return now
    current = status(now, hours)
    if current.open or current.next_open is None:
        return now
    return as_aware(current.next_open)


def queue_too_long(info: QueueInfo, limit: timedelta = DEFAULT_QUEUE_LIMIT) -> bool:
    """True when a waiting customer should be offered a callback: no agent speaks the chat's
    language right now, or the expected wait is over ``limit``."""
    if info.position is None:
        return False
    return info.expected_wait is None or info.expected_wait > limit


def current_for_customer(*, session: Session, customer_id: str) -> CallbackRequest | None:
    """The customer's latest request (open or done), for the status the widget shows."""
    query = (
        select(CallbackRequest)
        .where(CallbackRequest.customer_id == customer_id)
        .order_by(col(CallbackRequest.created_at).desc(), col(CallbackRequest.id).desc())
    )
    return session.exec(query).first()


def request_callback(
    *,
    session: Session,
    customer_id: str,
    locale: str,
    contact_kind: str,
    contact: str,
    message: str,
    hours: OpeningHours | None,
    now: datetime | None = None,
) -> CallbackResult:
    """Validate, screen and store a callback request (flushed, not committed).

    Raises :class:`InvalidCallback` for a field to correct. A message the guard refuses is
    not stored (``blocked_kinds`` say why). A customer with a request still open gets that one
    back: one callback at a time is what an agent can act on.
    """
    now = now or utcnow()
    text = message.strip()
    if not text:
        raise InvalidCallback("message", "callback.error.message_required")
    if len(text) > MESSAGE_MAX:
        raise InvalidCallback("message", "callback.error.message_long")
    normalized = normalize_contact(contact_kind, contact)
    language = pick_locale(locale)
    stored, blocked = guard.screen(text, language)
    if stored is None:
        return CallbackResult(None, tuple(blocked))
    existing = current_for_customer(session=session, customer_id=customer_id)
    if existing is not None and existing.status in OPEN_STATUSES:
        return CallbackResult(existing)
    request = CallbackRequest(
        customer_id=customer_id,
        language=language,
        contact_kind=contact_kind,
        contact=normalized,
        message=stored,
        created_at=now,
        due_at=due_time(now, hours),
    )
    session.add(request)
    session.flush()
    return CallbackResult(request)


def due_callbacks(
    *,
    session: Session,
    now: datetime | None = None,
    languages: list[str] | None = None,
    hours: OpeningHours | None = None,
) -> list[CallbackRequest]:
    """Open requests whose time has come, oldest first; ``languages`` filters to an agent's.

    Due: the next opening computed when it was left has passed, or (with ``hours``) live chat
    is open now: an admin who opens earlier than planned brings the requests with it.
    """
    now = now or utcnow()
    query = select(CallbackRequest).where(col(CallbackRequest.status).in_(OPEN_STATUSES))
    if hours is None or not status(now, hours).open:
        query = query.where(col(CallbackRequest.due_at) <= now)
    if languages is not None:
        query = query.where(col(CallbackRequest.language).in_(languages))
    return list(
        session.exec(query.order_by(col(CallbackRequest.due_at), col(CallbackRequest.id))).all()
    )


def take_callback(
    *, session: Session, callback_id: str, agent_id: str, now: datetime | None = None
) -> CallbackRequest:
    """An agent takes a sent request (a conditional UPDATE: two agents cannot both take it).

    Taking one the same agent already holds is harmless; one held by a colleague or done
    raises :class:`CallbackNotFound`.
    """
    now = now or utcnow()
    result = session.execute(
        update(CallbackRequest)
        .where(
            col(CallbackRequest.id) == callback_id,
            col(CallbackRequest.status) == CallbackStatus.SENT.value,
        )
        .values(status=CallbackStatus.TAKEN.value, agent_id=agent_id, taken_at=now)
    )
    request = session.get(CallbackRequest, callback_id)
    if request is not None:
        session.refresh(request)
    if request is None or (
        result.rowcount == 0  # type: ignore[attr-defined]
        and not (request.status == CallbackStatus.TAKEN and request.agent_id == agent_id)
    ):
        raise CallbackNotFound(callback_id)
    return request


def finish_callback(
    *, session: Session, callback_id: str, agent_id: str, now: datetime | None = None
) -> CallbackRequest:
    """Mark a request done. An agent may finish one that is sent (called back at once) or that
    they hold; not one a colleague holds (:class:`CallbackNotFound`)."""
    now = now or utcnow()
    request = session.get(CallbackRequest, callback_id)
    if request is None or request.status == CallbackStatus.DONE:
        raise CallbackNotFound(callback_id)
    if request.status == CallbackStatus.TAKEN and request.agent_id != agent_id:
        raise CallbackNotFound(callback_id)
    request.status = CallbackStatus.DONE.value
    request.agent_id = agent_id
    request.taken_at = request.taken_at or now
    request.done_at = now
    session.add(request)
    session.flush()
    return request


def export_for_customer(*, session: Session, customer_id: str) -> list[dict[str, str | None]]:
    """The customer's requests for the privacy export (no agent ids: employees' data)."""
    rows = session.exec(
        select(CallbackRequest)
        .where(CallbackRequest.customer_id == customer_id)
        .order_by(col(CallbackRequest.created_at), col(CallbackRequest.id))
    ).all()
    return [
        {
            "id": r.id,
            "language": r.language,
            "contact_kind": r.contact_kind,
            "contact": r.contact,
            "message": r.message,
            "status": r.status,
            "requested_at": as_aware(r.created_at).isoformat(),
            "due_at": as_aware(r.due_at).isoformat(),
            "done_at": as_aware(r.done_at).isoformat() if r.done_at else None,
        }
        for r in rows
    ]


def erase_for_customer(*, session: Session, customer_id: str) -> int:
    """Delete the customer's requests (erasure); returns how many."""
    rows = list(
        session.exec(select(CallbackRequest).where(CallbackRequest.customer_id == customer_id))
    )
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)
