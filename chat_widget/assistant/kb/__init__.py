"""The assistant's knowledge base: reviewed answers per intent and locale, kept as JSON data."""

from __future__ import annotations

from chat_widget.assistant.kb.loader import (
    Answer,
    IntentMeta,
    KnowledgeBase,
    KnowledgeBaseError,
    default_knowledge_base,
    load_knowledge_base,
    normalise_locale,
)
from chat_widget.i18n import DEFAULT_LOCALE, LOCALES

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "Answer",
    "IntentMeta",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "default_knowledge_base",
    "load_knowledge_base",
    "normalise_locale",
]
