"""Imports every module that declares a table, so metadata (Alembic, create_all) sees them all."""

from __future__ import annotations

from chat_widget.agents import records as agents_records  # noqa: F401
from chat_widget.assistant import records as assistant_records  # noqa: F401
from chat_widget.claims import records as claim_records  # noqa: F401
from chat_widget.domain import models  # noqa: F401
from chat_widget.live_chat import callbacks as live_chat_callbacks  # noqa: F401
from chat_widget.live_chat import records as live_chat_records  # noqa: F401
from chat_widget.meetings import records as meetings_records  # noqa: F401
from chat_widget.privacy import records as privacy_records  # noqa: F401
