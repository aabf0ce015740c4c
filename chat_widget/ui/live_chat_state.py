"""The customer's live chat view: thin handlers over chat_widget.live_chat.

Delivery: a background listener per open view sleeps until the live bus (``live_chat.bus``)
publishes one of its keys, on any worker, and then reads only its delta (``messages_since``
the last seq, or the read receipt) from the database, so messages arrive in seq order and
nothing is lost across a dropped connection (a reconnect re-runs the page's on_load, which
restarts the listener from the last seq the view holds).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Hashable
from functools import partial
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from chat_widget import guard, live_chat
from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import Message
from chat_widget.files import FileRejected, UploadLimits
from chat_widget.i18n import format_clock
from chat_widget.live_chat import attachments, resume, sides
from chat_widget.live_chat.bus import RESYNC, bus
from chat_widget.live_chat.realtime import (
    QUEUE,
    TYPING_TTL,
    LocalTypingBoard,
    RedisTypingBoard,
    db_key,
    from_customer,
    notifier,
    read_key,
    typing_board,
    typing_key,
    view_key,
)
from chat_widget.ui import runtime
from chat_widget.ui.chat_items import ChatItem, to_item
from chat_widget.ui.connection import outbox_ready, outbox_result
from chat_widget.ui.live_push import Liveness, external_writes
from chat_widget.ui.widget_state import BRIDGE, WidgetState
from chat_widget.web.claim_files import CHAT, ServedFile, file_url, mint_file_token

log = logging.getLogger(__name__)

ATTACH_UPLOAD_ID = "cw-live-upload"
#: Capability links live ten minutes; the view mints fresh ones well before that.
LINK_REFRESH_SECONDS = 300

TOPICS = ("accounts", "cards", "payments", "loans", "insurance", "other")
PHASES_BY_STATUS = {
    "waiting": "waiting",
    "active": "active",
    "closed": "ended",
    "abandoned": "ended",
}


def _typing() -> LocalTypingBoard | RedisTypingBoard:
    return typing_board(runtime.settings().redis_url)


#: A listener re-reads its whole view this rarely when nothing woke it: only a safety net for
#: a lost notification (a backend reconnect re-reads at once anyway).
RESYNC_SECONDS = 300.0
#: While the chat waits in the queue the expected wait moves with time too.
QUEUE_REFRESH_SECONDS = 30.0
#: Queue wake-ups (each request, accept, leave …) re-read the place at most this often.
QUEUE_MIN_SECONDS = 1.0
#: An idle listener looks this often whether its client is still connected (no database).
LIVENESS_SECONDS = 15.0
#: a send not stored within this many seconds is shown as pending until it is
PENDING_AFTER = 0.15


def _moved_for_customer(version: Hashable | None, last_seq: int, phase: str, read: int) -> bool:
    """Did another process change what the customer sees (not only their own sends)?"""
    if not isinstance(version, tuple):
        return True
    seq, status, agent_read = version[0], version[1], version[2]
    return seq > last_seq or PHASES_BY_STATUS.get(status, phase) != phase or agent_read != read


#: (client token, conversation id) -> the seq of this tab's latest send that followed on what
#: its view showed (another tab of the same chat must still read it). The listener's ``after`` is read under the state lock once per wake-up, so on
#: SQLite the watcher's ``db:`` key for a customer's own send used to look like news and cost
#: a view read per message. Cleared when the listener ends.
_OWN_SENDS: dict[tuple[str, str], int] = {}


def _schedule():  # type: ignore[no-untyped-def]
    from chat_widget.ui.live_status import current_schedule

    return current_schedule()


def _customer_view(
    customer_id: str, conversation_id: str, after_seq: int, session: Session
) -> sides.CustomerView:
    return sides.customer_view(
        session=session,
        customer_id=customer_id,
        conversation_id=conversation_id,
        after_seq=after_seq,
    )


def _customer_receipt(customer_id: str, conversation_id: str, session: Session) -> int:
    return sides.customer_read_receipt(
        session=session, customer_id=customer_id, conversation_id=conversation_id
    )


def chat_upload_limits() -> UploadLimits:
    cfg = runtime.settings()
    return UploadLimits(max_bytes=cfg.chat_upload_max_bytes, max_files=cfg.chat_upload_max_files)


async def read_chat_file(customer_id: str, file_id: str) -> ServedFile | None:
    """For the file route: the attachment if ``customer_id`` owns it (else None, like a missing
    one)."""

    def work(session: Session) -> ServedFile | None:
        found = attachments.open_for_customer(
            session=session, store=runtime.file_store(), customer_id=customer_id, file_id=file_id
        )
        if found is None:
            return None
        return ServedFile(found.data, found.meta.content_type, found.meta.original_name)

    return await runtime.run_db(work)


def _attach(
    customer_id: str,
    conversation_id: str,
    client_msg_id: str,
    filename: str,
    data: bytes,
    limits: UploadLimits,
    locale: str,
    session: Session,
) -> Message:
    message, _ = attachments.attach_customer_file(
        session=session,
        store=runtime.file_store(),
        customer_id=customer_id,
        conversation_id=conversation_id,
        client_msg_id=client_msg_id,
        filename=filename,
        data=data,
        limits=limits,
        locale=locale,
    )
    return message


def upload_message_id(conversation_id: str, name: str, data: bytes) -> str:
    """The message id of an upload, derived from its content: the same file sent again after
    a dropped connection (the browser retries, or the customer does) is the same message,
    never a second copy."""
    digest = hashlib.sha256(conversation_id.encode() + b"\0" + name.encode() + b"\0" + data)
    return "file-" + digest.hexdigest()[:40]


class LiveChatState(WidgetState):
    phase: str = ""  # closed | intro | waiting | active | ended | left
    items: list[ChatItem] = []
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

    @rx.var
    def read_by_agent(self) -> bool:
        mine = [i.seq for i in self.items if i.author == "customer"]
        return bool(mine) and self.agent_read_seq >= mine[-1]

    @rx.var
    def error_text(self) -> str:
        return self.tr.get(self.error_key, "") if self.error_key else ""

    @rx.var
    def attach_hint(self) -> str:
        mb = runtime.settings().chat_upload_max_bytes / (1024 * 1024)
        return self.tr["live.attach_hint"].format(max_mb=f"{mb:g}")

    @rx.var
    def topic_options(self) -> list[list[str]]:
        return [[t, self.tr[f"live.topic.{t}"]] for t in TOPICS]

    @rx.var
    def rate_labels(self) -> list[str]:
        return [self.tr["live.rate_n"].format(n=n) for n in range(1, 6)]

    @rx.var
    def rating_text(self) -> str:
        return self.tr["live.rated"].format(n=self.rating) if self.rating else ""

    # --- opening ----------------------------------------------------------------------------

    @rx.event
    async def open_live_chat(self) -> AsyncIterator[EventSpec | None]:
        self.view = "live_chat"
        self.notice_key = ""
        self.error_key = ""
        yield rx.call_script(f"{BRIDGE}.loadGuard(); {BRIDGE}.focus('cw-view-heading')")
        if not self._customer_id:
            return
        customer_id = self._customer_id
        open_id = await runtime.run_db(
            lambda s: sides.open_chat_id(session=s, customer_id=customer_id)
        )
        if open_id:
            if open_id != self._conversation_id:
                self._reset(open_id)
                # Replay it now (a reload, or a state the server lost): the listener would
                # only start from its first tick, and the outbox needs the chat's status.
                await self._replay(customer_id, open_id)
            self._links_at = 0.0
            self._link_files()
            yield LiveChatState.listen
            if self.phase == "active":  # the chat is back: what was typed offline goes out
                yield outbox_ready("live", LiveChatState.send_queued)
            return
        if self._conversation_id and self.phase in {"ended", "left"}:
            return  # keep the end screen (rating, transcript) until "new chat"
        self._show_intro_or_closed()

    async def _replay(self, customer_id: str, conversation_id: str) -> None:
        try:
            view = await runtime.run_db(
                partial(_customer_view, customer_id, conversation_id, self._last_seq)
            )
        except live_chat.LiveChatError:
            return  # the listener reads it again on its first tick
        self._apply(view)

    def _reset(self, conversation_id: str) -> None:
        self._conversation_id = conversation_id
        self._last_seq = 0
        self.items = []
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

    @rx.event
    def resume(self) -> EventSpec | list[EventSpec] | None:
        """on_load (first load, reload, every reconnect): restart the listener if a chat is on."""
        if (
            self.view == "live_chat"
            and self._conversation_id
            and self.phase
            in {
                "waiting",
                "active",
            }
        ):
            if self.phase == "active":
                return [LiveChatState.listen, outbox_ready("live", LiveChatState.send_queued)]  # type: ignore[return-value]
            return LiveChatState.listen  # type: ignore[return-value]
        return None

    @rx.event
    async def send_queued(self, raw: str) -> EventSpec | None:
        """The browser's outbox after a reconnect: messages typed while offline, sent with
        their original ids (a resend of one that did arrive is the same message)."""
        queued = resume.parse_outbox(raw)
        if not queued or not self._conversation_id or self.phase != "active":
            return outbox_result({q.client_msg_id: "failed" for q in queued})
        customer_id, conversation_id, locale = self._customer_id, self._conversation_id, self.locale
        try:
            results = await runtime.run_db(
                partial(resume.customer_outbox, customer_id, conversation_id, queued, locale)
            )
        except SQLAlchemyError:  # the database is away: nothing stored, the customer retries
            return outbox_result({q.client_msg_id: "failed" for q in queued})
        stored = [r.message for r in results if r.message is not None]
        known = {i.id for i in self.items}
        fresh = [to_item(m, locale) for m in stored if m.id not in known]
        if fresh:
            self.items = sorted([*self.items, *fresh], key=lambda i: i.seq)
        blocked = [k for r in results for k in r.blocked_kinds]
        if blocked:
            self.show_guard_block(blocked)
        if stored:
            notifier.notify(from_customer(conversation_id))
        return outbox_result({r.client_msg_id: r.outcome for r in results})

    @rx.event
    def set_topic_choice(self, value: str) -> None:
        self.topic_choice = value if value in TOPICS else ""

    @rx.event
    async def start(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        if not self._customer_id:
            return
        topic = str(form.get("topic") or "")
        topic = topic if topic in TOPICS else ""
        customer_id, locale, page = self._customer_id, self.locale, self.page_url
        handover = self._handover_from or None
        hours = _schedule()
        try:
            conversation_id = await runtime.run_db(
                lambda s: sides.start_chat(
                    session=s,
                    customer_id=customer_id,
                    locale=locale,
                    topic=topic,
                    page_url=page,
                    handover_from=handover,
                    hours=hours,
                )
            )
        except live_chat.ChatUnavailable as exc:
            self.phase = "closed"
            self.closed_lines = live_chat.describe_closed(exc.status, self.locale)
            return
        self._handover_from = ""
        self._reset(conversation_id)
        notifier.notify(QUEUE)
        yield LiveChatState.listen

    # --- live sync --------------------------------------------------------------------------

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
                read_view = (
                    cid in dirty or RESYNC in dirty or now - last_read >= RESYNC_SECONDS
                ) or (
                    waiting
                    and (
                        (QUEUE in dirty and now - last_queue >= QUEUE_MIN_SECONDS)
                        or now - last_queue >= QUEUE_REFRESH_SECONDS
                    )
                )
                if not read_view and db_key(cid) in dirty and external is not None:
                    seen = max(after, _OWN_SENDS.get((token, cid), 0))
                    read_view = _moved_for_customer(external.version(cid), seen, phase, agent_read)
                read_receipt = not read_view and read_key(cid) in dirty
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
                    await _typing().is_typing(cid, "agent") if typing_due else shown_typing
                )
                view: sides.CustomerView | None = None
                receipt: int | None = None
                try:
                    if read_view:
                        last_read = last_queue = time.monotonic()
                        view = await runtime.run_db(
                            partial(_customer_view, customer_id, cid, after)
                        )
                    elif read_receipt:
                        receipt = await runtime.run_db(partial(_customer_receipt, customer_id, cid))
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
                    elif receipt is not None and receipt != self.agent_read_seq:
                        self.agent_read_seq = receipt
                    after, phase, agent_read = self._last_seq, self.phase, self.agent_read_seq
                    # Read receipts are for the other side's messages: the customer's own
                    # sends need no receipt write (it was one more commit per message).
                    incoming = max((i.seq for i in self.items if i.author != "customer"), default=0)
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
            _OWN_SENDS.pop((token, cid), None)

    @staticmethod
    def _sleep_for(now: float, last_read: float, waiting: bool, typing: bool = False) -> float:
        """Until the next liveness look, queue refresh, resync or (while the agent is shown
        typing) the indicator's expiry, whichever is first."""
        due = RESYNC_SECONDS - (now - last_read)
        if waiting:
            due = min(due, QUEUE_REFRESH_SECONDS - (now - last_read))
        if typing:
            due = min(due, TYPING_TTL / 2)
        return max(0.05, min(due, LIVENESS_SECONDS))

    def _apply(self, view: sides.CustomerView) -> list[EventSpec]:
        """Merge a fresh read. Only what changed is assigned: every assignment is a state
        update pushed to the browser (and, with Redis, a state write)."""
        known = {i.id for i in self.items}
        fresh = [m for m in view.messages if m.id not in known]
        if fresh:
            self.items = sorted(
                [*self.items, *(to_item(m, self.locale) for m in fresh)], key=lambda i: i.seq
            )
        self._link_files()
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
        events: list[EventSpec] = []
        incoming = sum(1 for m in fresh if m.author_kind in {"agent", "system"})
        if not self.is_visible and incoming:
            self._unread += incoming
            events.append(self._post_unread())
        elif self.is_visible and self._unread:
            self._unread = 0
            events.append(self._post_unread())
        return events

    def _link_files(self) -> None:
        """Give every file a capability link for this customer; renew them all before expiry."""
        renew = time.time() - self._links_at > LINK_REFRESH_SECONDS
        if not renew and all(i.file_url for i in self.items if i.file_id):
            return
        secret, customer_id = runtime.settings().secret_key, self._customer_id
        linked = []
        for item in self.items:
            if item.file_id and (renew or not item.file_url):
                token = mint_file_token(
                    secret=secret, customer_id=customer_id, file_id=item.file_id, kind=CHAT
                )
                item = dataclasses.replace(item, file_url=file_url(item.file_id, token, kind=CHAT))
            linked.append(item)
        self.items = linked
        if renew:
            self._links_at = time.time()

    def _post_unread(self) -> EventSpec:
        return rx.call_script(f"{BRIDGE}.post('unread', {{count: {int(self._unread)}}})")

    def _queue_lines(self, info: live_chat.QueueInfo | None) -> list[str]:
        if info is None or info.position is None:
            return []
        locale = self.locale
        lines = [live_chat.text("queue.position", locale, position=info.position)]
        if info.expected_wait is None:
            lines.append(live_chat.text("queue.no_agent", locale))
        elif info.expected_wait.total_seconds() < 60:
            lines.append(live_chat.text("queue.expected_soon", locale))
        else:
            minutes = max(1, round(info.expected_wait.total_seconds() / 60))
            lines.append(live_chat.text("queue.expected_wait", locale, minutes=minutes))
        return lines

    async def _mark_read(self, conversation_id: str, customer_id: str, seq: int) -> None:
        def work(s: Session) -> None:
            sides.customer_read(
                session=s, customer_id=customer_id, conversation_id=conversation_id, seq=seq
            )

        try:
            await runtime.run_db(work)
        except live_chat.LiveChatError:
            return
        notifier.notify(from_customer(conversation_id))

    # --- customer actions -------------------------------------------------------------------

    @rx.event
    async def send(self, form: dict[str, Any]) -> AsyncIterator[EventSpec | None]:
        text = str(form.get("message") or "").strip()
        client_msg_id = str(form.get("client_msg_id") or "")[:64] or uuid.uuid4().hex
        if not text or not self._conversation_id:
            return
        self.guard_text = ""
        self.error_key = ""
        customer_id, conversation_id, locale = self._customer_id, self._conversation_id, self.locale
        storing = asyncio.ensure_future(
            runtime.run_db(
                lambda s: sides.customer_send(
                    session=s,
                    customer_id=customer_id,
                    conversation_id=conversation_id,
                    client_msg_id=client_msg_id,
                    text=text,
                    locale=locale,
                )
            )
        )
        # One state update per send: the stored message. Only a send that is not stored
        # within PENDING_AFTER is shown as pending first, so a slow database still answers at once.
        done, _ = await asyncio.wait({storing}, timeout=PENDING_AFTER)
        if not done:
            pending = ChatItem(
                id=client_msg_id,
                seq=10**9,
                author="customer",
                text=text,
                time=format_clock(utcnow(), self.locale),
            )
            self.items = [*self.items, pending]
            yield None
        try:
            sent = await storing
        except (live_chat.LiveChatError, ValueError, SQLAlchemyError):
            # Database gone (SQLAlchemyError): not stored, so not shown as sent; the customer
            # is told and sends it again.
            self.items = [i for i in self.items if i.id != client_msg_id]
            self.error_key = "chat.error"
            return
        self.items = [i for i in self.items if i.id != client_msg_id]
        await _typing().clear(conversation_id, "customer")
        if sent.message is None:
            self.show_guard_block(sent.blocked_kinds)
            return
        message = sent.message
        if all(i.id != message.id for i in self.items):
            self.items = sorted([*self.items, to_item(message, self.locale)], key=lambda i: i.seq)
        if message.seq == self._last_seq + 1:  # nothing in between: the listener needs no read
            self._last_seq = message.seq
            _OWN_SENDS[(self.router.session.client_token, conversation_id)] = message.seq
        notifier.notify(from_customer(conversation_id))

    # --- attachments ------------------------------------------------------------------------

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
                _attach,
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
            if all(i.id != message.id for i in self.items):
                self.items = sorted([*self.items, to_item(message, locale)], key=lambda i: i.seq)
                self._link_files()
            notifier.notify(conversation_id)
        self.attach_error = " ".join(errors)
        if errors:
            return rx.call_script(f"{BRIDGE}.focus('cw-attach-error')")
        return None

    @rx.event
    async def typed(self) -> None:
        if self._conversation_id and self.phase == "active":
            if await _typing().touch(self._conversation_id, "customer"):
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
        self.items = []
        self.rating = 0
        self._show_intro_or_closed()
