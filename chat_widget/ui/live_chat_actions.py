"""The customer's actions in a live chat (a mixin of ``LiveChatState``): send, type, leave a
message, go back to the assistant, end, rate, download the transcript, start over."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError

from chat_widget import guard, live_chat
from chat_widget.live_chat.realtime import QUEUE, notifier, typing_key
from chat_widget.live_chat.recent import announce_customer_messages
from chat_widget.live_chat.send_queue import settled_within
from chat_widget.ui import runtime
from chat_widget.ui.chat_items import to_item
from chat_widget.ui.live_chat_base import LiveBase
from chat_widget.ui.live_chat_io import OWN_SENDS, PENDING_AFTER, customer_send, typing_now
from chat_widget.ui.widget_state import WidgetState

log = logging.getLogger(__name__)


class ActionsMixin(LiveBase, mixin=True):
    @rx.event
    async def send(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        text = str(form.get("message") or "").strip()
        client_msg_id = str(form.get("client_msg_id") or "")[:64] or uuid.uuid4().hex
        if not text or not self._conversation_id:
            return
        # Assigned only when set: Reflex pushes every assigned var (and the computed vars
        # that read it) whether or not its value changed.
        if self.guard_text:
            self.guard_text = ""
        if self.error_key:
            self.error_key = ""
        customer_id, conversation_id, locale = self._customer_id, self._conversation_id, self.locale
        storing = customer_send(
            customer_id=customer_id,
            conversation_id=conversation_id,
            client_msg_id=client_msg_id,
            text=text,
            locale=locale,
        )
        # One state update per send: the stored message. Only a send that is not stored
        # within PENDING_AFTER is shown as pending first, so a slow database still answers at once.
        if not await settled_within(storing, PENDING_AFTER):
            self._show_pending(client_msg_id, text, self.locale)
            yield None
        try:
            message, blocked = await storing
        except (live_chat.LiveChatError, ValueError, SQLAlchemyError):
            # Database gone (SQLAlchemyError): not stored, so not shown as sent; the customer
            # is told and sends it again.
            self._merge_transcript([], drop=client_msg_id)
            self.error_key = "chat.error"
            return
        # The pending copy goes and the stored message comes in one assignment.
        stored = [to_item(message, self.locale)] if message is not None else []
        self._merge_transcript(stored, drop=client_msg_id)
        await typing_now().clear(conversation_id, "customer")
        if message is None:
            self.show_guard_block(blocked)
            return
        # ``rx_router_session``, not ``router.session``: ``router`` assembles the whole
        # RouterData (headers, page, url) at every read.
        if message.seq == self._last_seq + 1:  # nothing in between: the listener needs no read
            self._last_seq = message.seq
            OWN_SENDS[(self.rx_router_session.client_token, conversation_id)] = message.seq
        announce_customer_messages(conversation_id, [message])

    @rx.event
    async def typed(self) -> None:
        if self._conversation_id and self.phase == "active":
            if await typing_now().touch(self._conversation_id, "customer"):
                notifier.notify(typing_key(self._conversation_id, "customer"))

    @rx.event
    async def leave_message(self, form: dict[str, Any]) -> None:
        text = str(form.get("message") or "").strip()
        client_msg_id = str(form.get("client_msg_id") or "")[:64] or uuid.uuid4().hex
        if not text or not self._conversation_id:
            return
        stored, blocked = guard.screen(text, self.locale)
        if stored is None:
            self.show_guard_block(blocked)
            return
        customer_id, conversation_id = self._customer_id, self._conversation_id
        try:
            await runtime.run_db(
                lambda s: live_chat.leave_message(
                    session=s,
                    customer_id=customer_id,
                    conversation_id=conversation_id,
                    client_msg_id=client_msg_id,
                    body=stored,
                )
            )
        except live_chat.LiveChatError:
            self.error_key = "chat.error"
            return
        self.phase = "left"
        notifier.notify(QUEUE, conversation_id)

    @rx.event
    async def to_assistant(self) -> AsyncIterator[EventSpec | None]:
        customer_id, conversation_id = self._customer_id, self._conversation_id
        if conversation_id and self.phase == "waiting":
            try:
                await runtime.run_db(
                    lambda s: live_chat.switch_to_assistant(
                        session=s, customer_id=customer_id, conversation_id=conversation_id
                    )
                )
            except live_chat.LiveChatError:
                log.info("switch to assistant: chat no longer waiting")
            notifier.notify(QUEUE, conversation_id)
        self._conversation_id = ""
        self.phase = ""
        yield WidgetState.open_view("assistant")

    @rx.event
    async def end_chat(self) -> None:
        customer_id, conversation_id = self._customer_id, self._conversation_id
        if not conversation_id:
            return
        await runtime.run_db(
            lambda s: live_chat.close_by_customer(
                session=s, conversation_id=conversation_id, customer_id=customer_id
            )
        )
        notifier.notify(QUEUE, conversation_id)
        self.phase = "ended"

    @rx.event
    async def rate(self, value: int) -> None:
        customer_id, conversation_id = self._customer_id, self._conversation_id
        if not conversation_id or not 1 <= int(value) <= 5:
            return
        try:
            await runtime.run_db(
                lambda s: live_chat.rate_chat(
                    session=s,
                    customer_id=customer_id,
                    conversation_id=conversation_id,
                    rating=int(value),
                )
            )
        except (live_chat.LiveChatError, ValueError):
            self.error_key = "chat.error"
            return
        self.rating = int(value)

    @rx.event
    async def download_transcript(self) -> EventSpec | None:
        customer_id, conversation_id = self._customer_id, self._conversation_id
        if not conversation_id:
            return None
        text = await runtime.run_db(
            lambda s: live_chat.customer_transcript(
                session=s, customer_id=customer_id, conversation_id=conversation_id
            )
        )
        return rx.download(data=text, filename="conversation.txt")

    @rx.event
    def new_chat(self) -> None:
        self._conversation_id = ""
        self._set_transcript([])
        self.rating = 0
        self._show_intro_or_closed()
