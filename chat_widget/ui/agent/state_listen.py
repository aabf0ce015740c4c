"""The console tab's push loop: sleep until the bus wakes it, read what ``console_sync.plan``
asks for, assign what changed (``console_view`` builds the rows). One task per console tab."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from functools import partial
from typing import cast

import reflex as rx
from reflex_base.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from chat_widget import live_chat
from chat_widget.domain.models import Message
from chat_widget.live_chat import console_sync as sync
from chat_widget.live_chat import console_view as view
from chat_widget.live_chat import sides
from chat_widget.live_chat.bus import RESYNC, bus
from chat_widget.live_chat.realtime import CustomerMessageNote, agent_receipt_key, notifier
from chat_widget.live_chat.recent import recent_messages
from chat_widget.ui import runtime
from chat_widget.ui.agent.state_base import AgentBase, typing_indicators
from chat_widget.ui.live_push import Liveness, external_writes
from chat_widget.ui.stored_vars import stored

log = logging.getLogger(__name__)


def _read(shown: sync.Shown, plan: sync.Plan, session: Session) -> sides.AgentDelta:
    return sides.agent_delta(
        session=session,
        agent_id=shown.agent_id,
        conversation_id=shown.current,
        after_seq=shown.after,
        queue=plan.queue,
        chats=plan.chats,
        current=plan.current,
    )


def _mark_read(agent_id: str, conversation_id: str, seq: int, session: Session) -> None:
    sides.agent_read(session=session, agent_id=agent_id, conversation_id=conversation_id, seq=seq)


class ListenMixin(AgentBase, mixin=True):
    def _open_chat(self, conversation_id: str) -> EventSpec:
        """The event that opens a routed chat (``AgentState.select_chat``, which the state
        this mixin is part of provides)."""
        raise NotImplementedError

    def _tabs(self) -> list[view.ChatTab]:
        """The chat tabs as stored (``stored_vars``): read, compared by identity, replaced
        whole."""
        return cast("list[view.ChatTab]", stored(self, "chats"))

    def _shown(self, agent_id: str, customer_typing: bool = False) -> sync.Shown:
        """What this tab shows now, for the next pass's plan."""
        return sync.Shown(
            agent_id=agent_id,
            current=self.current_id,
            after=self._last_seq,
            held=[c.conversation_id for c in self._tabs()],
            customer_read=self.customer_read_seq,
            typing=customer_typing,
        )

    @rx.event(background=True)
    async def listen(self) -> AsyncIterator[EventSpec | None]:
        """Push, not poll: sleep until the bus wakes the console, read only the parts the keys
        concern (the queue, the agent's chats, the open conversation's new messages), apply
        them under one state lock. One background task per console tab."""
        async with self:
            self._listen_gen += 1
            gen = self._listen_gen
            agent_id = self._agent_id
            liveness = Liveness(self.router.session.client_token)
            shown = self._shown(agent_id)
        if not agent_id:
            return
        base = sync.base_keys(agent_id)
        sub = bus().subscribe(base)
        external = external_writes()
        dirty: set[str] = {RESYNC}  # the first pass reads everything
        checked = last_full = time.monotonic()
        marked = ("", 0)
        try:
            while True:
                sub.set_keys(base | sync.chat_keys(shown.held, shown.current))
                now = time.monotonic()
                plan = sync.plan(
                    dirty, shown, now=now, checked=checked, last_full=last_full, external=external
                )
                if plan.idle:
                    if liveness.expired():
                        return
                    dirty = await sub.wait(sync.sleep_for(now, checked, last_full, shown.typing))
                    continue
                if plan.full:
                    last_full = now
                handed: list[Message] = []
                if plan.handed:
                    seqs = [n.seq for n in plan.handed]
                    found = recent_messages.after(shown.current, shown.after, seqs)
                    if found is None:
                        plan = sync.read_instead(plan)
                    else:
                        handed = found
                delta: sides.AgentDelta | None = None
                if plan.reads_db:
                    try:
                        delta = await runtime.run_db(partial(_read, shown, plan))
                    except Exception:  # a database hiccup: read everything on the next pass
                        log.exception("console sync failed")
                        last_full = 0.0
                current = shown.current
                customer_typing = (
                    await typing_indicators().is_typing(current, "customer")
                    if plan.typing
                    else False
                )
                to_open = ""
                async with self:
                    if gen != self._listen_gen:
                        return
                    if plan.reauth:
                        checked = time.monotonic()
                        try:
                            agent = await self._require()
                        except SQLAlchemyError:  # database down: check again shortly
                            log.warning("console session check failed", exc_info=True)
                            checked = sync.recheck_soon(checked)
                        else:
                            if agent is None:
                                yield self._to_login()
                                return
                    if delta is not None:
                        to_open = self._apply_delta(delta, current)
                    if handed and self.current_id == current:
                        self._add_to_open_chat(
                            handed, current, wait=delta is None or delta.chats is None
                        )
                    if plan.unread:
                        self._count_unread(plan.unread)
                    if self.current_id == current and self.customer_typing != customer_typing:
                        self.customer_typing = customer_typing
                    read_up_to = self._last_seq if self.current_id == current and current else 0
                    selected = self.current_id != current
                    shown = self._shown(agent_id, customer_typing and not selected)
                mark = sync.to_mark_read(shown.current, read_up_to, marked, selected)
                if mark is not None:
                    try:
                        await runtime.run_db(partial(_mark_read, agent_id, *mark))
                        marked = mark
                        notifier.notify(agent_receipt_key(*mark))
                    except live_chat.LiveChatError:
                        marked = mark
                    except SQLAlchemyError:  # database down: marked on a later pass
                        log.warning("console read receipt failed", exc_info=True)
                if to_open:
                    yield self._open_chat(to_open)
                if liveness.expired():
                    return
                if selected:  # another chat was opened meanwhile: read it at once
                    dirty = {sync.SELECTED} | sub.pending()
                    continue
                dirty = await sub.wait(
                    sync.sleep_for(time.monotonic(), checked, last_full, shown.typing)
                )
        finally:
            sub.close()

    def _add_to_open_chat(self, messages: list[Message], current: str, *, wait: bool) -> None:
        """Show the open chat's new messages (read, or handed over by this process's sends)
        and what follows from them; ``wait``: carry the customer's wait on from them, when
        the chat list was not read in the same pass."""
        self._show(messages)
        if wait:
            tabs = self._tabs()
            chats = view.open_chat_wait(tabs, current, messages)
            if chats is not tabs:
                self.chats = chats
        if messages:
            self._last_seq = max(self._last_seq, messages[-1].seq)
        counts = view.read_in_open_chat(self._unread_counts, current, self._last_seq)
        if counts != self._unread_counts:
            self._unread_counts = counts

    def _count_unread(self, notes: tuple[CustomerMessageNote, ...]) -> None:
        tabs = self._tabs()
        counted = view.count_unread(tabs, self._unread_counts, notes, self.current_id, self.locale)
        if counted.tabs is not tabs:
            self.chats = counted.tabs
            self._unread_counts = counted.counts

    def _apply_delta(self, delta: sides.AgentDelta, current: str) -> str:
        """Assign only what was read and changed (every assignment is pushed to the browser);
        returns a routed chat to open, if any."""
        if delta.presence is not None and delta.presence != self.presence:
            self.presence = delta.presence
        if delta.colleagues is not None:
            people = view.colleague_rows(delta.colleagues)
            if people != self.colleagues:
                self.colleagues = people
        if delta.queue is not None:
            queue = view.queue_rows(self.tr, delta.queue)
            if queue != self.queue:
                self.queue = queue
        to_open = ""
        if delta.chats is not None:
            chats = view.chat_tabs(self.tr, delta.chats, self.current_id, self.locale)
            if chats != self._tabs():
                self.chats = chats
            counts = view.unread_counts(delta.chats)
            if counts != self._unread_counts:
                self._unread_counts = counts
            news = view.assigned(self.tr, delta.chats, self._known_chats, self.current_id)
            self._known_chats = news.known
            if news.text is not None:
                self.assigned_text = news.text
            to_open = news.to_open
        if not self.current_id or self.current_id != current or delta.status is None:
            return to_open
        if delta.status != self.current_status:
            self.current_status = delta.status
        if (delta.language or "") != self.current_language:
            self.current_language = delta.language or ""
        self._add_to_open_chat(delta.messages, current, wait=delta.chats is None)
        if (
            delta.customer_read_seq is not None
            and delta.customer_read_seq != self.customer_read_seq
        ):
            self.customer_read_seq = delta.customer_read_seq
        return to_open
