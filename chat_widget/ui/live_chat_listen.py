"""The customer's live chat push loop (a mixin of ``LiveChatState``): sleep until the bus wakes
the view, read what ``live_chat.customer_sync`` says changed, apply it under one state lock."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from functools import partial

import reflex as rx
from reflex_base.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from chat_widget import live_chat
from chat_widget.live_chat import customer_sync, sides
from chat_widget.live_chat.bus import bus
from chat_widget.live_chat.customer_sync import QUEUE_MIN_SECONDS
from chat_widget.live_chat.realtime import (
    QUEUE,
    agent_receipt,
    customer_receipt_key,
    db_key,
    has_receipt,
    notifier,
    read_key,
    typing_key,
    view_key,
)
from chat_widget.ui import runtime
from chat_widget.ui.live_chat_base import LiveBase
from chat_widget.ui.live_chat_io import OWN_SENDS, customer_receipt, customer_view, typing_now
from chat_widget.ui.live_push import Liveness, external_writes
from chat_widget.ui.transcript_state import NOT_CUSTOMER

log = logging.getLogger(__name__)


class ListenMixin(LiveBase, mixin=True):
    @rx.event(background=True)
    async def listen(self) -> AsyncIterator[EventSpec | None]:
        """Push, not poll: sleep until the bus wakes this view, then read only what the key
        says changed (the messages after the last seq, or just the read receipt), apply it
        under one state lock and go back to sleep. One background task per open chat view,
        because Reflex pushes a view's updates from a task bound to it."""
        async with self:
            self._listen_gen += 1
            gen = self._listen_gen
            conversation_id = self._conversation_id
            token = self.router.session.client_token
            liveness = Liveness(token)
            after, phase, agent_read = self._last_seq, self.phase, self.agent_read_seq
            customer_id = self._customer_id
        if not conversation_id:
            return
        # What wakes it: new messages or status (``conversation_id``), the agent's read
        # receipt, the agent typing, the widget opened or closed (read receipt and unread
        # count follow visibility), the queue moving while waiting, and on SQLite other
        # processes' writes (``db:``). The customer's own sends wake the console only.
        cid = conversation_id
        keys = {cid, read_key(cid), typing_key(cid, "agent"), view_key(token), db_key(cid)}
        sub = bus().subscribe(keys | {QUEUE})
        external = external_writes()
        dirty: set[str] = {cid}  # the first pass reads the view (a resume after a reconnect)
        marked = 0
        shown_typing = False
        last_read = last_queue = 0.0
        try:
            while True:
                now = time.monotonic()
                waiting = phase == "waiting"
                read_view = customer_sync.reads_view(
                    dirty, cid, now, last_read, last_queue, waiting
                )
                if not read_view and db_key(cid) in dirty and external is not None:
                    seen = max(after, OWN_SENDS.get((token, cid), 0))
                    read_view = customer_sync.moved_for_customer(
                        external.version(cid), seen, phase, agent_read
                    )
                read_receipt = not read_view and has_receipt(dirty, cid)
                typing_due = typing_key(cid, "agent") in dirty or shown_typing or read_view
                if not (read_view or read_receipt or typing_due or view_key(token) in dirty):
                    if liveness.expired():
                        return
                    timeout = QUEUE_MIN_SECONDS if waiting and QUEUE in dirty else None
                    dirty = await sub.wait(
                        timeout or self._sleep_for(now, last_read, waiting, shown_typing)
                    )
                    continue
                agent_typing = (
                    await typing_now().is_typing(cid, "agent") if typing_due else shown_typing
                )
                view: sides.CustomerView | None = None
                receipt: int | None = None
                try:
                    if read_view:
                        last_read = last_queue = time.monotonic()
                        view = await runtime.run_db(partial(customer_view, customer_id, cid, after))
                    elif read_receipt:
                        # The console notes the seq it marked read: no read, except for a
                        # receipt published without a note (a deployment's older worker).
                        receipt = agent_receipt(dirty, cid)
                        if receipt is None:
                            receipt = await runtime.run_db(
                                partial(customer_receipt, customer_id, cid)
                            )
                except live_chat.ChatNotFound:
                    return
                except Exception:  # a database hiccup: read again on the next wake-up
                    log.exception("live chat sync failed")
                    last_read = 0.0
                events: list[EventSpec] = []
                async with self:
                    if (
                        gen != self._listen_gen
                        or self._conversation_id != cid
                        or self.view != "live_chat"
                    ):
                        return
                    if self.agent_typing != agent_typing:
                        self.agent_typing = agent_typing
                    shown_typing = agent_typing
                    if view is not None:
                        events = self._apply(view)
                    elif receipt is not None and receipt > self.agent_read_seq:
                        self.agent_read_seq = receipt  # receipts only move forward
                    after, phase, agent_read = self._last_seq, self.phase, self.agent_read_seq
                    # Read receipts are for the other side's messages: the customer's own
                    # sends need no receipt write (it was one more commit per message).
                    incoming = self._last_seq_of(NOT_CUSTOMER)
                    visible_seq = self._last_seq if self.is_visible and incoming > marked else 0
                    if view is None and view_key(token) in dirty:
                        events = self._unread_events([])
                for event in events:
                    yield event
                if visible_seq > marked:
                    marked = visible_seq
                    await self._mark_read(cid, customer_id, visible_seq)
                if phase in {"ended", "left"} or liveness.expired():
                    return
                if (QUEUE in sub.keys) != (phase == "waiting"):
                    sub.set_keys(keys | {QUEUE} if phase == "waiting" else keys)
                dirty = await sub.wait(
                    self._sleep_for(time.monotonic(), last_read, waiting, shown_typing)
                )
        finally:
            sub.close()
            OWN_SENDS.pop((token, cid), None)

    @staticmethod
    def _sleep_for(now: float, last_read: float, waiting: bool, typing: bool = False) -> float:
        return customer_sync.sleep_for(now, last_read, waiting, typing)

    async def _mark_read(self, conversation_id: str, customer_id: str, seq: int) -> None:
        def work(s: Session) -> None:
            sides.customer_read(
                session=s, customer_id=customer_id, conversation_id=conversation_id, seq=seq
            )

        try:
            await runtime.run_db(work)
        except live_chat.LiveChatError:
            return
        except SQLAlchemyError:  # database down: the receipt waits for the next one
            log.warning("live chat read receipt failed", exc_info=True)
            return
        notifier.notify(customer_receipt_key(conversation_id))
