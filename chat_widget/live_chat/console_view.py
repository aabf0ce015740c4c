"""What the chat console shows, built from what the live chat read: plain rows, labelled in the
agent's language with the console's catalog (``tr``).

The Reflex state only assigns these rows; the rules (how a wait reads, when a tab shows its
unread count, which newly routed chat is announced and opened) live here, so they are unit
tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from chat_widget import i18n
from chat_widget.domain.clock import epoch_ms, from_epoch_ms
from chat_widget.domain.models import Message
from chat_widget.live_chat.canned import CannedReply
from chat_widget.live_chat.context import CustomerContext
from chat_widget.live_chat.queue import QueueEntry
from chat_widget.live_chat.realtime import CustomerMessageNote
from chat_widget.live_chat.sides import AgentChat
from chat_widget.live_chat.waiting import waiting_since

Catalog = Mapping[str, str]


@dataclass
class QueueRow:
    conversation_id: str
    #: when the customer asked (epoch ms): agent-console.js shows the wait in whole minutes
    #: and keeps counting, so it grows without news from the server
    since: int
    topic: str
    language: str
    page: str
    summary: str


@dataclass
class ChatTab:
    conversation_id: str
    label: str
    language: str
    topic: str
    unread: str = ""
    #: epoch ms of the customer's first unanswered message (live_chat.waiting); 0 = answered.
    #: The browser counts from it (assets/agent-console.js), so the wait grows without events.
    waiting_since: int = 0


@dataclass
class TextRow:
    id: str
    text: str
    label: str = ""


@dataclass
class NoteRow:
    id: str
    text: str
    author: str = ""
    #: written with a transfer: what the receiving agent should read first
    handover: bool = False


@dataclass
class EarlierRow:
    conversation_id: str
    channel: str
    started: str
    topic: str
    summary: str


@dataclass(frozen=True)
class ContextView:
    """The side panel of the chat the agent just opened."""

    topic: str
    page: str
    summary: str
    device: bool
    device_text: str
    earlier: list[EarlierRow]


@dataclass(frozen=True)
class Assigned:
    """Chats routing gave the agent since the last read."""

    #: every chat the agent holds now (the next read compares with it)
    known: list[str]
    #: the announcement, or None when nothing new arrived (the last one stays shown)
    text: str | None = None
    #: the chat to open: the first new one when the agent has none open
    to_open: str = ""


def topic_label(tr: Catalog, topic: str | None) -> str:
    if not topic:
        return "—"
    return tr.get(f"live.topic.{topic}", topic)


def queue_rows(tr: Catalog, entries: list[QueueEntry]) -> list[QueueRow]:
    return [
        QueueRow(
            conversation_id=e.conversation_id,
            since=epoch_ms(e.requested_at),
            topic=topic_label(tr, e.topic),
            language=e.language,
            page=e.page_url or "",
            summary=tr["agent.has_summary"] if e.has_handover_summary else "",
        )
        for e in entries
    ]


def chat_tabs(tr: Catalog, chats: list[AgentChat], current_id: str, locale: str) -> list[ChatTab]:
    """One tab per held chat; the open one never shows an unread count."""
    return [
        ChatTab(
            conversation_id=c.conversation_id,
            label=tr["agent.open_chat"].format(n=i + 1),
            language=c.language,
            topic=topic_label(tr, c.topic),
            unread=i18n.tn(locale, "agent.unread", c.unread)
            if c.unread and c.conversation_id != current_id
            else "",
            waiting_since=epoch_ms(c.waiting_since) if c.waiting_since else 0,
        )
        for i, c in enumerate(chats)
    ]


def open_chat_wait(tabs: list[ChatTab], current_id: str, messages: list[Message]) -> list[ChatTab]:
    """The tabs with the open chat's wait carried on from messages just read in it.

    A customer's message in the open chat wakes the console for that chat only
    (``console_sync.plan``): the agent's chats are not read again for it, since the open tab
    shows no unread count and its wait follows from the messages (``waiting.waiting_since``).
    Returns ``tabs`` itself when nothing changed (an assignment is pushed to the browser)."""
    if not messages:
        return tabs
    out = []
    for tab in tabs:
        if tab.conversation_id == current_id:
            before = from_epoch_ms(tab.waiting_since) if tab.waiting_since else None
            since = waiting_since(((m.author_kind, m.created_at) for m in messages), before)
            ms = epoch_ms(since) if since else 0
            if ms != tab.waiting_since:
                tab = replace(tab, waiting_since=ms)
        out.append(tab)
    return out if any(a is not b for a, b in zip(out, tabs, strict=True)) else tabs


@dataclass(frozen=True)
class Counted:
    tabs: list[ChatTab]
    #: per held chat: (its last message seq counted, its unread count)
    counts: dict[str, tuple[int, int]]


def unread_counts(chats: list[AgentChat]) -> dict[str, tuple[int, int]]:
    """What ``count_unread`` starts from after the chats were read."""
    return {c.conversation_id: (c.last_seq, c.unread) for c in chats}


def read_in_open_chat(
    counts: Mapping[str, tuple[int, int]], current_id: str, seq: int
) -> dict[str, tuple[int, int]]:
    """The counts once the open chat shows (and marks read) every message up to ``seq``: when
    the agent turns to another chat, its next noted message counts from there, not from the
    unread count the tab had before the agent opened it."""
    if current_id not in counts:
        return dict(counts)
    return {**counts, current_id: (seq, 0)}


def count_unread(
    tabs: list[ChatTab],
    counts: Mapping[str, tuple[int, int]],
    notes: tuple[CustomerMessageNote, ...],
    current_id: str,
    locale: str,
) -> Counted:
    """The tabs after customers' new messages in chats the agent holds but does not show,
    from the bus's notes alone (``console_sync.plan``): each message after the last seq
    counted adds to the unread count as the database's ``last_seq - read`` would, and a chat
    that was answered starts waiting at the message's time (``live_chat.waiting``). A note
    for a chat not counted yet, or one already counted, changes nothing (the next read of
    the chats shows it). Returns ``tabs`` itself when nothing changed."""
    new = dict(counts)
    since: dict[str, int] = {}
    for note in notes:
        cid = note.conversation_id
        if cid == current_id or cid not in new:
            continue
        last, unread = new[cid]
        if note.seq <= last:
            continue
        new[cid] = (note.seq, unread + note.seq - last)
        since.setdefault(cid, note.at_ms)
    if not since:
        return Counted(tabs, dict(counts))
    out = []
    for tab in tabs:
        cid = tab.conversation_id
        if cid in since:
            tab = replace(
                tab,
                unread=i18n.tn(locale, "agent.unread", new[cid][1]),
                waiting_since=tab.waiting_since or since[cid],
            )
        out.append(tab)
    return Counted(out, new)


def assigned(tr: Catalog, chats: list[AgentChat], known: list[str], current_id: str) -> Assigned:
    """Announce chats that routing gave this agent since the last read, and open the first
    when the agent has none open (they should not have to hunt for it)."""
    ids = [c.conversation_id for c in chats]
    new = [i for i in ids if i not in known and i != current_id]
    if not new:
        return Assigned(known=ids)
    chat = next(c for c in chats if c.conversation_id == new[0])
    text = tr["agent.assigned"].format(
        language=chat.language.upper(), topic=topic_label(tr, chat.topic)
    )
    return Assigned(known=ids, text=text, to_open="" if current_id else new[0])


def context_view(tr: Catalog, ctx: CustomerContext) -> ContextView:
    return ContextView(
        topic=topic_label(tr, ctx.topic),
        page=ctx.page_url or "—",
        summary=ctx.handover_summary or "",
        device=ctx.device_data_visible,
        device_text=" · ".join(f"{k}: {v}" for k, v in ctx.device_data.items() if v),
        earlier=[
            EarlierRow(
                conversation_id=e.conversation_id,
                channel=e.channel,
                started=e.started_at.strftime("%Y-%m-%d %H:%M"),
                topic=topic_label(tr, e.topic),
                summary=e.summary or "",
            )
            for e in ctx.earlier_sessions
        ],
    )


def canned_rows(replies: list[CannedReply]) -> list[TextRow]:
    """label: the folded text the composer's "/" search matches (see live_chat.canned)."""
    return [TextRow(id=r.key, text=r.text, label=r.search) for r in replies]


def colleague_rows(people: list[tuple[str, str]]) -> list[TextRow]:
    return [TextRow(id=i, text=name) for i, name in people]
