"""Intent recognition for the assistant: multilingual, offline, CPU only.

The UI and the dialogue layer should only need :func:`classify_async` (or
:func:`get_classifier` in synchronous code); everything else is build-time machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE, WIDGET_INTENTS
from chat_widget.assistant.nlu.prediction import Prediction

if TYPE_CHECKING:
    from chat_widget.assistant.nlu.classifier import (
        IntentClassifier,
        classify_async,
        get_classifier,
    )

_FROM_CLASSIFIER = {"IntentClassifier", "classify_async", "get_classifier"}


def __getattr__(name: str) -> Any:
    # Imported on first use: the classifier pulls numpy, scikit-learn and ONNX Runtime, which
    # a worker whose model runs in its own process never needs (see model_process).
    if name in _FROM_CLASSIFIER:
        from chat_widget.assistant.nlu import classifier

        return getattr(classifier, name)
    raise AttributeError(name)


__all__ = [
    "OUT_OF_SCOPE",
    "WIDGET_INTENTS",
    "IntentClassifier",
    "Prediction",
    "classify_async",
    "get_classifier",
]
