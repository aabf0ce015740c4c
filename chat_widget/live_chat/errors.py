"""Errors of the live chat use-cases.

LiveChatError
 ├── ChatUnavailable      outside opening hours (carries the OpenStatus for the UI)
 ├── ChatNotFound         no such live chat, or not the caller's (map both to 404: no IDOR hint)
 ├── InvalidChatState     e.g. accepting a closed chat, rating a waiting one
 ├── NotAssignedAgent     an agent acting on a chat they do not hold
 └── AgentUnavailable     offline/inactive agent, or at capacity
"""

from __future__ import annotations

from chat_widget.live_chat.hours.schedule import OpenStatus


class LiveChatError(Exception):
    pass


class ChatUnavailable(LiveChatError):
    def __init__(self, status: OpenStatus) -> None:
        super().__init__(status.reason or "closed")
        self.status = status


class ChatNotFound(LiveChatError):
    pass


class InvalidChatState(LiveChatError):
    pass


class NotAssignedAgent(LiveChatError):
    pass


class AgentUnavailable(LiveChatError):
    pass
