"""Live chat tables: the request/claim row per chat, internal notes, read state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import new_id


class LiveChatStatus(StrEnum):
    """Values written to ``Conversation.status`` for live chats."""

    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"
    ABANDONED = "abandoned"  # the customer switched to the assistant while waiting


class ChatRequest(SQLModel, table=True):
    """One per live chat conversation: who asked, who holds it, how it ended, the rating.

    ``agent_id`` is the claim. It is only ever set by a conditional UPDATE
    (``WHERE agent_id IS NULL`` to accept, ``WHERE agent_id = :from`` to transfer), so two
    agents clicking "accept" at once cannot both win.
    """

    conversation_id: str = Field(foreign_key="conversation.id", primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=32)
    language: str = Field(max_length=5, index=True)
    topic: str | None = Field(default=None, max_length=64)
    handover_summary: str | None = Field(default=None)
    source_conversation_id: str | None = Field(default=None, max_length=32)
    requested_at: datetime = Field(default_factory=utcnow, index=True)
    agent_id: str | None = Field(default=None, foreign_key="agent.id", index=True, max_length=32)
    accepted_at: datetime | None = Field(default=None)
    closed_at: datetime | None = Field(default=None, index=True)
    close_reason: str | None = Field(default=None, max_length=32)
    closed_by: str | None = Field(default=None, max_length=64)
    left_message: bool = Field(default=False)
    rating: int | None = Field(default=None)
    rating_comment: str | None = Field(default=None, max_length=1000)
    rated_at: datetime | None = Field(default=None)


class InternalNote(SQLModel, table=True):
    """Agent-only remarks. A separate table, so no message replay can ever leak one to a customer."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    conversation_id: str = Field(foreign_key="conversation.id", index=True, max_length=32)
    agent_id: str = Field(foreign_key="agent.id", max_length=32)
    body: str
    created_at: datetime = Field(default_factory=utcnow)


class ReadState(SQLModel, table=True):
    """The last message seq each participant has seen (drives the read receipts)."""

    conversation_id: str = Field(foreign_key="conversation.id", primary_key=True, max_length=32)
    participant_kind: str = Field(primary_key=True, max_length=16)
    participant_id: str = Field(primary_key=True, max_length=64)
    last_read_seq: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow)


class ChatFile(SQLModel, table=True):
    """A file sent in a live chat; the bytes live in the file store under ``stored_name``.

    ``customer_id`` is the owner (the conversation's customer, whoever sent it): only they get a
    capability link to it. The message that carries it names ``id`` in ``meta["attachment"]``.
    """

    __tablename__ = "chat_file"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    conversation_id: str = Field(foreign_key="conversation.id", index=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=32)
    sender_kind: str = Field(max_length=16)
    original_name: str = Field(max_length=200)
    stored_name: str = Field(unique=True, max_length=64)
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    width: int | None = Field(default=None)
    height: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
