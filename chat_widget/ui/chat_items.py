"""Stored messages → what the chat view renders (plain data, text only, never HTML)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chat_widget.domain.models import Message
from chat_widget.i18n import format_clock
from chat_widget.live_chat.attachments import attachment_of, human_size

_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass
class QuickReplyItem:
    label: str
    payload: str


@dataclass
class ChatItem:
    id: str
    seq: int
    author: str  # customer | assistant | agent | system
    text: str
    time: str
    label: str = ""  # "Automated answer" etc., read by screen readers before the text
    notice: str = ""
    quick_replies: list[QuickReplyItem] = field(default_factory=list)
    actions: list[QuickReplyItem] = field(default_factory=list)
    ask_feedback: bool = False
    # A file sent in a live chat: shown as a link instead of ``text``. ``file_url`` is filled
    # by the view that shows it (a customer's capability link, or the console's route).
    file_id: str = ""
    file_name: str = ""
    file_size: str = ""
    file_url: str = ""


def plain(text: str) -> str:
    """Markdown-lite to plain text: bold markers go, line breaks stay (rendered pre-wrap)."""
    return _BOLD.sub(r"\1", text)


def to_item(message: Message, locale: str) -> ChatItem:
    saved = message.meta.get("reply") if message.meta else None
    reply: dict[str, Any] = saved if isinstance(saved, dict) else {}
    attachment = attachment_of(message) or {}
    return ChatItem(
        id=message.id,
        seq=message.seq,
        author=str(message.author_kind),
        text=plain(message.body),
        time=format_clock(message.created_at, locale),
        label=str(reply.get("automated_label") or ""),
        notice=str(reply.get("notice") or ""),
        quick_replies=[
            QuickReplyItem(label=str(q["label"]), payload=str(q["payload"]))
            for q in reply.get("quick_replies", [])
        ],
        actions=[
            QuickReplyItem(label=str(a["label"]), payload=str(a["kind"]))
            for a in reply.get("actions", [])
        ],
        ask_feedback=bool(reply.get("ask_feedback")),
        file_id=str(attachment.get("id") or ""),
        file_name=str(attachment.get("name") or "") if attachment else "",
        file_size=human_size(int(attachment.get("size") or 0), locale) if attachment else "",
    )
