"""What the classifier decides for one message, in a module of its own: a worker whose model
runs in another process (:mod:`model_process`) receives these without importing numpy, scikit-
learn or ONNX Runtime (~90 MB of a worker's memory)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prediction:
    """The classifier's decision for one message.

    ``intent`` is None when the best guess is below the tuned threshold or out of scope:
    the assistant must not answer then. ``alternatives`` are the best in-scope intents
    (best first, the top one included), useful as "did you mean…" quick replies. ``lang`` is
    the language to answer in (detected from the text, else the widget's locale) and
    ``lang_detected`` says whether the text itself showed it.
    """

    intent: str | None
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    lang: str | None = None
    lang_detected: bool = False
    top: str | None = None
    """The best label, out-of-scope included, whatever the threshold (for evaluation)."""
