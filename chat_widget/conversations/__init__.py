"""Conversations and their messages, shared by every channel (assistant, live chat, claims…).

Message delivery rests on two promises made here: a resend with the same client message id is
harmless (idempotent), and every conversation has a gap-free server sequence (ordered), so a
reconnecting client asks for ``messages_since(last_seq)`` and gets exactly what it missed.
"""

from __future__ import annotations

from chat_widget.conversations.messages import (
    append_message,
    conversations_for_customer,
    get_conversation,
    get_conversation_for_customer,
    message_by_client_id,
    messages_since,
    start_conversation,
)

__all__ = [
    "append_message",
    "message_by_client_id",
    "conversations_for_customer",
    "get_conversation",
    "get_conversation_for_customer",
    "messages_since",
    "start_conversation",
]
