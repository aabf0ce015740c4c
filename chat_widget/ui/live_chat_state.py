"""The customer's live chat view: thin handlers over chat_widget.live_chat.

Delivery: a background listener per open view sleeps until the live bus (``live_chat.bus``)
publishes one of its keys, on any worker, and then reads only its delta (``messages_since``
the last seq, or the read receipt) from the database, so messages arrive in seq order and
nothing is lost across a dropped connection (a reconnect re-runs the page's on_load, which
restarts the listener from the last seq the view holds).

One Reflex state (the browser, ``bench/chat_load.py`` and the e2e tests address it by this
module's and this class's name, a substate of ``WidgetState``), made of mixins by job: vars,
labels and the view merge (``live_chat_base``), the push loop (``live_chat_listen``), the
customer's actions (``live_chat_actions``), files (``live_chat_attach``); opening, resuming
and starting a chat are here. The listener's rules live in ``live_chat.customer_sync``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError

from chat_widget import live_chat
from chat_widget.live_chat import resume, sides
from chat_widget.live_chat.customer_sync import PHASES_BY_STATUS
from chat_widget.live_chat.realtime import QUEUE, notifier
from chat_widget.live_chat.recent import announce_customer_messages
from chat_widget.ui import runtime
from chat_widget.ui.chat_items import to_item
from chat_widget.ui.connection import outbox_ready, outbox_result
from chat_widget.ui.live_chat_actions import ActionsMixin
from chat_widget.ui.live_chat_attach import AttachMixin
from chat_widget.ui.live_chat_io import (
    ATTACH_UPLOAD_ID,
    TOPICS,
    chat_upload_limits,
    customer_view,
    read_chat_file,
    schedule,
    upload_message_id,
)
from chat_widget.ui.live_chat_listen import ListenMixin
from chat_widget.ui.widget_state import BRIDGE, WidgetState

__all__ = [
    "ATTACH_UPLOAD_ID",
    "PHASES_BY_STATUS",
    "TOPICS",
    "LiveChatState",
    "chat_upload_limits",
    "read_chat_file",
    "upload_message_id",
]


class LiveChatState(ListenMixin, ActionsMixin, AttachMixin, WidgetState):
    @rx.event
    async def open_live_chat(self) -> AsyncIterator[EventSpec | None]:
        self.view = "live_chat"
        self._copy_locale()
        self.notice_key = ""
        self.error_key = ""
        yield rx.call_script(f"{BRIDGE}.loadGuard(); {BRIDGE}.focus('cw-view-heading')")
        if not self._customer_id:
            return
        customer_id = self._customer_id
        open_id = await runtime.run_db(
            lambda s: sides.open_chat_id(session=s, customer_id=customer_id)
        )
        if open_id:
            if open_id != self._conversation_id:
                self._reset(open_id)
                # Replay it now (a reload, or a state the server lost): the listener would
                # only start from its first tick, and the outbox needs the chat's status.
                await self._replay(customer_id, open_id)
            self._links_at = 0.0
            self._link_files()
            yield LiveChatState.listen
            if self.phase == "active":  # the chat is back: what was typed offline goes out
                yield outbox_ready("live", LiveChatState.send_queued)
            return
        if self._conversation_id and self.phase in {"ended", "left"}:
            return  # keep the end screen (rating, transcript) until "new chat"
        self._show_intro_or_closed()

    async def _replay(self, customer_id: str, conversation_id: str) -> None:
        try:
            view = await runtime.run_db(
                partial(customer_view, customer_id, conversation_id, self._last_seq)
            )
        except live_chat.LiveChatError:
            return  # the listener reads it again on its first tick
        self._apply(view)

    @rx.event
    def resume(self) -> EventSpec | list[EventSpec] | None:
        """on_load (first load, reload, every reconnect): restart the listener if a chat is on."""
        if (
            self.view == "live_chat"
            and self._conversation_id
            and self.phase
            in {
                "waiting",
                "active",
            }
        ):
            if self.phase == "active":
                return [LiveChatState.listen, outbox_ready("live", LiveChatState.send_queued)]  # type: ignore[return-value]
            return LiveChatState.listen  # type: ignore[return-value]
        return None

    @rx.event
    async def send_queued(self, raw: str) -> EventSpec | None:
        """The browser's outbox after a reconnect: messages typed while offline, sent with
        their original ids (a resend of one that did arrive is the same message)."""
        queued = resume.parse_outbox(raw)
        if not queued or not self._conversation_id or self.phase != "active":
            return outbox_result({q.client_msg_id: "failed" for q in queued})
        customer_id, conversation_id, locale = self._customer_id, self._conversation_id, self.locale
        try:
            results = await runtime.run_db(
                partial(resume.customer_outbox, customer_id, conversation_id, queued, locale)
            )
        except SQLAlchemyError:  # the database is away: nothing stored, the customer retries
            return outbox_result({q.client_msg_id: "failed" for q in queued})
        stored = [r.message for r in results if r.message is not None]
        self._merge_transcript(self._linked([to_item(m, locale) for m in stored]))
        blocked = [k for r in results for k in r.blocked_kinds]
        if blocked:
            self.show_guard_block(blocked)
        announce_customer_messages(conversation_id, stored)
        return outbox_result({r.client_msg_id: r.outcome for r in results})

    @rx.event
    def set_topic_choice(self, value: str) -> None:
        self.topic_choice = value if value in TOPICS else ""

    @rx.event
    async def start(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        if not self._customer_id:
            return
        topic = str(form.get("topic") or "")
        topic = topic if topic in TOPICS else ""
        customer_id, locale, page = self._customer_id, self.locale, self.page_url
        handover = self._handover_from or None
        hours = schedule()
        try:
            conversation_id = await runtime.run_db(
                lambda s: sides.start_chat(
                    session=s,
                    customer_id=customer_id,
                    locale=locale,
                    topic=topic,
                    page_url=page,
                    handover_from=handover,
                    hours=hours,
                )
            )
        except live_chat.ChatUnavailable as exc:
            self.phase = "closed"
            self.closed_lines = live_chat.describe_closed(exc.status, self.locale)
            return
        self._handover_from = ""
        self._reset(conversation_id)
        notifier.notify(QUEUE)
        yield LiveChatState.listen
