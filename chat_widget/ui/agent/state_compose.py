"""The console's composer: a reply, replies queued while offline, a canned reply, typing,
a file (``live_chat.attachments``, the customers' checks). Text is checked by the privacy
guard on the way out (``sides.agent_send``); a blocked reply is given back to correct."""

from __future__ import annotations

import hashlib
import uuid
from functools import partial
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from chat_widget import live_chat
from chat_widget.domain.models import Message
from chat_widget.files import FileRejected, UploadLimits
from chat_widget.guard.explain import explain
from chat_widget.live_chat import attachments, resume, sides
from chat_widget.live_chat.realtime import notifier, typing_key
from chat_widget.ui import runtime
from chat_widget.ui.agent.state_base import AgentBase, typing_indicators
from chat_widget.ui.connection import outbox_result


class ComposeMixin(AgentBase, mixin=True):
    async def _post(self, agent_id: str, text: str, client_msg_id: str) -> None:
        conversation_id = self.current_id
        if not conversation_id or not text.strip():
            return
        self.blocked_text = ""
        self.error_key = ""
        try:
            sent = await runtime.run_db(
                lambda s: sides.agent_send(
                    session=s,
                    agent_id=agent_id,
                    conversation_id=conversation_id,
                    client_msg_id=client_msg_id,
                    text=text,
                    locale=self.current_language or self.locale,
                )
            )
        except (live_chat.LiveChatError, ValueError):
            self.error_key = "agent.action_failed"
            return
        await typing_indicators().clear(conversation_id, "agent")
        if sent.message is None:
            # The customer's own explanation, in the console's language (guard.explain).
            self.blocked_text = explain(sent.blocked_kinds or ["password"], self.locale)
            return
        self._show([sent.message])
        notifier.notify(conversation_id)

    @rx.event
    async def send(self, form: dict[str, Any]) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        text = str(form.get("message") or "").strip()
        client_msg_id = str(form.get("client_msg_id") or "")[:64] or uuid.uuid4().hex
        await self._post(agent_id, text, client_msg_id)
        if self.blocked_text:
            # The form was reset on submit: give the agent their text back to correct it.
            return rx.set_value("ag-reply", text)
        return None

    @rx.event
    async def send_queued(self, raw: str) -> EventSpec | None:
        """Replies typed while the connection was down, each to the chat it was typed in,
        with their original ids (see ``resume.agent_outbox``)."""
        if (agent_id := await self._require()) is None:
            return self._to_login()
        queued = resume.parse_outbox(raw)
        if not queued:
            return None
        current, locale = self.current_id, self.current_language or self.locale
        try:
            results = await runtime.run_db(
                partial(resume.agent_outbox, agent_id, current, queued, locale)
            )
        except SQLAlchemyError:
            return outbox_result({q.client_msg_id: "failed" for q in queued})
        self._show(
            [r.message for r in results if r.message and r.message.conversation_id == current]
        )
        for r in results:
            if r.message is not None:
                notifier.notify(r.message.conversation_id)
        blocked = [k for r in results for k in r.blocked_kinds]
        if blocked:
            self.blocked_text = explain(blocked, self.locale)
        return outbox_result({r.client_msg_id: r.outcome for r in results})

    @rx.event
    async def send_canned(self, text: str) -> EventSpec | None:
        if (agent_id := await self._require()) is None:
            return self._to_login()
        await self._post(agent_id, text, uuid.uuid4().hex)
        return None

    @rx.event
    async def typed(self) -> EventSpec | None:
        # Throttled in the browser (one event per second of typing), so the check stays cheap.
        if await self._require() is None:
            return self._to_login()
        if self.current_id and await typing_indicators().touch(self.current_id, "agent"):
            notifier.notify(typing_key(self.current_id, "agent"))
        return None

    @rx.event
    async def agent_attach(self, files: list[rx.UploadFile]) -> EventSpec | None:
        """Each file is checked and posted on its own; a refusal says why in the console's
        language and leaves the conversation as it was."""
        if (agent_id := await self._require()) is None:
            return self._to_login()
        self.attach_error = ""
        conversation_id = self.current_id
        if not conversation_id:
            return None
        settings = runtime.settings()
        limits = UploadLimits(
            max_bytes=settings.chat_upload_max_bytes, max_files=settings.chat_upload_max_files
        )
        locale = self.current_language or self.locale
        errors: list[str] = []
        for upload in files:
            name = upload.filename or "file"
            # One byte over the limit is enough to refuse it; never read more than that.
            data = await upload.read(limits.max_bytes + 1)
            digest = hashlib.sha256(conversation_id.encode() + name.encode() + data).hexdigest()

            def work(
                s: Session, name: str = name, data: bytes = data, key: str = digest
            ) -> Message:
                message, _ = attachments.attach_agent_file(
                    session=s,
                    store=runtime.file_store(),
                    agent_id=agent_id,
                    conversation_id=conversation_id,
                    client_msg_id="agent-file-" + key[:40],
                    filename=name,
                    data=data,
                    limits=limits,
                    locale=locale,
                )
                return message

            try:
                message = await runtime.run_db(work)
            except FileRejected as rejected:
                errors.append(rejected.message(self.locale))
                continue
            except (live_chat.LiveChatError, ValueError):
                errors.append(self.tr["agent.action_failed"])
                continue
            self._show([message])
            notifier.notify(conversation_id)
        self.attach_error = " ".join(errors)
        return None
