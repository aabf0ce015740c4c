"""The console push loop's decisions (live_chat.console_sync): what a wake-up reads, when the
session is re-checked, how long the loop sleeps, when the open chat is marked read."""

from __future__ import annotations

from collections.abc import Hashable

from chat_widget.live_chat import console_sync as sync
from chat_widget.live_chat.bus import RESYNC
from chat_widget.live_chat.realtime import (
    QUEUE,
    TYPING_TTL,
    CustomerMessageNote,
    customer_message_key,
    customer_note,
    customer_receipt_key,
    db_key,
    from_customer,
    typing_key,
)

SHOWN = sync.Shown(agent_id="a1", current="c1", after=5, held=["c1", "c2"], customer_read=3)


class _Versions:
    def __init__(self, version: Hashable) -> None:
        self._version = version

    def version(self, conversation_id: str) -> Hashable:
        return self._version


def _plan(dirty: set[str], shown: sync.Shown = SHOWN, **kw: object) -> sync.Plan:
    args: dict[str, object] = {"now": 100.0, "checked": 95.0, "last_full": 90.0, **kw}
    return sync.plan(dirty, shown, **args)  # type: ignore[arg-type]


def test_first_pass_reads_everything() -> None:
    plan = _plan({RESYNC})
    assert plan.full and plan.queue and plan.chats and plan.current and plan.typing
    assert not plan.reauth and not plan.idle


def test_a_queue_change_reads_only_the_queue() -> None:
    plan = _plan({QUEUE})
    assert plan.queue and not (plan.chats or plan.current or plan.typing or plan.full)


def test_news_in_a_held_chat_reads_the_chats_and_the_open_one_reads_its_messages() -> None:
    assert _plan({"c2"}).chats and not _plan({"c2"}).current
    assert _plan({from_customer("c2")}).chats and not _plan({from_customer("c2")}).current
    plan = _plan({"c1"})  # the agent's side of the open chat (a status, a transfer)
    assert plan.chats and plan.current and plan.typing


def test_the_open_chats_customer_side_reads_only_that_chat() -> None:
    """A customer's message or read receipt in the open chat: its messages, not the chat list
    (console_view.open_chat_wait carries the tab's wait on)."""
    plan = _plan({from_customer("c1")})
    assert plan.current and plan.typing
    assert not (plan.chats or plan.queue)


def test_a_noted_customer_message_in_a_held_chat_not_shown_is_counted_without_a_read() -> None:
    plan = _plan({customer_message_key("c2", 9, 1_000), customer_message_key("c2", 8, 900)})
    assert not plan.reads_db and not plan.idle
    assert plan.unread == (CustomerMessageNote("c2", 8, 900), CustomerMessageNote("c2", 9, 1_000))
    # with another key that reads the chats anyway, the read counts them
    both = _plan({customer_message_key("c2", 9, 1_000), "c2"})
    assert both.chats and both.unread == ()
    # a chat the tab does not hold, or one it no longer holds: nothing
    assert _plan({customer_message_key("c9", 1, 1)}).idle


def test_a_customers_read_receipt_in_a_chat_not_shown_changes_nothing() -> None:
    assert _plan({customer_receipt_key("c2")}).idle
    # in the open chat it is read (the tab shows how far the customer read)
    assert _plan({customer_receipt_key("c1")}).current


def test_a_noted_message_in_the_open_chat_is_handed_over_and_read_only_when_it_cannot_be() -> None:
    """The open chat shows the customer's message this process stored (live_chat.recent)
    without a read; when it is not there, ``read_instead`` reads that chat only."""
    plan = _plan({customer_message_key("c1", 7, 1_100), customer_message_key("c1", 6, 1_000)})
    assert plan.handed == (CustomerMessageNote("c1", 6, 1_000), CustomerMessageNote("c1", 7, 1_100))
    assert not plan.reads_db and not plan.idle and plan.unread == ()
    assert plan.typing  # the customer who sent has stopped typing: the indicator is checked
    read = sync.read_instead(plan)
    assert read.current and read.typing and read.handed == ()
    assert not (read.chats or read.queue)
    # a key that reads the open chat anyway: the read shows them, nothing is handed over
    both = _plan({customer_message_key("c1", 6, 1_000), "c1"})
    assert both.current and both.handed == ()
    # the agent's chats changed in the same wake-up (a transfer?): the read decides
    moved = _plan({customer_message_key("c1", 6, 1_000), "agent:a1"})
    assert moved.chats and moved.current and moved.handed == ()


