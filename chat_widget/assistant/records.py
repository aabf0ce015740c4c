"""The assistant's own table: questions it misunderstood, kept for the bank to review.

A separate table rather than ``Message.meta`` so that the review list survives conversation
retention rules and can be exported without scanning every message. Only the masked text is
stored: the point is to add training examples, not to keep card numbers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import new_id


class AssistantReviewItem(SQLModel, table=True):
    __tablename__ = "assistant_review_item"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    conversation_id: str | None = Field(default=None, index=True, max_length=32)
    reason: str = Field(max_length=32, index=True)
    locale: str = Field(max_length=5)
    text: str
    predicted_intent: str | None = Field(default=None, max_length=64)
    confidence: float = Field(default=0.0)
    alternatives: list[list[object]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    reviewed: bool = Field(default=False, index=True)
