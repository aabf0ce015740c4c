"""Live chat with bank employees: queue, routing, presence, replies, notes, transcripts.

Plain Python over a ``sqlmodel.Session``; the Reflex layer calls these and pushes the results.
Functions that post something the other side must see commit (see each docstring); the rest
flush and leave the commit to the caller's ``session_scope``.
"""

from __future__ import annotations

from chat_widget.live_chat.context import (
    CustomerContext,
    EarlierSession,
    customer_context,
)
from chat_widget.live_chat.errors import (
    AgentUnavailable,
    ChatNotFound,
    ChatUnavailable,
    InvalidChatState,
    LiveChatError,
    NotAssignedAgent,
)
from chat_widget.live_chat.messaging import (
    mark_read,
    post_agent_message,
    post_customer_message,
    rate_chat,
    read_states,
)
from chat_widget.live_chat.notes import add_note, notes_for
from chat_widget.live_chat.queue import (
    QueueEntry,
    QueueInfo,
    average_handling_time,
    current_chat_for_customer,
    get_chat_request,
    leave_message,
    left_messages,
    queue_info,
    request_chat,
    switch_to_assistant,
    waiting_queue,
)
from chat_widget.live_chat.records import ChatRequest, InternalNote, LiveChatStatus, ReadState
from chat_widget.live_chat.routing import (
    CLOSE_REASONS,
    accept,
    active_chats_for_agent,
    assign,
    close,
    close_by_customer,
    next_for_agent,
    route_round,
    route_waiting,
    transfer,
)
from chat_widget.live_chat.system_messages import post_system_message
from chat_widget.live_chat.texts import canned_replies, canned_reply, describe_closed, text
from chat_widget.live_chat.transcripts import customer_transcript, open_transcript

__all__ = [
    "CLOSE_REASONS",
    "AgentUnavailable",
    "ChatNotFound",
    "ChatRequest",
    "ChatUnavailable",
    "CustomerContext",
    "EarlierSession",
    "InternalNote",
    "InvalidChatState",
    "LiveChatError",
    "LiveChatStatus",
    "NotAssignedAgent",
    "QueueEntry",
    "QueueInfo",
    "ReadState",
    "accept",
    "active_chats_for_agent",
    "add_note",
    "assign",
    "average_handling_time",
    "canned_replies",
    "canned_reply",
    "close",
    "close_by_customer",
    "current_chat_for_customer",
    "customer_context",
    "customer_transcript",
    "describe_closed",
    "get_chat_request",
    "leave_message",
    "left_messages",
    "mark_read",
    "next_for_agent",
    "notes_for",
    "open_transcript",
    "post_agent_message",
    "post_customer_message",
    "post_system_message",
    "queue_info",
    "rate_chat",
    "read_states",
    "request_chat",
    "route_round",
    "route_waiting",
    "switch_to_assistant",
    "text",
    "transfer",
    "waiting_queue",
]
