"""The console's actions on the open chat: a note, a transfer with a handover note
(``live_chat.handoff``), closing it, opening a transcript (``live_chat.transcripts``)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget import live_chat
from chat_widget.live_chat import handoff
from chat_widget.live_chat.realtime import QUEUE, notifier
from chat_widget.live_chat.transcripts import reason_too_short, transcript_for_console
from chat_widget.ui import runtime
from chat_widget.ui.agent.state_base import AgentBase


class ActionsMixin(AgentBase, mixin=True):
    @rx.event
    async def add_note(self, form: dict[str, Any]) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        body = str(form.get("note") or "").strip()
        conversation_id = self.current_id
        if not body or not conversation_id:
            return None
        await runtime.run_db(
            lambda s: live_chat.add_note(
                session=s, conversation_id=conversation_id, agent_id=agent_id, body=body
            )
        )
        await self._load_notes(conversation_id)
        return None

    @rx.event
    async def transfer(self, form: dict[str, Any]) -> EventSpec | None:
        """To a colleague (``agent:<id>``) or a language queue (``queue:<lang>``), with a note
        the receiving agent reads (live_chat.handoff)."""
        if (agent_id := await self._require()) is None:
            return self._to_login()
        conversation_id = self.current_id
        note = str(form.get("transfer_note") or "")
        try:
            target = handoff.Target.parse(str(form.get("to") or ""))
        except ValueError:
            return None
        if not conversation_id:
            return None
        try:
            await runtime.run_db(
                lambda s: handoff.transfer_chat(
                    session=s,
                    conversation_id=conversation_id,
                    from_agent_id=agent_id,
                    target=target,
                    note=note,
                )
            )
        except live_chat.LiveChatError:
            self.error_key = "agent.action_failed"
            # The note stays in its field (the form is not reset on a failed transfer).
            return rx.set_value("ag-transfer-note", note)
        notifier.notify(conversation_id, f"agent:{target.agent_id}", QUEUE)
        self.current_id = ""
        self._set_transcript([])
        return None

    @rx.event
    async def close_chat(self, form: dict[str, Any]) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        reason = str(form.get("reason") or "")
        conversation_id = self.current_id
        if reason not in live_chat.CLOSE_REASONS or not conversation_id:
            return None
        try:
            await runtime.run_db(
                lambda s: live_chat.close(
                    session=s, conversation_id=conversation_id, agent_id=agent_id, reason=reason
                )
            )
        except live_chat.LiveChatError:
            self.error_key = "agent.action_failed"
            return None
        notifier.notify(conversation_id, QUEUE)
        return None

    @rx.event
    async def open_transcript(self, form: dict[str, Any]) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        reason = str(form.get("reason") or "").strip()
        conversation_id = str(form.get("conversation_id") or "")
        self.transcript_text = ""
        if reason_too_short(reason):  # said at once, without a database round trip
            self.transcript_error_key = "agent.transcript_reason_short"
            return None
        shown = await runtime.run_db(
            lambda s: transcript_for_console(
                session=s, agent_id=agent_id, conversation_id=conversation_id, reason=reason
            )
        )
        self.transcript_error_key, self.transcript_text = shown.error_key, shown.text
        return None
