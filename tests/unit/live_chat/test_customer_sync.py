"""The customer listener's rules, with pinned times (no clock, no database)."""

from __future__ import annotations

from datetime import timedelta

from chat_widget.live_chat import customer_sync as sync
from chat_widget.live_chat.bus import RESYNC
from chat_widget.live_chat.queue import QueueInfo
from chat_widget.live_chat.realtime import QUEUE, TYPING_TTL


def test_an_unknown_version_counts_as_moved() -> None:
    assert sync.moved_for_customer(None, 5, "active", 0)
    assert sync.moved_for_customer("x", 5, "active", 0)


def test_only_what_the_customer_did_not_see_counts_as_moved() -> None:
    assert not sync.moved_for_customer((5, "active", 3), 5, "active", 3)
    assert sync.moved_for_customer((6, "active", 3), 5, "active", 3)
    assert sync.moved_for_customer((5, "closed", 3), 5, "active", 3)
    assert sync.moved_for_customer((5, "active", 4), 5, "active", 3)
    assert not sync.moved_for_customer((5, "strange", 3), 5, "active", 3)


def test_news_in_the_chat_or_a_resync_reads_the_view() -> None:
    assert sync.reads_view({"c1"}, "c1", 100.0, 99.0, 99.0, waiting=False)
    assert sync.reads_view({RESYNC}, "c1", 100.0, 99.0, 99.0, waiting=False)
    assert sync.reads_view(set(), "c1", 400.0, 100.0, 100.0, waiting=False)
    assert not sync.reads_view({"other"}, "c1", 100.0, 99.0, 99.0, waiting=False)


def test_queue_moves_are_read_at_most_once_a_second_and_only_while_waiting() -> None:
    assert not sync.reads_view({QUEUE}, "c1", 100.0, 99.5, 99.5, waiting=True)
    assert sync.reads_view({QUEUE}, "c1", 100.0, 99.0, 99.0, waiting=True)
    assert not sync.reads_view({QUEUE}, "c1", 100.0, 90.0, 90.0, waiting=False)
    assert sync.reads_view(set(), "c1", 130.0, 100.0, 100.0, waiting=True)


def test_sleep_until_the_first_thing_due() -> None:
    assert sync.sleep_for(100.0, 100.0, waiting=False) == sync.LIVENESS_SECONDS
    assert sync.sleep_for(100.0, 80.0, waiting=True) == 10.0
    assert sync.sleep_for(100.0, 100.0, waiting=False, typing=True) == min(
        TYPING_TTL / 2, sync.LIVENESS_SECONDS
    )
    assert sync.sleep_for(500.0, 100.0, waiting=False) == 0.05


def _info(position: int | None, wait: timedelta | None) -> QueueInfo:
    return QueueInfo(
        status="waiting",
        position=position,
        waiting_ahead=0,
        available_agents=1,
        expected_wait=wait,
        average_handling_time=timedelta(minutes=5),
    )


def test_queue_lines_say_the_place_and_the_wait() -> None:
    assert sync.queue_lines(None, "en") == []
    assert sync.queue_lines(_info(None, None), "en") == []
    soon = sync.queue_lines(_info(2, timedelta(seconds=30)), "en")
    later = sync.queue_lines(_info(2, timedelta(minutes=4)), "en")
    none = sync.queue_lines(_info(1, None), "fr")
    assert len(soon) == len(later) == len(none) == 2
    assert "2" in soon[0] and "4" in later[1]
    assert soon[1] != later[1]


def test_unread_adds_up_while_closed_and_clears_when_opened() -> None:
    assert sync.unread_after(0, 2, visible=False) == 2
    assert sync.unread_after(2, 1, visible=False) == 3
    assert sync.unread_after(3, 0, visible=True) == 0
    assert sync.unread_after(0, 2, visible=True) is None
    assert sync.unread_after(3, 0, visible=False) is None
