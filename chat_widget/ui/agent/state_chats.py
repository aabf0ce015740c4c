"""The console's chats and presence: accept from the queue, open a chat (its side panel,
canned replies, notes, customer pane), and the agent's presence with idle time
(``agents.presence``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget import agents, live_chat
from chat_widget.agents import presence as presence_rules
from chat_widget.agents.presence import IdleWatch
from chat_widget.domain.clock import epoch_ms, utcnow
from chat_widget.live_chat import canned, customer_pane
from chat_widget.live_chat import console_view as view
from chat_widget.live_chat.realtime import QUEUE, notifier
from chat_widget.ui import runtime
from chat_widget.ui.agent.customer_rows import pane_rows
from chat_widget.ui.agent.state_base import AgentBase


class ChatsMixin(AgentBase, mixin=True):
    @rx.event
    async def accept(self, conversation_id: str) -> AsyncIterator[EventSpec | None]:
        if (agent_id := await self._require()) is None:
            yield self._to_login()
            return
        self.error_key = ""
        try:
            won = await runtime.run_db(
                lambda s: live_chat.accept(
                    session=s, agent_id=agent_id, conversation_id=conversation_id
                )
            )
        except live_chat.LiveChatError:
            self.error_key = "agent.action_failed"
            return
        notifier.notify(QUEUE, conversation_id)
        if not won:
            self.error_key = "agent.taken"
            return
        async for event in self._select(agent_id, conversation_id):
            yield event

    @rx.event
    async def select_chat(self, conversation_id: str) -> AsyncIterator[EventSpec | None]:
        if (agent_id := await self._require()) is None:
            yield self._to_login()
            return
        async for event in self._select(agent_id, conversation_id):
            yield event

    async def _select(self, agent_id: str, conversation_id: str) -> AsyncIterator[EventSpec | None]:
        try:
            ctx = await runtime.run_db(
                lambda s: live_chat.customer_context(
                    session=s, agent_id=agent_id, conversation_id=conversation_id
                )
            )
        except live_chat.LiveChatError:
            self.error_key = "agent.action_failed"
            return
        self.current_id = conversation_id
        self.resume_chat = conversation_id
        self.current_language = ctx.language
        self._set_transcript([])
        self._last_seq = 0
        self.transcript_text = ""
        self.transcript_error_key = ""
        self.blocked_text = ""
        panel = view.context_view(self.tr, ctx)
        self.ctx_topic, self.ctx_page, self.ctx_summary = panel.topic, panel.page, panel.summary
        self.ctx_device, self.ctx_device_text = panel.device, panel.device_text
        self.earlier = panel.earlier
        agent, topic = self._first_name, panel.topic if ctx.topic else ""
        replies = await runtime.run_db(
            lambda s: canned.replies_for_chat(
                session=s,
                customer_id=ctx.customer_id,
                language=ctx.language,
                agent=agent,
                topic=topic,
            )
        )
        self.canned = view.canned_rows(replies)
        await self._load_notes(conversation_id)
        await self._load_customer(agent_id, conversation_id)
        await self._load_static()
        notifier.notify(f"agent:{agent_id}")
        yield None

    async def _load_customer(self, agent_id: str, conversation_id: str) -> None:
        overview = await runtime.run_db(
            lambda s: customer_pane.customer_overview(
                session=s, agent_id=agent_id, conversation_id=conversation_id
            )
        )
        identified, claims, meetings = pane_rows(overview, self.locale)
        self.cust_identified = identified
        self.cust_claims = [view.TextRow(id=i, text=t, label=when) for i, t, when in claims]
        self.cust_meetings = [view.TextRow(id=i, text=t, label=when) for i, t, when in meetings]

    # --- presence: chosen, when the console opens, with idle time (agents.presence) ---------

    async def _change_presence(self, agent_id: str, wanted: str | None) -> None:
        value = presence_rules.change(self.presence, wanted)
        if value is None:
            return
        await runtime.run_db(
            lambda s: agents.set_presence(session=s, agent_id=agent_id, presence=value)
        )
        self.presence = value
        notifier.notify(QUEUE)

    @rx.event
    async def set_presence(self, value: str) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        if (chosen := presence_rules.chosen(value)) is None:
            return None
        await runtime.run_db(
            lambda s: agents.set_presence(session=s, agent_id=agent_id, presence=chosen)
        )
        self.presence = chosen
        if self._idle is not None:
            self._idle = self._idle.chosen()
        notifier.notify(QUEUE)
        return None

    @rx.event
    async def console_opened(self) -> None:
        """The chat console is on screen: an offline agent is now available."""
        if (agent_id := await self._require()) is None:
            return
        agent = await runtime.run_db(lambda s: agents.get_agent(session=s, agent_id=agent_id))
        if agent is not None:
            self.presence = agent.presence
        self._idle = IdleWatch.start()
        self.server_now_ms = epoch_ms(utcnow())
        await self._change_presence(agent_id, presence_rules.on_console_open(self.presence))

    @rx.event
    async def console_activity(self) -> None:
        if (agent_id := await self._require()) is None:
            return
        self._idle, change = (self._idle or IdleWatch.start()).activity(self.presence)
        await self._change_presence(agent_id, change)

    @rx.event
    async def console_tick(self) -> None:
        if (agent_id := await self._require()) is None:
            return
        idle_after = timedelta(seconds=runtime.settings().agent_idle_seconds)
        self._idle, change = (self._idle or IdleWatch.start()).tick(self.presence, idle_after)
        await self._change_presence(agent_id, change)
