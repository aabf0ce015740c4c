"""The digital assistant's chat view state: thin handlers over chat_widget.assistant.chat."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget.assistant.chat import AssistantChat, TurnOutcome
from chat_widget.assistant.dialogue import switch_locale_of
from chat_widget.live_chat import resume
from chat_widget.ui import runtime
from chat_widget.ui.chat_items import ChatItem, to_item
from chat_widget.ui.connection import outbox_ready, outbox_result
from chat_widget.ui.locale_copy import LocaleCopy
from chat_widget.ui.transcript_parts import PART_VARS
from chat_widget.ui.transcript_state import TranscriptMixin
from chat_widget.ui.widget_state import BRIDGE, WidgetState

log = logging.getLogger(__name__)

ACTION_VIEWS = {
    "handover": "live_chat",
    "open_live_chat": "live_chat",
    "open_mybo": "claim",
    "open_video_booking": "video",
}


@lru_cache(maxsize=1)
def assistant_chat() -> AssistantChat:
    from chat_widget.adapters.llm_client import LlmConfig, OpenAICompatibleClient

    # Only the path in use is imported: with the model's own process the worker never loads
    # the classifier's libraries (numpy, scikit-learn, ONNX Runtime).
    if runtime.settings().assistant_process:
        from chat_widget.assistant.nlu.model_process import classify_in_process as classify
    else:
        from chat_widget.assistant.nlu.classifier import classify_async as classify
    config = LlmConfig.from_env(runtime.settings().extra)
    completer = OpenAICompatibleClient(config) if config else None
    return AssistantChat(
        run_db=runtime.run_db,
        classify=classify,
        completer=completer,
        agent_locale=runtime.settings().default_locale,
    )


class AssistantState(LocaleCopy, TranscriptMixin, WidgetState):
    typing: bool = False
    error_key: str = ""
    loaded: bool = False

    _conversation_id: str = ""
    _failed_text: str = ""

    @rx.var(deps=list(PART_VARS), auto_deps=False)
    def last_seq(self) -> int:
        for part in reversed(self._parts()):
            if part:
                return int(part[-1].seq)
        return -1

    @rx.var
    def error_text(self) -> str:
        return self._texts().get(self.error_key, "") if self.error_key else ""

    @rx.event
    async def open_assistant(self) -> AsyncIterator[EventSpec | None]:
        self.view = "assistant"
        self._copy_locale()
        self.notice_key = ""
        yield rx.call_script(f"{BRIDGE}.loadGuard(); {BRIDGE}.focus('cw-view-heading')")
        if not self._customer_id:
            return
        if not self.loaded:
            conversation_id, messages = await assistant_chat().history(
                customer_id=self._customer_id
            )
            self._conversation_id = conversation_id or ""
            self._set_transcript([to_item(m, self.locale) for m in messages])
            self.loaded = True
        # Back (or reopened after a lost state): what was typed offline goes out now.
        yield outbox_ready("assistant", AssistantState.send_queued)

    @rx.event
    async def send_queued(self, raw: str) -> AsyncIterator[EventSpec | None]:
        """The browser's outbox after a reconnect, in the order typed, with the original ids:
        ``AssistantChat.ask`` answers a resend with the answer it already gave."""
        outcomes: dict[str, str] = {}
        for queued in resume.parse_outbox(raw):
            form = {"message": queued.text, "client_msg_id": queued.client_msg_id}
            async for event in self.send(form):
                yield event
            failed = self.error_key == "chat.error"
            outcomes[queued.client_msg_id] = "failed" if failed else "sent"
            if failed:
                self._failed_text = ""  # the outbox keeps it, with its retry button
        yield outbox_result(outcomes)

    @rx.event
    async def send(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        text = str(form.get("message") or "").strip()
        client_msg_id = str(form.get("client_msg_id") or "")[:64] or uuid.uuid4().hex
        if not text:
            return
        self.guard_text = ""
        self.error_key = ""
        self._show_pending(client_msg_id, text, self.locale)
        self.typing = True
        yield None
        try:
            outcome = await assistant_chat().ask(
                customer_id=self._customer_id,
                conversation_id=self._conversation_id or None,
                text=text,
                client_msg_id=client_msg_id,
                locale=self.locale,
                live_chat_open=self.live_open,
                topic=self.topic or None,
                page_url=self.page_url or None,
            )
        except Exception:  # an outage must not lose the customer's text
            log.exception("assistant turn failed")
            self._merge_transcript([], drop=client_msg_id)
            self._failed_text = text
            self.error_key = "chat.error"
            self.typing = False
            return
        self.typing = False
        self._apply(outcome, drop=client_msg_id)
        if outcome.blocked_kinds:
            self.show_guard_block(list(outcome.blocked_kinds))
        elif outcome.too_long:
            self.error_key = "chat.too_long"

    @rx.event
    async def retry(self) -> AsyncIterator[EventSpec | None]:
        text, self._failed_text = self._failed_text, ""
        if text:
            async for event in self.send({"message": text, "client_msg_id": uuid.uuid4().hex}):
                yield event

    @rx.event
    async def quick_reply(self, payload: str) -> AsyncIterator[EventSpec | None]:
        if not self._conversation_id or not isinstance(payload, str):
            return
        self.typing = True
        yield None
        outcome = await assistant_chat().choose(
            customer_id=self._customer_id,
            conversation_id=self._conversation_id,
            payload=payload[:100],
            locale=self.locale,
            live_chat_open=self.live_open,
        )
        self.typing = False
        self._apply(outcome)

    @rx.event
    async def feedback(self, helpful: bool) -> AsyncIterator[EventSpec | None]:
        if not self._conversation_id:
            return
        self._set_transcript(
            [
                ChatItem(**{**vars(i), "ask_feedback": False}) if i.ask_feedback else i
                for i in self._transcript()
            ]
        )
        yield None
        outcome = await assistant_chat().feedback(
            customer_id=self._customer_id,
            conversation_id=self._conversation_id,
            helpful=helpful,
            locale=self.locale,
            live_chat_open=self.live_open,
        )
        self._apply(outcome)

    @rx.event
    def take_action(self, kind: str) -> EventSpec | list[EventSpec] | None:
        locale = switch_locale_of(kind)
        if locale is not None:
            return self._apply_locale(locale)
        view = ACTION_VIEWS.get(kind)
        if view is None:
            return None
        if kind in {"handover", "open_live_chat"} and self._conversation_id:
            self._handover_from = self._conversation_id
        return WidgetState.open_view(view)

    def _apply(self, outcome: TurnOutcome, drop: str = "") -> None:
        """Show the turn's messages; ``drop`` is the pending copy they replace (one
        assignment for both, so one push)."""
        if outcome.conversation_id:
            self._conversation_id = outcome.conversation_id
        self._merge_transcript([to_item(m, self.locale) for m in outcome.messages], drop=drop)