def test_notes_are_read_strictly() -> None:
    assert customer_note(customer_message_key("c2", 3, 44)) == CustomerMessageNote("c2", 3, 44)
    assert customer_note(customer_receipt_key("c2")) == "r"
    for key in (from_customer("c2"), "c2#m3.44", "c2:from-customer#m3", "c2:from-customer#x"):
        assert customer_note(key) is None
    # a note this code does not know reads as the key without it
    assert _plan({from_customer("c2") + "#zz"}).chats


def test_typing_alone_reads_no_database() -> None:
    plan = _plan({typing_key("c1", "customer")})
    assert plan.typing and not plan.reads_db


def test_another_process_write_reads_the_open_chat_only_when_it_moved() -> None:
    same = _Versions((5, 0, 0, 3))
    assert not _plan({db_key("c1")}, external=same).current
    assert _plan({db_key("c1")}, external=_Versions((6, 0, 0, 3))).current
    assert _plan({db_key("c1")}, external=_Versions((5, 0, 0, 4))).current
    assert _plan({db_key("c1")}, external=None).current


def test_session_recheck_and_resync_are_due_by_time() -> None:
    assert _plan(set(), checked=100.0 - sync.REAUTH_SECONDS - 1).reauth
    assert _plan(set(), last_full=100.0 - sync.RESYNC_SECONDS).full
    assert _plan(set()).idle


def test_no_open_chat_reads_no_messages_or_typing() -> None:
    shown = sync.Shown(agent_id="a1", current="", after=0, held=[])
    plan = _plan({RESYNC}, shown)
    assert not plan.current and not plan.typing


def test_keys_cover_held_chats_and_the_open_ones_typing() -> None:
    keys = sync.chat_keys(["c2"], "c1")
    assert {"c2", from_customer("c2"), db_key("c2"), typing_key("c1", "customer")} <= keys
    assert typing_key("c2", "customer") not in keys
    assert sync.base_keys("a1") == {QUEUE, "agent:a1", db_key(QUEUE), db_key("agent:a1")}


def test_sleep_until_the_first_due_check() -> None:
    assert sync.sleep_for(100.0, 100.0, 100.0) == sync.REAUTH_SECONDS
    assert sync.sleep_for(100.0, 100.0, 100.0, typing=True) == TYPING_TTL / 2
    assert sync.sleep_for(100.0, 0.0, 0.0) == 0.05


def test_marks_read_once_and_not_after_another_chat_was_opened() -> None:
    assert sync.to_mark_read("c1", 7, ("", 0), selected=False) == ("c1", 7)
    assert sync.to_mark_read("c1", 7, ("c1", 7), selected=False) is None
    assert sync.to_mark_read("c1", 7, ("", 0), selected=True) is None
    assert sync.to_mark_read("c1", 0, ("", 0), selected=False) is None


def test_a_session_check_the_database_could_not_answer_is_retried_soon_not_at_once() -> None:
    """The console keeps listening through a database outage (test_production's
    PostgreSQL-down journey froze the console when its 20 s check fell in the outage)."""
    now = 1000.0
    checked = sync.recheck_soon(now)
    assert not _plan(set(), now=now + 1, checked=checked, last_full=now).reauth
    later = now + sync.REAUTH_RETRY_SECONDS + 0.01
    assert _plan(set(), now=later, checked=checked, last_full=now).reauth
    assert sync.sleep_for(now, checked, now) == sync.REAUTH_RETRY_SECONDS
