"""Who is this employee? Behind a small protocol so OIDC / Entra ID can replace passwords.

``PasswordAuthenticator`` checks an Argon2 hash behind the growing-delay throttle of
:mod:`chat_widget.agents.throttle` (never a lock-out). Unknown, inactive and wrong-password
attempts all answer the same refusal, so the login form reveals nothing about which usernames
exist; an attempt made while a delay runs is answered with the time to wait, unheard.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from chat_widget.agents.accounts import get_agent_by_username, normalize_username
from chat_widget.agents.passwords import verify_password
from chat_widget.agents.records import Agent
from chat_widget.agents.throttle import LoginThrottler, ThrottlePolicy
from chat_widget.domain.clock import utcnow


@dataclass(frozen=True)
class LoginOutcome:
    """``agent`` when the credentials are right; ``retry_after`` (s) when the attempt came
    during a throttle delay and was not checked at all."""

    agent: Agent | None
    retry_after: int = 0


class Authenticator(Protocol):
    def authenticate(self, username: str, password: str, client: str) -> LoginOutcome: ...


@dataclass
class PasswordAuthenticator:
    """Commits nothing itself: throttle rows are flushed and committed by the caller's scope.

    ``allow_demo`` is False in production: accounts made by ``seed-demo`` never sign in there."""

    session: Session
    policy: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    clock: Callable[[], datetime] = utcnow
    allow_demo: bool = True

    def authenticate(self, username: str, password: str, client: str = "") -> LoginOutcome:
        name = normalize_username(username)
        if not name or len(name) > 64:
            return LoginOutcome(None)
        client = client[:64] or "unknown"
        throttle = LoginThrottler(self.session, self.policy, self.clock)
        wait = throttle.wait(name, client)
        if wait.total_seconds() > 0:
            return LoginOutcome(None, retry_after=max(1, math.ceil(wait.total_seconds())))
        agent = get_agent_by_username(session=self.session, username=name)
        ok = verify_password(agent.password_hash if agent else None, password)
        if ok and agent is not None and agent.active and (self.allow_demo or not agent.demo):
            throttle.succeeded(name, client)
            return LoginOutcome(agent)
        throttle.failed(name, client)
        return LoginOutcome(None)
