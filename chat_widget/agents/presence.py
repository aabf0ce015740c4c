"""Presence rules of the chat console: where availability starts and how idle time moves it.

* Opening the chat console after a log-in makes an agent who was offline available: having
  to find a select before the first chat arrives was the most common first-day mistake. An
  agent who chose "away" stays away.
* An available agent with no activity in the console (keys, pointer, focus) for
  ``idle_after`` becomes away, so routing stops giving them chats they will not see; the first
  activity afterwards makes them available again, but only when it was this rule that set
  them away, never over their own choice.

The browser reports activity and ticks; the decisions and the clock are here
(``chat_widget.domain.clock``), so tests pin time instead of waiting for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chat_widget.agents.records import Presence
from chat_widget.domain.clock import utcnow

DEFAULT_IDLE_AFTER = timedelta(minutes=5)


def chosen(value: str) -> str | None:
    """The presence an agent picked in the console, or None for anything that is not one."""
    return value if value in {p.value for p in Presence} else None


def change(current: str, wanted: str | None) -> str | None:
    """The presence to store, or None when nothing changes (no write, no notification)."""
    return None if wanted is None or wanted == current else wanted


def on_console_open(current: str) -> str | None:
    """The presence to set when the chat console opens, or None to keep the current one."""
    return Presence.AVAILABLE.value if current == Presence.OFFLINE.value else None


@dataclass(frozen=True)
class IdleWatch:
    """What one console tab knows about its agent's activity."""

    last_activity: datetime
    #: True while "away" was set by :meth:`tick`, not chosen by the agent
    auto_away: bool = False

    @classmethod
    def start(cls, now: datetime | None = None) -> IdleWatch:
        return cls(last_activity=now or utcnow())

    def activity(self, current: str, now: datetime | None = None) -> tuple[IdleWatch, str | None]:
        """The agent did something: back to available if idle time had set them away."""
        moment = now or utcnow()
        if self.auto_away and current == Presence.AWAY.value:
            return IdleWatch(moment), Presence.AVAILABLE.value
        return IdleWatch(moment), None

    def tick(
        self,
        current: str,
        idle_after: timedelta = DEFAULT_IDLE_AFTER,
        now: datetime | None = None,
    ) -> tuple[IdleWatch, str | None]:
        """Periodic check: away once available and idle for ``idle_after``."""
        moment = now or utcnow()
        if current != Presence.AVAILABLE.value:
            # Their own choice (away/offline) from here on: activity must not override it.
            stays_auto = self.auto_away and current == Presence.AWAY.value
            return replace(self, auto_away=stays_auto), None
        if moment - self.last_activity >= idle_after:
            return replace(self, auto_away=True), Presence.AWAY.value
        return self, None

    def chosen(self) -> IdleWatch:
        """The agent picked a presence themselves: no automatic return."""
        return replace(self, auto_away=False)
