"""The vars, labels and view merge of ``LiveChatState`` (``ui.live_chat_state``), one Reflex
state made of mixins by job: this base, the push loop (``live_chat_listen``), sending and
closing (``live_chat_actions``), files (``live_chat_attach``). The listener's rules live in
``live_chat.customer_sync``."""

from __future__ import annotations

import dataclasses
import time

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget import live_chat
from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import Message
from chat_widget.live_chat import customer_sync, sides
from chat_widget.live_chat.customer_sync import PHASES_BY_STATUS
from chat_widget.ui import runtime
from chat_widget.ui.chat_items import ChatItem, to_item
from chat_widget.ui.live_chat_io import LINK_REFRESH_SECONDS, TOPICS
from chat_widget.ui.locale_copy import LocaleCopy
from chat_widget.ui.transcript_parts import PART_VARS
from chat_widget.ui.transcript_state import CUSTOMER, TranscriptMixin
from chat_widget.ui.widget_state import BRIDGE, WidgetState
from chat_widget.web.customer_files import CHAT, file_url, mint_file_token


class LiveBase(LocaleCopy, TranscriptMixin, WidgetState, mixin=True):
    phase: str = ""  # closed | intro | waiting | active | ended | left
    closed_lines: list[str] = []
    topic_choice: str = ""
    queue_lines: list[str] = []
    agent_typing: bool = False
    agent_read_seq: int = 0
    rating: int = 0
    error_key: str = ""
    attaching: bool = False
    attach_progress: int = 0
    attach_error: str = ""

    _conversation_id: str = ""
    _last_seq: int = 0
    _listen_gen: int = 0
    _unread: int = 0
    _links_at: float = 0.0

    @rx.var(deps=[*PART_VARS, "agent_read_seq"], auto_deps=False)
    def read_by_agent(self) -> bool:
        mine = self._last_seq_of(CUSTOMER)
        return bool(mine) and self.agent_read_seq >= mine

    @rx.var
    def error_text(self) -> str:
        return self._texts().get(self.error_key, "") if self.error_key else ""

    @rx.var
    def attach_hint(self) -> str:
        mb = runtime.settings().chat_upload_max_bytes / (1024 * 1024)
        return self._texts()["live.attach_hint"].format(max_mb=f"{mb:g}")

    @rx.var
    def topic_options(self) -> list[list[str]]:
        texts = self._texts()
        return [[t, texts[f"live.topic.{t}"]] for t in TOPICS]

    @rx.var
    def rate_labels(self) -> list[str]:
        texts = self._texts()
        return [texts["live.rate_n"].format(n=n) for n in range(1, 6)]

    @rx.var
    def rating_text(self) -> str:
        return self._texts()["live.rated"].format(n=self.rating) if self.rating else ""

    def _reset(self, conversation_id: str) -> None:
        self._conversation_id = conversation_id
        self._last_seq = 0
        self._set_transcript([])
        self.attach_error = ""
        self.rating = 0
        self.agent_read_seq = 0
        self.queue_lines = []
        self.phase = "waiting"

    def _show_intro_or_closed(self) -> None:
        from chat_widget.ui.live_status import live_chat_status

        current = live_chat_status(utcnow())
        if current.open:
            self.phase = "intro"
            self.topic_choice = self.topic if self.topic in TOPICS else ""
            self.closed_lines = []
        else:
            self.phase = "closed"
            self.closed_lines = live_chat.describe_closed(current, self.locale)

    def _apply(self, view: sides.CustomerView) -> list[EventSpec]:
        """Merge a fresh read. Only what changed is assigned: every assignment is a state
        update pushed to the browser (and, with Redis, a state write)."""
        added = self._merge_transcript(
            self._linked([to_item(m, self.locale) for m in view.messages])
        )
        self._link_files()
        shown = {i.id for i in added}
        fresh = [m for m in view.messages if m.id in shown]
        if view.messages:
            self._last_seq = max(self._last_seq, view.messages[-1].seq)
        if self.phase != "left":
            phase = PHASES_BY_STATUS.get(view.status, self.phase)
            if phase != self.phase:
                self.phase = phase
        if self.agent_read_seq != view.agent_read_seq:
            self.agent_read_seq = view.agent_read_seq
        rating = view.rating or self.rating
        if rating != self.rating:
            self.rating = rating
        queue_lines = self._queue_lines(view.queue)
        if queue_lines != self.queue_lines:
            self.queue_lines = queue_lines
        return self._unread_events(fresh)

    def _unread_events(self, fresh: list[Message]) -> list[EventSpec]:
        """Tell the host page how many messages arrived while the widget was closed."""
        incoming = sum(1 for m in fresh if m.author_kind in {"agent", "system"})
        unread = customer_sync.unread_after(self._unread, incoming, self.is_visible)
        if unread is None:
            return []
        self._unread = unread
        return [self._post_unread()]

    def _linked(self, items: list[ChatItem], renew: bool = False) -> list[ChatItem]:
        """``items`` with a capability link for this customer on each file (a new one for
        every file when ``renew``)."""
        secret, customer_id = runtime.settings().secret_key, self._customer_id
        linked = []
        for item in items:
            if item.file_id and (renew or not item.file_url):
                token = mint_file_token(
                    secret=secret, customer_id=customer_id, file_id=item.file_id, kind=CHAT
                )
                item = dataclasses.replace(item, file_url=file_url(item.file_id, token, kind=CHAT))
            linked.append(item)
        return linked

    def _link_files(self) -> None:
        """Renew every file's link before the links expire (new messages are linked as they
        come in, ``_linked``): the only pass over the whole transcript, every few minutes."""
        if time.time() - self._links_at <= LINK_REFRESH_SECONDS:
            return
        self._set_transcript(self._linked(self._transcript(), renew=True))
        self._links_at = time.time()

    def _post_unread(self) -> EventSpec:
        return rx.call_script(f"{BRIDGE}.post('unread', {{count: {int(self._unread)}}})")

    def _queue_lines(self, info: live_chat.QueueInfo | None) -> list[str]:
        return customer_sync.queue_lines(info, self.locale)
