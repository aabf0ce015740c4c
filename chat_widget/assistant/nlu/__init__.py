"""Intent recognition for the assistant: multilingual, offline, CPU only.

The UI and the dialogue layer should only need :func:`classify_async` (or
:func:`get_classifier` in synchronous code); everything else is build-time machinery.
"""

from __future__ import annotations

from chat_widget.assistant.nlu.classifier import (
    IntentClassifier,
    Prediction,
    classify_async,
    get_classifier,
)
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE, WIDGET_INTENTS

__all__ = [
    "OUT_OF_SCOPE",
    "WIDGET_INTENTS",
    "IntentClassifier",
    "Prediction",
    "classify_async",
    "get_classifier",
]
