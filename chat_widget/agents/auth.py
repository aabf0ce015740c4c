"""Who is this employee? Behind a small protocol so OIDC / Entra ID can replace passwords.

``PasswordAuthenticator`` checks an Argon2 hash and throttles guessing per username: after
``max_failures`` failures inside ``window`` the username is locked for ``lock_for``. Locked,
unknown and wrong-password attempts all answer None, so the login form says the same thing in
every case and reveals nothing about which usernames exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel import Session

from chat_widget.agents.accounts import get_agent_by_username, normalize_username
from chat_widget.agents.passwords import verify_password
from chat_widget.agents.records import Agent, LoginThrottle
from chat_widget.domain.clock import as_aware, utcnow


class Authenticator(Protocol):
    def authenticate(self, username: str, password: str) -> Agent | None: ...


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)


@dataclass
class PasswordAuthenticator:
    """Commits nothing itself: throttle rows are flushed and committed by the caller's scope."""

    session: Session
    policy: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    clock: Callable[[], datetime] = utcnow

    def locked_until(self, username: str) -> datetime | None:
        row = self.session.get(LoginThrottle, normalize_username(username))
        if row is None or row.locked_until is None:
            return None
        until = as_aware(row.locked_until)
        return until if until > self.clock() else None

    def authenticate(self, username: str, password: str) -> Agent | None:
        name = normalize_username(username)
        if not name or len(name) > 64:
            return None
        if self.locked_until(name) is not None:
            return None
        agent = get_agent_by_username(session=self.session, username=name)
        ok = verify_password(agent.password_hash if agent else None, password)
        if ok and agent is not None and agent.active:
            self._clear(name)
            return agent
        self._fail(name)
        return None

    def _clear(self, name: str) -> None:
        row = self.session.get(LoginThrottle, name)
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    def _fail(self, name: str) -> None:
        now = self.clock()
        row = self.session.get(LoginThrottle, name)
        if row is None:
            row = LoginThrottle(username=name, failures=0, window_started_at=now)
        if now - as_aware(row.window_started_at) > self.policy.window:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= self.policy.max_failures:
            row.locked_until = now + self.policy.lock_for
            row.failures, row.window_started_at = 0, now
        self.session.add(row)
        self.session.flush()
