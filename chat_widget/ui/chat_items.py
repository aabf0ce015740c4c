"""Stored messages → what the chat view renders (plain data, text only, never HTML)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chat_widget.domain.models import Message
from chat_widget.i18n import format_clock, french_spacing
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
    # The language the text is in ("" when it is the widget's), for the lang attribute.
    lang: str = ""
    # An offer to show the widget in the language the customer writes in: its own control.
    switch_payload: str = ""
    switch_label: str = ""
    switch_lang: str = ""


def plain(text: str) -> str:
    """Markdown-lite to plain text: bold markers go, line breaks stay (rendered pre-wrap)."""
    return _BOLD.sub(r"\1", text)


SWITCH_PREFIX = "switch_locale:"


def to_item(message: Message, locale: str) -> ChatItem:
    saved = message.meta.get("reply") if message.meta else None
    reply: dict[str, Any] = saved if isinstance(saved, dict) else {}
    attachment = attachment_of(message) or {}
    actions = [a for a in reply.get("actions", []) if isinstance(a, dict)]
    switch = next((a for a in actions if str(a.get("kind", "")).startswith(SWITCH_PREFIX)), None)
    text_lang = str(reply.get("locale") or "")
    # French answers get their no-break spaces here, where they are rendered (the customer's
    # own words are shown exactly as typed).
    french = str(message.author_kind) != "customer" and (text_lang or locale) == "fr"
    typo = french_spacing if french else str
    return ChatItem(
        id=message.id,
        seq=message.seq,
        author=str(message.author_kind),
        text=typo(plain(message.body)),
        time=format_clock(message.created_at, locale),
        label=str(reply.get("automated_label") or ""),
        notice=typo(str(reply.get("notice") or "")),
        quick_replies=[
            QuickReplyItem(label=typo(str(q["label"])), payload=str(q["payload"]))
            for q in reply.get("quick_replies", [])
        ],
        actions=[
            QuickReplyItem(label=typo(str(a["label"])), payload=str(a["kind"]))
            for a in actions
            if a is not switch
        ],
        lang=text_lang if text_lang and text_lang != locale else "",
        switch_payload=str(switch["kind"]) if switch else "",
        switch_label=str(switch.get("label", "")) if switch else "",
        switch_lang=str(switch["kind"]).removeprefix(SWITCH_PREFIX) if switch else "",
        ask_feedback=bool(reply.get("ask_feedback")),
        file_id=str(attachment.get("id") or ""),
        file_name=str(attachment.get("name") or "") if attachment else "",
        file_size=human_size(int(attachment.get("size") or 0), locale) if attachment else "",
    )
