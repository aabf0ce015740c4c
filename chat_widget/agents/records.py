"""Tables of the employee side: accounts, login sessions, login throttling."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import new_id


class Role(StrEnum):
    AGENT = "agent"
    CLAIMS_HANDLER = "claims_handler"
    # Watches the team: the supervisor view (/agent/supervisor).
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Presence(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    OFFLINE = "offline"


class Agent(SQLModel, table=True):
    """A bank employee. ``password_hash`` is None for accounts that only log in through SSO.

    An employee of the identity provider has ``idp_subject`` (``iss`` + ``sub`` of their ID
    tokens) and ``idp_groups``, the group/app-role values of their last sign-in: their
    ``roles`` are always derived from those through the configured map (agents.directory),
    never edited here, so the provider stays the one place that grants access."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    username: str = Field(unique=True, index=True, max_length=64)
    display_name: str = Field(max_length=128)
    first_name: str = Field(max_length=64)
    password_hash: str | None = Field(default=None, max_length=256)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    capacity: int = Field(default=3)
    presence: str = Field(default=Presence.OFFLINE, max_length=16, index=True)
    presence_changed_at: datetime = Field(default_factory=utcnow)
    active: bool = Field(default=True)
    # Created by `seed-demo`: such accounts can never sign in when CW_ENV=production.
    demo: bool = Field(default=False)
    idp_subject: str | None = Field(default=None, unique=True, max_length=300)
    idp_groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AgentSession(SQLModel, table=True):
    """A console login. Only the SHA-256 of the token is stored: a database leak logs no one in."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    agent_id: str = Field(foreign_key="agent.id", index=True, max_length=32)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    absolute_expires_at: datetime
    revoked_at: datetime | None = Field(default=None)
    # The identity provider's session (``sid``): its front/back-channel logout ends this one.
    idp_sid: str | None = Field(default=None, index=True, max_length=200)


class LoginThrottle(SQLModel, table=True):
    """Failed logins under one throttle key (see agents.throttle): an address, an account, or
    the pair. Unknown usernames count too, so the throttle reveals nothing about existence."""

    key: str = Field(primary_key=True, max_length=200)
    failures: int = Field(default=0)
    last_failure_at: datetime = Field(default_factory=utcnow)
