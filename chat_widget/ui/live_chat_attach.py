"""Files in the customer's live chat (a mixin of ``LiveChatState``): upload progress, the
browser's refusals, and each file checked and posted on its own."""

from __future__ import annotations

from functools import partial
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from chat_widget import live_chat
from chat_widget.files import FileRejected
from chat_widget.live_chat.realtime import notifier
from chat_widget.ui import runtime
from chat_widget.ui.chat_items import to_item
from chat_widget.ui.live_chat_base import LiveBase
from chat_widget.ui.live_chat_io import attach_file, chat_upload_limits, upload_message_id
from chat_widget.ui.widget_state import BRIDGE


class AttachMixin(LiveBase, mixin=True):
    @rx.event
    def attach_progress_changed(self, progress: dict[str, Any]) -> None:
        value = progress.get("progress")
        fraction = float(value) if isinstance(value, int | float) else 0.0
        # The last report may arrive after the file was handled: never stay "attaching".
        self.attaching = fraction < 1.0
        self.attach_progress = max(0, min(100, round(fraction * 100)))

    @rx.event
    def attach_rejected(self, rejected: list[dict[str, Any]]) -> None:
        """The browser refused the drop before sending (several files at once)."""
        self.attach_error = self.tr["live.attach_not_sent"]

    @rx.event
    async def attach(self, files: list[rx.UploadFile]) -> EventSpec | None:
        """Check and post each file on its own; a refusal leaves the chat and composer as they
        were and says why, in the customer's language."""
        self.attaching = False
        self.attach_progress = 0
        if not self._conversation_id or self.phase != "active":
            return None
        limits = chat_upload_limits()
        customer_id, conversation_id, locale = self._customer_id, self._conversation_id, self.locale
        errors: list[str] = []
        for upload in files:
            name = upload.filename or "file"
            # One byte over the limit is enough to refuse it; never read more than that.
            data = await upload.read(limits.max_bytes + 1)
            work = partial(
                attach_file,
                customer_id,
                conversation_id,
                upload_message_id(conversation_id, name, data),
                name,
                data,
                limits,
                locale,
            )
            try:
                message = await runtime.run_db(work)
            except FileRejected as rejected:
                errors.append(rejected.message(locale))
                continue
            except (live_chat.LiveChatError, ValueError):
                errors.append(self.tr["live.attach_failed"])
                continue
            self._merge_transcript(self._linked([to_item(message, locale)]))
            notifier.notify(conversation_id)
        self.attach_error = " ".join(errors)
        if errors:
            return rx.call_script(f"{BRIDGE}.focus('cw-attach-error')")
        return None
