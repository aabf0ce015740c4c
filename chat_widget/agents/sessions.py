"""Console sessions: opaque random tokens, sliding idle expiry capped by an absolute maximum."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from chat_widget.agents.errors import NotAuthenticated, NotAuthorized
from chat_widget.agents.records import Agent, AgentSession
from chat_widget.domain.clock import as_aware, utcnow


@dataclass(frozen=True)
class SessionPolicy:
    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_max: timedelta = timedelta(hours=10)
    #: The expiry slides only when the last slide is older than this. Every console event and
    #: each open tab's re-check (every 20 s) resolves the session; writing each time was a
    #: committed write per check (200 consoles: 10 a second, each taking SQLite's write lock
    #: from the customers' sends) for a precision nobody needs: the idle expiry is at most
    #: this much earlier than an exact slide.
    touch_after: timedelta = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_agent_session(
    *,
    session: Session,
    agent: Agent,
    policy: SessionPolicy | None = None,
    now: datetime | None = None,
    idp_sid: str | None = None,
) -> str:
    """Start a session and return the token (shown once; only its hash is stored).

    ``idp_sid``: the identity provider's session it was opened under (its logout ends it)."""
    policy = policy or SessionPolicy()
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    absolute = now + policy.absolute_max
    session.add(
        AgentSession(
            agent_id=agent.id,
            token_hash=_hash(token),
            created_at=now,
            last_seen_at=now,
            expires_at=min(now + policy.idle_timeout, absolute),
            absolute_expires_at=absolute,
            idp_sid=idp_sid[:200] if idp_sid else None,
        )
    )
    session.flush()
    return token


def resolve_agent_session(
    *,
    session: Session,
    token: str | None,
    policy: SessionPolicy | None = None,
    now: datetime | None = None,
) -> Agent | None:
    """The agent behind a live token, sliding its expiry (at most once per
    ``policy.touch_after``); None if unknown/expired/revoked."""
    if not token:
        return None
    policy = policy or SessionPolicy()
    now = now or utcnow()
    row = session.exec(select(AgentSession).where(AgentSession.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    absolute = as_aware(row.absolute_expires_at)
    if now >= as_aware(row.expires_at) or now >= absolute:
        return None
    agent = session.get(Agent, row.agent_id)
    if agent is None or not agent.active:
        return None
    if now - as_aware(row.last_seen_at) >= policy.touch_after:
        row.last_seen_at = now
        row.expires_at = min(now + policy.idle_timeout, absolute)
        session.add(row)
        session.flush()
    return agent


def revoke_agent_session(*, session: Session, token: str, now: datetime | None = None) -> bool:
    row = session.exec(select(AgentSession).where(AgentSession.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now or utcnow()
    session.add(row)
    session.flush()
    return True


def revoke_all_agent_sessions(
    *, session: Session, agent_id: str, now: datetime | None = None
) -> int:
    """Log an agent out everywhere (password change, deactivation). Returns sessions revoked."""
    rows = session.exec(
        select(AgentSession).where(
            AgentSession.agent_id == agent_id, col(AgentSession.revoked_at).is_(None)
        )
    ).all()
    stamp = now or utcnow()
    for row in rows:
        row.revoked_at = stamp
        session.add(row)
    session.flush()
    return len(rows)


def require_role(
    *,
    session: Session,
    session_token: str | None,
    role: str,
    policy: SessionPolicy | None = None,
    now: datetime | None = None,
) -> Agent:
    """The logged-in agent if they hold ``role``; call it in every /agent page and event."""
    agent = resolve_agent_session(session=session, token=session_token, policy=policy, now=now)
    if agent is None:
        raise NotAuthenticated("no valid console session")
    if str(role) not in agent.roles:
        raise NotAuthorized(f"role {role} required")
    return agent
