"""The console's rows (live_chat.console_view): labels in the agent's language, unread counts
off for the open chat, newly routed chats announced and opened when none is open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chat_widget.domain.clock import epoch_ms
from chat_widget.domain.models import Message
from chat_widget.i18n import catalog
from chat_widget.live_chat import console_view as view
from chat_widget.live_chat.canned import CannedReply
from chat_widget.live_chat.context import CustomerContext, EarlierSession
from chat_widget.live_chat.queue import QueueEntry
from chat_widget.live_chat.realtime import CustomerMessageNote
from chat_widget.live_chat.sides import AgentChat

TR = catalog("en")
WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _chat(cid: str, unread: int = 0, topic: str | None = "cards") -> AgentChat:
    return AgentChat(
        conversation_id=cid, language="nl", topic=topic, status="active", unread=unread
    )


def test_topic_label_falls_back_to_the_key_and_a_dash() -> None:
    assert view.topic_label(TR, "cards") == TR["live.topic.cards"]
    assert view.topic_label(TR, "no-such-topic") == "no-such-topic"
    assert view.topic_label(TR, None) == "—"


def test_queue_rows_carry_the_moment_the_customer_asked() -> None:
    entry = QueueEntry("c1", "fr", None, None, WHEN, timedelta(seconds=150), True)
    (row,) = view.queue_rows(TR, [entry])
    assert row.since == int(WHEN.timestamp() * 1000)  # the page counts the wait on from it
    assert row.summary == TR["agent.has_summary"] and row.page == "" and row.topic == "—"


def test_the_open_chat_shows_no_unread_count() -> None:
    chats = [_chat("c1", unread=2), _chat("c2", unread=3)]
    chats[1] = AgentChat("c2", "nl", None, "active", unread=3, waiting_since=WHEN)
    tabs = view.chat_tabs(TR, chats, current_id="c1", locale="en")
    assert tabs[0].unread == "" and tabs[1].unread == "3 new"
    # the count takes the language's plural form
    one = [AgentChat("c2", "fr", None, "active", unread=1)]
    assert view.chat_tabs(TR, one, current_id="c1", locale="fr")[0].unread == "1 nouveau"
    many = [AgentChat("c2", "fr", None, "active", unread=2)]
    assert view.chat_tabs(TR, many, current_id="c1", locale="fr")[0].unread == "2 nouveaux"
    assert tabs[1].label == TR["agent.open_chat"].format(n=2)
    assert tabs[1].waiting_since == epoch_ms(WHEN) and tabs[0].waiting_since == 0


def test_noted_messages_count_unread_as_the_database_would_and_start_the_wait() -> None:
    chats = [
        AgentChat("c1", "nl", None, "active", unread=0, last_seq=4),
        AgentChat("c2", "nl", None, "active", unread=2, waiting_since=WHEN, last_seq=10),
        AgentChat("c3", "nl", None, "active", unread=0, last_seq=7),
    ]
    tabs = view.chat_tabs(TR, chats, current_id="c1", locale="en")
    counts = view.unread_counts(chats)
    notes = (
        CustomerMessageNote("c1", 5, 1),  # the open chat: read with its messages instead
        CustomerMessageNote("c2", 11, 2_000),
        CustomerMessageNote("c2", 12, 3_000),
        CustomerMessageNote("c3", 7, 4_000),  # already counted
        CustomerMessageNote("c3", 9, 5_000),  # seq 8 was the agent's: unread is seq - read
        CustomerMessageNote("c4", 1, 6_000),  # not a chat the tab shows yet
    )
    counted = view.count_unread(tabs, counts, notes, current_id="c1", locale="en")
    assert [t.unread for t in counted.tabs] == ["", "4 new", "2 new"]
    # c2 was already waiting; c3 was answered and waits from the note's time
    assert [t.waiting_since for t in counted.tabs] == [0, epoch_ms(WHEN), 5_000]
    assert counted.counts == {"c1": (4, 0), "c2": (12, 4), "c3": (9, 2)}
    again = view.count_unread(counted.tabs, counted.counts, notes, "c1", "en")
    assert again.tabs is counted.tabs and again.counts == counted.counts


def test_a_chat_the_agent_had_open_counts_on_from_what_it_showed() -> None:
    """Opened with 3 unread, read up to seq 12, then left: its next message is 1 new."""
    counts = view.read_in_open_chat({"c1": (9, 3), "c2": (4, 0)}, "c1", 12)
    assert counts == {"c1": (12, 0), "c2": (4, 0)}
    tabs = [view.ChatTab("c1", "Chat 1", "nl", "—", unread="3 new")]
    counted = view.count_unread(tabs, counts, (CustomerMessageNote("c1", 13, 7),), "c2", "en")
    assert counted.tabs[0].unread == "1 new" and counted.counts["c1"] == (13, 1)


def _said(author: str, minutes: int, seq: int) -> Message:
    return Message(
        conversation_id="c1",
        seq=seq,
        client_msg_id=f"m{seq}",
        author_kind=author,
        body="…",
        created_at=WHEN + timedelta(minutes=minutes),
    )


def test_the_open_chats_wait_follows_the_messages_read_in_it() -> None:
    """The console does not re-read its chat list for a customer's message in the open chat:
    the open tab's wait comes from the messages (the same rule as the database's)."""
    answered = view.chat_tabs(TR, [_chat("c1"), _chat("c2")], current_id="c1", locale="en")
    asked = view.open_chat_wait(answered, "c1", [_said("customer", 2, 7)])
    assert asked[0].waiting_since == epoch_ms(WHEN + timedelta(minutes=2))
    assert asked[1] is answered[1]
    # asking again does not restart the wait; the agent's answer ends it
    again = view.open_chat_wait(asked, "c1", [_said("customer", 5, 8)])
    assert again is asked
    replied = view.open_chat_wait(again, "c1", [_said("system", 6, 9), _said("agent", 7, 10)])
    assert replied[0].waiting_since == 0
    # nothing read, or another chat open: the very same list (nothing is pushed)
    assert view.open_chat_wait(asked, "c1", []) is asked
    assert view.open_chat_wait(answered, "c3", [_said("customer", 2, 7)]) is answered


def test_a_routed_chat_is_announced_and_opened_only_when_none_is_open() -> None:
    chats = [_chat("c1"), _chat("c2")]
    news = view.assigned(TR, chats, known=["c1"], current_id="")
    assert news.known == ["c1", "c2"] and news.to_open == "c2"
    assert news.text == TR["agent.assigned"].format(language="NL", topic=TR["live.topic.cards"])
    busy = view.assigned(TR, chats, known=["c1"], current_id="c1")
    assert busy.text == news.text and busy.to_open == ""
    assert view.assigned(TR, chats, known=["c1", "c2"], current_id="").text is None


def test_context_panel_shows_consented_device_data_and_earlier_sessions() -> None:
    earlier = EarlierSession("e1", "assistant", "closed", WHEN, None, None)
    ctx = CustomerContext(
        "c1", "u1", "fr", "cards", None, None, True, [earlier], {"os": "iOS", "app": ""}
    )
    panel = view.context_view(TR, ctx)
    assert panel.page == "—" and panel.summary == "" and panel.device_text == "os: iOS"
    assert panel.earlier[0].started == "2026-03-02 09:30" and panel.earlier[0].topic == "—"


def test_canned_rows_carry_the_search_text() -> None:
    rows = view.canned_rows([CannedReply(key="hello", text="Bonjour", search="hello bonjour")])
    assert rows == [view.TextRow(id="hello", text="Bonjour", label="hello bonjour")]
    assert view.colleague_rows([("a2", "Bob")]) == [view.TextRow(id="a2", text="Bob")]
