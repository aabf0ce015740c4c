"""Plain helpers of the customer's live chat state (``ui.live_chat_state``): database work
run off the event loop, upload limits and ids, the file route's lookup. No Reflex state here,
so the file route and the mixins share them without importing the state."""

from __future__ import annotations

import asyncio
import hashlib

from sqlalchemy import make_url
from sqlmodel import Session

from chat_widget.adapters.sqlite_group_commit import wal_sync_for
from chat_widget.domain.models import Message
from chat_widget.files import UploadLimits
from chat_widget.live_chat import attachments, sides
from chat_widget.live_chat.realtime import LocalTypingBoard, RedisTypingBoard, typing_board
from chat_widget.live_chat.send_queue import CustomerSends
from chat_widget.ui import runtime
from chat_widget.web.asgi import ServedFile

ATTACH_UPLOAD_ID = "cw-live-upload"
#: Capability links live ten minutes; the view mints fresh ones well before that.
LINK_REFRESH_SECONDS = 300

TOPICS = ("accounts", "cards", "payments", "loans", "insurance", "other")


def typing_now() -> LocalTypingBoard | RedisTypingBoard:
    return typing_board(runtime.settings().redis_url)


#: a send not stored within this many seconds is shown as pending until it is
PENDING_AFTER = 0.15

#: (client token, conversation id) → the seq of the customer's last send that this tab's
#: view showed (another tab of the same chat must still read it). The listener's ``after`` is
#: read under the state lock once per wake-up, so on SQLite the watcher's ``db:`` key for a
#: customer's own send used to look like news and cost a view read per message. Cleared when
#: the listener ends.
OWN_SENDS: dict[tuple[str, str], int] = {}


_writer: list[CustomerSends] = []


def customer_writer() -> CustomerSends | None:
    """SQLite (a file): the process's one writer of customers' messages
    (``live_chat.send_queue``); None on PostgreSQL, where each send is its own transaction."""
    if _writer:  # decided once per process: parsing the URL at every send showed under load
        return _writer[0]
    url = runtime.settings().database_url
    if not url.startswith("sqlite") or wal_sync_for(make_url(url).database or "") is None:
        return None
    _writer.append(CustomerSends(runtime.engine()))
    return _writer[0]


def customer_send(
    *, customer_id: str, conversation_id: str, client_msg_id: str, text: str, locale: str
) -> asyncio.Future[tuple[Message | None, list[str]]]:
    """Screen and store a customer's message: a future that settles once it is durable, with
    ``(stored message, [])`` or ``(None, blocked kinds)``. On SQLite it is the writer's own
    future (no task per send); on PostgreSQL the database work runs in the pool."""
    writer = customer_writer()
    if writer is not None:
        return writer.submit(
            customer_id=customer_id,
            conversation_id=conversation_id,
            client_msg_id=client_msg_id,
            text=text,
            locale=locale,
        )

    def store(session: Session) -> tuple[Message | None, list[str]]:
        sent = sides.customer_send(
            session=session,
            customer_id=customer_id,
            conversation_id=conversation_id,
            client_msg_id=client_msg_id,
            text=text,
            locale=locale,
        )
        return sent.message, sent.blocked_kinds

    return asyncio.ensure_future(runtime.run_db(store))


def schedule():  # type: ignore[no-untyped-def]
    from chat_widget.ui.live_status import current_schedule

    return current_schedule()


def customer_view(
    customer_id: str, conversation_id: str, after_seq: int, session: Session
) -> sides.CustomerView:
    return sides.customer_view(
        session=session,
        customer_id=customer_id,
        conversation_id=conversation_id,
        after_seq=after_seq,
    )


def customer_receipt(customer_id: str, conversation_id: str, session: Session) -> int:
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


def attach_file(
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
