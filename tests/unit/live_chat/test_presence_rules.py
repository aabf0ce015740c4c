"""Console presence: never offline after opening the console; away when idle, back on activity
only if idle time set it (agents.presence), with a pinned clock."""

from __future__ import annotations

from datetime import timedelta

from chat_widget.agents.presence import IdleWatch, on_console_open
from chat_widget.domain.clock import utcnow
from tests.conftest import ManualClock

IDLE = timedelta(minutes=5)


def test_opening_the_console_makes_an_offline_agent_available_only() -> None:
    assert on_console_open("offline") == "available"
    assert on_console_open("away") is None
    assert on_console_open("available") is None


def test_idle_agent_goes_away_and_comes_back_on_activity(pinned_clock: ManualClock) -> None:
    watch = IdleWatch.start()
    pinned_clock.advance(IDLE - timedelta(seconds=1))
    watch, change = watch.tick("available", IDLE)
    assert change is None
    pinned_clock.advance(timedelta(seconds=1))
    watch, change = watch.tick("available", IDLE)
    assert change == "away" and watch.auto_away
    # Still idle: no second change while away.
    pinned_clock.advance(IDLE)
    watch, change = watch.tick("away", IDLE)
    assert change is None and watch.auto_away
    watch, change = watch.activity("away")
    assert change == "available" and not watch.auto_away
    assert watch.last_activity == utcnow()


def test_activity_keeps_an_agent_available(pinned_clock: ManualClock) -> None:
    watch = IdleWatch.start()
    for _ in range(10):
        pinned_clock.advance(timedelta(minutes=4))
        watch, change = watch.activity("available")
        assert change is None
        watch, change = watch.tick("available", IDLE)
        assert change is None


def test_a_chosen_away_is_never_undone_by_activity(pinned_clock: ManualClock) -> None:
    watch = IdleWatch.start()
    pinned_clock.advance(IDLE)
    watch, change = watch.tick("away", IDLE)  # the agent chose away themselves
    assert change is None
    watch, change = watch.activity("away")
    assert change is None
    # Idle set them away, then they chose "away" again explicitly: theirs now.
    watch, _ = watch.tick("available", timedelta(0))
    assert watch.auto_away
    watch = watch.chosen()
    watch, change = watch.activity("away")
    assert change is None
    # Offline in between ends the automatic state too.
    watch, _ = IdleWatch.start().tick("available", timedelta(0))
    watch, _ = watch.tick("offline", IDLE)
    assert not watch.auto_away
