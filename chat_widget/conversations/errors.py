"""Errors of the conversation core.

ConversationError
 ├── ConversationNotFound   no such conversation (or not yours: callers map both to 404)
 └── ConversationClosed     closed/abandoned conversations take no new customer or agent text
"""

from __future__ import annotations


class ConversationError(Exception):
    """Base class for conversation errors."""


class ConversationNotFound(ConversationError):
    pass


class ConversationClosed(ConversationError):
    pass
