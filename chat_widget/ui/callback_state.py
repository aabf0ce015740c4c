"""The customer's callback request in the widget: the form when live chat is closed (or the
queue is long), then the request's status (sent, taken, done). Thin handlers over
``chat_widget.live_chat.callbacks``.

A state of its own rather than more of ``LiveChatState``: the live chat's delivery path is
busy enough, and a callback outlives any chat (it is left when there is none).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from chat_widget import live_chat
from chat_widget.domain.clock import as_aware, utcnow
from chat_widget.i18n import format_when
from chat_widget.live_chat import callbacks
from chat_widget.live_chat.realtime import QUEUE, notifier
from chat_widget.ui import runtime
from chat_widget.ui.live_push import Liveness
from chat_widget.ui.locale_copy import LocaleCopy
from chat_widget.ui.widget_state import BRIDGE, WidgetState

#: The widget re-reads an open request's status this often (agents work on other workers too).
STATUS_POLL_SECONDS = 15.0
STEPS = ("sent", "taken", "done")


def customer_key(customer_id: str) -> str:
    """The notifier key an agent's action on this customer's request wakes."""
    return f"callback:{customer_id}"


class CallbackState(LocaleCopy, WidgetState):
    cb_status: str = ""  # "" (none yet) | sent | taken | done
    cb_contact: str = ""
    cb_due: str = ""  # the next opening, when left outside hours
    cb_kind: str = "phone"
    cb_error_key: str = ""
    cb_error_field: str = ""
    #: a waiting customer whose queue is too long is offered a callback
    cb_offer: bool = False
    cb_new: bool = False  # "new request" after a done one: show the form again

    _cb_listen_gen: int = 0

    @rx.var
    def bank_phone(self) -> str:
        return runtime.settings().bank_phone

    @rx.var
    def bank_phone_href(self) -> str:
        return "tel:" + "".join(c for c in runtime.settings().bank_phone if c.isdigit() or c == "+")

    @rx.var
    def cb_error(self) -> str:
        return self._texts().get(self.cb_error_key, "") if self.cb_error_key else ""

    @rx.var
    def cb_show_form(self) -> bool:
        return self.cb_status == "" or (self.cb_status == "done" and self.cb_new)

    @rx.var
    def cb_status_text(self) -> str:
        if self.cb_status == "sent":
            key = "callback.status.sent" if self.cb_due else "callback.status.sent_now"
            return self._texts()[key].format(contact=self.cb_contact, when=self.cb_due)
        if self.cb_status in ("taken", "done"):
            texts = self._texts()
            return texts[f"callback.status.{self.cb_status}"].format(contact=self.cb_contact)
        return ""

    @rx.var
    def cb_steps(self) -> list[list[str]]:
        """[label, "step" or ""] per step: aria-current marks where the request is."""
        texts = self._texts()
        return [[texts[f"callback.step.{s}"], "step" if s == self.cb_status else ""] for s in STEPS]

    def _show(self, request: callbacks.CallbackRequest | None) -> None:
        """Assign only what changed: each assignment is pushed to the browser, and the
        listener re-reads every few seconds."""
        status, contact, due = "", self.cb_contact, ""
        if request is not None:
            status, contact = request.status, request.contact
            moment = as_aware(request.due_at)
            later = moment - as_aware(request.created_at) > timedelta(minutes=1)
            due = format_when(moment, self.locale) if later and moment > utcnow() else ""
        if status != self.cb_status:
            self.cb_status = status
        if contact != self.cb_contact:
            self.cb_contact = contact
        if due != self.cb_due:
            self.cb_due = due

    async def _read(self) -> callbacks.CallbackRequest | None:
        customer_id = self._customer_id
        if not customer_id:
            return None
        return await runtime.run_db(
            lambda s: callbacks.current_for_customer(session=s, customer_id=customer_id)
        )

    @rx.event
    async def load(self) -> AsyncIterator[EventSpec | None]:
        """On showing the closed (or long-queue) view: the latest request's status, and a
        listener that follows it while it is open."""
        self._copy_locale()
        self._show(await self._read())
        if self.cb_status in callbacks.OPEN_STATUSES:
            yield CallbackState.follow

    @rx.event
    async def check_queue(self) -> None:
        """On showing the waiting view: offer a callback when the queue is too long."""
        from chat_widget.ui.live_chat_state import LiveChatState

        self._copy_locale()
        chat = await self.get_state(LiveChatState)
        conversation_id = chat._conversation_id
        if not conversation_id:
            self.cb_offer = False
            return
        limit = timedelta(minutes=runtime.settings().callback_queue_minutes)
        try:
            info = await runtime.run_db(
                lambda s: live_chat.queue_info(session=s, conversation_id=conversation_id)
            )
        except live_chat.LiveChatError:
            self.cb_offer = False
            return
        self.cb_offer = callbacks.queue_too_long(info, limit)
        self._show(await self._read())

    @rx.event
    def set_kind(self, value: str) -> None:
        self.cb_kind = value if value in callbacks.CONTACT_KINDS else "phone"
        if self.cb_error_field == "contact":
            self.cb_error_key = self.cb_error_field = ""

    @rx.event
    def start_new(self) -> EventSpec:
        self.cb_new = True
        return rx.call_script(f"{BRIDGE}.focus('cw-cb-contact')")

    @rx.event
    async def submit(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        """Store the request; a refusal keeps everything typed (the form is not reset) and
        says which field to correct, in the customer's language."""
        from chat_widget.ui.live_chat_state import LiveChatState
        from chat_widget.ui.live_status import current_schedule

        self._copy_locale()
        if not self._customer_id:
            return
        kind = str(form.get("contact_kind") or self.cb_kind)
        contact = str(form.get("contact") or "")
        message = str(form.get("message") or "")
        customer_id, locale = self._customer_id, self.locale
        hours = current_schedule()
        self.guard_text = ""

        def work(session: Session) -> callbacks.CallbackResult:
            return callbacks.request_callback(
                session=session,
                customer_id=customer_id,
                locale=locale,
                contact_kind=kind,
                contact=contact,
                message=message,
                hours=hours,
            )

        try:
            result = await runtime.run_db(work)
        except callbacks.InvalidCallback as invalid:
            self.cb_error_key, self.cb_error_field = invalid.key, invalid.field
            target = "cw-cb-message" if invalid.field == "message" else "cw-cb-contact"
            yield rx.call_script(f"{BRIDGE}.focus('{target}')")
            return
        except (live_chat.LiveChatError, SQLAlchemyError):
            self.cb_error_key, self.cb_error_field = "callback.error.failed", ""
            return
        if result.request is None:
            self.cb_error_key = self.cb_error_field = ""
            self.show_guard_block(list(result.blocked_kinds))
            return
        self.cb_error_key = self.cb_error_field = ""
        self.cb_new = False
        self._show(result.request)
        notifier.notify(QUEUE)
        chat = await self.get_state(LiveChatState)
        if chat.phase == "waiting" and chat._conversation_id:
            # Called back instead: the customer no longer waits in the chat queue.
            await self._leave_queue(chat, result.request.message)
        yield rx.call_script(f"{BRIDGE}.focus('cw-cb-status')")
        yield CallbackState.follow

    async def _leave_queue(self, chat: Any, text: str) -> None:
        customer_id, conversation_id = self._customer_id, chat._conversation_id
        try:
            await runtime.run_db(
                lambda s: live_chat.leave_message(
                    session=s,
                    customer_id=customer_id,
                    conversation_id=conversation_id,
                    client_msg_id=f"callback-{conversation_id}",
                    body=text,
                )
            )
        except live_chat.LiveChatError:
            return
        chat.phase = "left"
        notifier.notify(QUEUE, conversation_id)

    @rx.event(background=True)
    async def follow(self) -> AsyncIterator[EventSpec | None]:
        """Keep the shown status current while the request is open and the widget is there."""
        async with self:
            self._cb_listen_gen += 1
            gen = self._cb_listen_gen
            customer_id = self._customer_id
            liveness = Liveness(self.router.session.client_token)
        while customer_id and not liveness.expired():
            await notifier.wait([customer_key(customer_id)], STATUS_POLL_SECONDS)
            try:
                request = await runtime.run_db(
                    lambda s: callbacks.current_for_customer(session=s, customer_id=customer_id)
                )
            except SQLAlchemyError:
                continue
            async with self:
                if gen != self._cb_listen_gen:
                    return
                self._show(request)
                if self.cb_status not in callbacks.OPEN_STATUSES:
                    return
        yield None
