"""Which of the widget's four languages a customer's message is written in.

The assistant answers in the language the customer wrote, whatever the widget shows. Detection
uses ``lingua-language-detector`` (its n-gram models ship in the wheel; no download), limited to
FR/NL/EN/DE. Chosen over ``py3langid`` on our training rows: same accuracy overall (98.9%),
better on messages of three words or fewer (90.6% vs 89.1%), half the memory (45 MB vs 93 MB);
0.25 ms per message.

Short or ambiguous messages ("ok", "thanks", "top merci", "Bancontact ?") keep the widget's
locale: a customer browsing in French who types "thanks" still wants French.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chat_widget.assistant.nlu.intents import LANGS

MIN_WORDS = 3
"""Fewer words than this: too little evidence, the widget's locale is kept."""
MIN_MARGIN = 0.2
"""The best language must lead the second by this much (lingua's relative confidences), or the
detector hesitates (mixed or loan-word text). On 4,500 training rows of three words or more:
98.6% decided, 99.9% of those right. A plain 0.6 floor on the best value left 7.5% of English
sentences undecided ("I want to talk to a human" scores en 0.54, nl 0.24)."""
DEFAULT_LOCALE = "fr"


@dataclass(frozen=True)
class Detection:
    """The language to answer in, and whether it came from the text or from the fallback."""

    lang: str
    confidence: float
    detected: bool


@lru_cache(maxsize=1)
def _detector() -> tuple[Any, dict[Any, str]]:
    from lingua import Language, LanguageDetectorBuilder

    codes = {
        Language.FRENCH: "fr",
        Language.DUTCH: "nl",
        Language.ENGLISH: "en",
        Language.GERMAN: "de",
    }
    detector = (
        LanguageDetectorBuilder.from_languages(*codes).with_preloaded_language_models().build()
    )
    return detector, codes


_lock = threading.Lock()


def warm_up() -> None:
    """Load the detector's models now (about a second) rather than on a customer's message."""
    _detector()


def fallback_locale(locale: str | None) -> str:
    """'fr-BE', 'NL', None... → one of the four languages (French by default)."""
    short = (locale or "").replace("_", "-").split("-", 1)[0].lower()
    return short if short in LANGS else DEFAULT_LOCALE


def detect(text: str, fallback: str | None = None) -> Detection:
    """The message's language, or ``fallback`` (the widget locale) when unsure."""
    default = fallback_locale(fallback)
    words = text.split()
    if len(words) < MIN_WORDS:
        return Detection(lang=default, confidence=0.0, detected=False)
    detector, codes = _detector()
    with _lock:  # the Rust detector is safe to share, but this keeps the cached models single
        values = detector.compute_language_confidence_values(text)
    if not values:
        return Detection(lang=default, confidence=0.0, detected=False)
    best = values[0]
    confidence = float(best.value)
    runner_up = float(values[1].value) if len(values) > 1 else 0.0
    if confidence - runner_up < MIN_MARGIN:
        return Detection(lang=default, confidence=confidence, detected=False)
    return Detection(lang=codes[best.language], confidence=confidence, detected=True)
