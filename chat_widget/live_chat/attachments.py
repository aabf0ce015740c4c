"""Files in a live chat: the only way to store or read back their bytes.

The customer attaches an image or PDF to their own active chat; it is checked by the shared
upload rules (:func:`chat_widget.files.check_upload`: type by content, EXIF stripped, size and
pixel limits) and stored as a message (ordered by ``seq``, idempotent by ``client_msg_id``)
whose ``meta["attachment"]`` names a :class:`ChatFile` owned by the conversation's customer.

Reading: the customer reads only files of their own conversations; an agent reads only files
of a chat they hold, and every such read is written to the audit log (committed before any
byte is returned). Anyone else gets None, exactly as for a file that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from babel.numbers import format_decimal
from sqlmodel import Session, col, delete, func, select

from chat_widget.agents.records import Agent, Role
from chat_widget.audit import record
from chat_widget.conversations import (
    append_message,
    get_conversation_for_customer,
    message_by_client_id,
)
from chat_widget.conversations.errors import ConversationClosed
from chat_widget.domain.models import AuthorKind, Channel, Conversation, Message
from chat_widget.files import BlobStore, FileRejected, UploadLimits, check_upload
from chat_widget.files.store import FileContent, read_content, read_for_customer
from chat_widget.guard import engine as guard
from chat_widget.live_chat.errors import ChatNotFound, InvalidChatState
from chat_widget.live_chat.records import ChatFile, ChatRequest, LiveChatStatus
from chat_widget.observability import metrics

AUDIT_ACTION = "chat_file.view"
META_KEY = "attachment"
_CHUNK = 500


#: A chat file's row and bytes (the shared ``files.FileContent``).
ChatFileContent = FileContent[ChatFile]


def attachment_of(message: Message) -> dict[str, Any] | None:
    """The attachment a message carries (``id``, ``name``, ``size``, ``content_type``), or None."""
    found = (message.meta or {}).get(META_KEY)
    if not isinstance(found, dict) or not isinstance(found.get("id"), str):
        return None
    return found


def count_files(*, session: Session, conversation_id: str) -> int:
    query = (
        select(func.count())
        .select_from(ChatFile)
        .where(col(ChatFile.conversation_id) == conversation_id)
    )
    return int(session.exec(query).one())


def _screened_name(name: str, extension: str, locale: str) -> str:
    """The file name as the agent will see it, through the same guard as typed text."""
    stored, _ = guard.screen(name, locale)
    return f"file{extension}" if stored is None else stored


def attach_customer_file(
    *,
    session: Session,
    store: BlobStore,
    customer_id: str,
    conversation_id: str,
    client_msg_id: str,
    filename: str,
    data: bytes,
    limits: UploadLimits,
    locale: str,
) -> tuple[Message, bool]:
    """Check, clean, store and post one file in the customer's active chat; COMMITS.

    Returns ``(message, created)``; a resend with the same ``client_msg_id`` returns the stored
    message and stores nothing. Raises :class:`FileRejected` (show ``.message(locale)``; the
    conversation is untouched), :class:`ChatNotFound` (not this customer's live chat) or
    :class:`InvalidChatState` (the chat is not active).
    """
    if not client_msg_id or len(client_msg_id) > 64:
        raise ValueError("client_msg_id must be 1..64 characters")
    conversation = get_conversation_for_customer(
        session=session, customer_id=customer_id, conversation_id=conversation_id
    )
    if conversation is None or conversation.channel != Channel.LIVE_CHAT:
        raise ChatNotFound(conversation_id)
    return _post_file_once(
        session=session,
        store=store,
        conversation=conversation,
        author_kind=AuthorKind.CUSTOMER,
        author_id=customer_id,
        client_msg_id=client_msg_id,
        filename=filename,
        data=data,
        limits=limits,
        locale=locale,
    )


def attach_agent_file(
    *,
    session: Session,
    store: BlobStore,
    agent_id: str,
    conversation_id: str,
    client_msg_id: str,
    filename: str,
    data: bytes,
    limits: UploadLimits,
    locale: str,
) -> tuple[Message, bool]:
    """The agent holding an active chat sends the customer a file: the very checks and
    cleaning of customer uploads (type by content, EXIF stripped, limits, the guard on the
    name), owned by the conversation's customer so their capability link opens it; COMMITS.

    Raises :class:`FileRejected`, :class:`ChatNotFound` (not a chat this agent holds) or
    :class:`InvalidChatState` (not active)."""
    if not client_msg_id or len(client_msg_id) > 64:
        raise ValueError("client_msg_id must be 1..64 characters")
    request = session.get(ChatRequest, conversation_id)
    conversation = session.get(Conversation, conversation_id)
    if request is None or conversation is None or conversation.channel != Channel.LIVE_CHAT:
        raise ChatNotFound(conversation_id)
    session.refresh(request)
    if request.agent_id != agent_id or request.closed_at is not None:
        raise ChatNotFound(conversation_id)
    return _post_file_once(
        session=session,
        store=store,
        conversation=conversation,
        author_kind=AuthorKind.AGENT,
        author_id=agent_id,
        client_msg_id=client_msg_id,
        filename=filename,
        data=data,
        limits=limits,
        locale=locale,
    )


def _post_file_once(
    *,
    session: Session,
    store: BlobStore,
    conversation: Conversation,
    author_kind: AuthorKind,
    author_id: str,
    client_msg_id: str,
    filename: str,
    data: bytes,
    limits: UploadLimits,
    locale: str,
) -> tuple[Message, bool]:
    """Post a file to a chat whose author check has passed: one rule for both sides.

    A resend (same ``client_msg_id``) is answered with the stored message before the chat's
    state is read: its first attempt was accepted, whatever the chat's state is now. A new file
    needs the chat active as read now (not the session's cached status)."""
    conversation_id = conversation.id
    existing = message_by_client_id(
        session=session, conversation_id=conversation_id, client_msg_id=client_msg_id
    )
    if existing is not None:
        return existing, False
    session.refresh(conversation)
    if conversation.status != LiveChatStatus.ACTIVE:
        raise InvalidChatState("files can be sent only in an active chat")
    checked = metrics.upload_checked("chat", check_upload)(
        data,
        filename=filename,
        limits=limits,
        existing_count=count_files(session=session, conversation_id=conversation_id),
    )
    name = _screened_name(checked.original_name, checked.extension, locale)
    stored_name = store.put(checked.data, suffix=checked.extension)
    try:
        row = ChatFile(
            conversation_id=conversation_id,
            customer_id=conversation.customer_id,
            sender_kind=author_kind.value,
            original_name=name,
            stored_name=stored_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            width=checked.width,
            height=checked.height,
        )
        session.add(row)
        session.flush()
        message, created = append_message(
            session=session,
            conversation_id=conversation_id,
            client_msg_id=client_msg_id,
            author_kind=author_kind,
            author_id=author_id,
            body=name,
            meta={
                META_KEY: {
                    "id": row.id,
                    "name": name,
                    "size": checked.size,
                    "content_type": checked.content_type,
                }
            },
        )
    except ConversationClosed as exc:
        store.delete(stored_name)  # the rollback took the row away: no orphan bytes
        raise InvalidChatState("chat has ended") from exc
    except BaseException:
        store.delete(stored_name)
        raise
    if not created:
        # A concurrent resend won the race under the lock: this copy goes.
        session.delete(row)
        session.commit()
        store.delete(stored_name)
    return message, created


def open_for_customer(
    *, session: Session, store: BlobStore, customer_id: str, file_id: str
) -> ChatFileContent | None:
    """The file if it belongs to one of this customer's conversations, else None."""
    row = session.get(ChatFile, file_id)
    if row is None or row.customer_id != customer_id:
        return None
    conversation = session.get(Conversation, row.conversation_id)
    return read_for_customer(store, row, conversation, customer_id)


def open_for_agent(
    *, session: Session, store: BlobStore, agent_id: str, file_id: str
) -> ChatFileContent | None:
    """A file opened by the agent holding its chat; the read is audited and COMMITTED first.

    Another agent, an inactive account, an account without the agent role or an unknown file
    all get None (and no audit event: nothing was read).
    """
    row = session.get(ChatFile, file_id)
    agent = session.get(Agent, agent_id)
    if row is None or agent is None or not agent.active or Role.AGENT.value not in agent.roles:
        return None
    request = session.get(ChatRequest, row.conversation_id)
    if request is None:
        return None
    session.refresh(request)
    if request.agent_id != agent_id:
        return None
    found = read_content(store, row)
    if found is None:
        return None
    record(
        session=session,
        actor_kind="agent",
        actor_id=agent_id,
        action=AUDIT_ACTION,
        target_type="chat_file",
        target_id=row.id,
        reason="attachment opened from the agent console",
        details={"conversation_id": row.conversation_id, "customer_id": row.customer_id},
    )
    session.commit()
    return found


def files_of(*, session: Session, conversation_id: str) -> list[ChatFile]:
    query = (
        select(ChatFile)
        .where(ChatFile.conversation_id == conversation_id)
        .order_by(col(ChatFile.created_at), col(ChatFile.id))
    )
    return list(session.exec(query).all())


def _rows_of(session: Session, conversation_ids: Sequence[str]) -> list[ChatFile]:
    ids = list(dict.fromkeys(conversation_ids))
    rows: list[ChatFile] = []
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        rows += session.exec(select(ChatFile).where(col(ChatFile.conversation_id).in_(part))).all()
    return rows


def count_conversation_files(*, session: Session, conversation_ids: Sequence[str]) -> int:
    return len(_rows_of(session, conversation_ids))


def erase_conversation_files(
    *, session: Session, store: BlobStore, conversation_ids: Sequence[str]
) -> int:
    """Delete every file of these conversations, bytes then rows (erasure, retention)."""
    rows = _rows_of(session, conversation_ids)
    for row in rows:
        store.delete(row.stored_name)
    ids = [row.id for row in rows]
    for start in range(0, len(ids), _CHUNK):
        session.execute(delete(ChatFile).where(col(ChatFile.id).in_(ids[start : start + _CHUNK])))
    session.flush()
    return len(rows)


_UNITS = {"fr": ("o", "Ko", "Mo"), "nl": ("B", "KB", "MB"), "en": ("B", "KB", "MB")}


def human_size(size: int, locale: str) -> str:
    """``"1,4 Mo"``, ``"830 KB"``: a file size as people read it, in their language."""
    units = _UNITS.get(locale, ("B", "KB", "MB"))
    if size < 1024:
        return f"{size} {units[0]}"
    if size < 1024 * 1024:
        return f"{format_decimal(round(size / 1024), locale=locale)} {units[1]}"
    value = round(size / (1024 * 1024), 1)
    return f"{format_decimal(value, format='#,##0.#', locale=locale)} {units[2]}"


__all__ = [
    "AUDIT_ACTION",
    "ChatFileContent",
    "FileRejected",
    "attach_customer_file",
    "attachment_of",
    "count_conversation_files",
    "count_files",
    "erase_conversation_files",
    "files_of",
    "human_size",
    "open_for_agent",
    "open_for_customer",
]
