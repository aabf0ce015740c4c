"""The privacy package's own table: technical device data, kept apart from the customer row.

Apart, so that it can only exist next to a consent (it is written by ``consent.store_device_data``
only when the customer's latest choice allows it), and so that retention and erasure can drop it
without touching anything else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import new_id


class DeviceProfile(SQLModel, table=True):
    __tablename__ = "device_profile"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=32)
    collected_at: datetime = Field(default_factory=utcnow, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
