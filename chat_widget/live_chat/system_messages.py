"""System notices in the message stream ("agent joined/left", "closed"), in the chat's language.

They are ordinary messages (author_kind=system) so replay, ordering and transcripts treat them
like the rest; ``meta.event`` lets the UI style or re-translate them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from chat_widget.conversations import append_message, get_conversation
from chat_widget.conversations.errors import ConversationNotFound
from chat_widget.domain.models import AuthorKind, Message
from chat_widget.live_chat.texts import text


def post_system_message(
    *, session: Session, conversation_id: str, event: str, **params: Any
) -> Message:
    """Append (and commit) a localized notice; ``event`` is a ``system.*`` catalog key suffix."""
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    body = text(f"system.{event}", conversation.locale, **params)
    message, _ = append_message(
        session=session,
        conversation_id=conversation_id,
        client_msg_id=f"sys-{uuid.uuid4().hex}",
        author_kind=AuthorKind.SYSTEM,
        author_id=None,
        body=body,
        meta={"event": event, **{k: str(v) for k, v in params.items()}},
    )
    return message
