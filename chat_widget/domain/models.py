"""The tables every channel shares.

Ids are random UUID hex strings, never sequential integers, so that an id seen by one customer
says nothing about another's. Channel packages (claims, meetings, live chat…) add their own
tables in their own ``records.py`` on the same ``SQLModel.metadata``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from chat_widget.domain.clock import utcnow


def new_id() -> str:
    return uuid.uuid4().hex


class Channel(StrEnum):
    ASSISTANT = "assistant"
    LIVE_CHAT = "live_chat"
    CLAIM = "claim"
    VIDEO = "video"


class ConversationStatus(StrEnum):
    OPEN = "open"
    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    ASSISTANT = "assistant"
    AGENT = "agent"
    SYSTEM = "system"


class Customer(SQLModel, table=True):
    """A person using the widget: anonymous (a signed browser session) or identified by the bank.

    ``external_ref`` is the bank's customer id taken from a verified identity token; it is what
    lets an identified customer see their history on another device.
    """

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    external_ref: str | None = Field(default=None, unique=True, index=True, max_length=128)
    locale: str = Field(default="fr", max_length=5)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=32)
    channel: str = Field(max_length=16, index=True)
    status: str = Field(default=ConversationStatus.OPEN, max_length=16, index=True)
    locale: str = Field(default="fr", max_length=5)
    topic: str | None = Field(default=None, max_length=64)
    page_url: str | None = Field(default=None, max_length=2048)
    summary: str | None = Field(default=None)
    last_seq: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = Field(default=None)


class Message(SQLModel, table=True):
    """One message. ``seq`` orders a conversation; ``client_msg_id`` makes a resend harmless."""

    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_message_conversation_seq"),
        UniqueConstraint(
            "conversation_id", "client_msg_id", name="uq_message_conversation_client_id"
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    conversation_id: str = Field(foreign_key="conversation.id", index=True, max_length=32)
    seq: int
    client_msg_id: str = Field(max_length=64)
    author_kind: str = Field(max_length=16)
    author_id: str | None = Field(default=None, max_length=64)
    body: str
    meta: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ConsentRecord(SQLModel, table=True):
    """What the customer was shown (notice and its version) and what they chose, when."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=32)
    purpose: str = Field(max_length=32)
    notice_version: str = Field(max_length=32)
    locale: str = Field(max_length=5)
    granted: bool
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Append-only: the migration adds database triggers that refuse UPDATE and DELETE."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_kind: str = Field(max_length=16)
    actor_id: str = Field(max_length=64)
    action: str = Field(max_length=64)
    target_type: str = Field(max_length=32)
    target_id: str = Field(max_length=64, index=True)
    reason: str | None = Field(default=None, max_length=500)
    details: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
