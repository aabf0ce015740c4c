"""Slowing down password guessing without letting anyone lock an employee out.

A hard lock after N failures is a denial-of-service tool: anyone who knows a username can keep
that agent out of the console. Instead every failed attempt is counted under three keys and
each key imposes a delay that doubles with its failures:

* the (address, account) pair: the guesser's own attempts on one account; long delays;
* the address: one source trying many accounts; long delays;
* the account, from anywhere: distributed guessing; **short, capped** delays, so the real
  employee, from their own address, waits seconds at most.

While a delay runs, an attempt is answered "wait N seconds" without checking the password (no
oracle, no extra hashing load); such refusals are not failures and do not extend the delay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from chat_widget.agents.records import LoginThrottle
from chat_widget.domain.clock import as_aware, utcnow


@dataclass(frozen=True)
class ThrottlePolicy:
    free_per_pair: int = 3
    free_per_address: int = 10
    free_per_account: int = 5
    base_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=15)
    max_account_delay: timedelta = timedelta(seconds=30)
    forget_after: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class _Key:
    name: str
    free: int
    cap: timedelta


def delay_after(failures: int, *, free: int, base: timedelta, cap: timedelta) -> timedelta:
    """0 for the first ``free`` failures, then base, 2·base, 4·base… up to ``cap``."""
    if failures < free:
        return timedelta(0)
    step = failures - free
    return cap if step >= 40 else min(base * (2**step), cap)


@dataclass
class LoginThrottler:
    """Counts failures and answers how long a new attempt must wait. Commits nothing itself."""

    session: Session
    policy: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    clock: Callable[[], datetime] = utcnow

    def _keys(self, username: str, client: str) -> list[_Key]:
        p = self.policy
        return [
            _Key(f"pair:{client}|{username}", p.free_per_pair, p.max_delay),
            _Key(f"addr:{client}", p.free_per_address, p.max_delay),
            _Key(f"acct:{username}", p.free_per_account, p.max_account_delay),
        ]

    def _row(self, key: str, now: datetime) -> LoginThrottle | None:
        row = self.session.get(LoginThrottle, key)
        if row is not None and now - as_aware(row.last_failure_at) > self.policy.forget_after:
            return None
        return row

    def wait(self, username: str, client: str) -> timedelta:
        """How long until an attempt for ``username`` from ``client`` is heard (0: now)."""
        now = self.clock()
        longest = timedelta(0)
        for key in self._keys(username, client):
            row = self._row(key.name, now)
            if row is None:
                continue
            delay = delay_after(
                row.failures, free=key.free, base=self.policy.base_delay, cap=key.cap
            )
            longest = max(longest, as_aware(row.last_failure_at) + delay - now)
        return longest

    def failed(self, username: str, client: str) -> None:
        now = self.clock()
        for key in self._keys(username, client):
            row = self._row(key.name, now)
            if row is None:
                row = self.session.get(LoginThrottle, key.name) or LoginThrottle(key=key.name)
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            self.session.add(row)
        self.session.flush()

    def succeeded(self, username: str, client: str) -> None:
        """The account and this address's attempts on it start over; the address's count on
        other accounts stays (one valid login must not launder a guessing spree)."""
        for key in self._keys(username, client)[0::2]:
            row = self.session.get(LoginThrottle, key.name)
            if row is not None:
                self.session.delete(row)
        self.session.flush()
