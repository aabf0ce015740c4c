"""Runtime intent classification: load once per process, answer in a few milliseconds.

    prediction = await classify_async("ma carte est bloquée", "fr")
    if prediction.intent is None:
        ...  # unsure or out of scope: ask, or offer rephrase / live chat / video / myBo

The embedding engine is CPU-bound C code; :func:`classify_async` runs it in a worker thread
so the event loop keeps serving other customers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chat_widget.assistant.nlu import artefact
from chat_widget.assistant.nlu.dataset import data_fingerprint
from chat_widget.assistant.nlu.embeddings import Embedder, EmbeddingCache
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE
from chat_widget.assistant.nlu.model import IntentModel, Probabilities
from chat_widget.assistant.nlu.paths import DATA_DIR, model_dir

logger = logging.getLogger(__name__)

TOP_K = 5


@dataclass(frozen=True)
class Prediction:
    """The classifier's decision for one message.

    ``intent`` is None when the best guess is below the tuned threshold or out of scope:
    the assistant must not answer then. ``alternatives`` are the best in-scope intents
    (best first, the top one included), useful as "did you mean…" quick replies.
    """

    intent: str | None
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


class IntentClassifier:
    """A loaded model plus its embedder and threshold; thread-safe for concurrent calls."""

    def __init__(
        self, model: IntentModel, meta: artefact.ModelMeta, embedder: Embedder | None = None
    ) -> None:
        self.model = model
        self.meta = meta
        self.threshold = meta.threshold
        self._embedder = embedder or Embedder()

    @classmethod
    def load(
        cls, directory: Path | None = None, *, train_if_missing: bool = True
    ) -> IntentClassifier:
        """Load the artefact; train it first when missing or built from other data."""
        target = directory or model_dir()
        embedder = Embedder()
        if not artefact.is_current(target, data_fingerprint(DATA_DIR)):
            if not train_if_missing:
                raise FileNotFoundError(f"no current intent model in {target}")
            logger.warning(
                "intent model missing or stale in %s: training now (a few minutes)", target
            )
            from chat_widget.assistant.nlu.train import train

            train(target, embedder)
        return cls(artefact.load_model(target), artefact.read_meta(target), embedder)

    def probabilities(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> Probabilities:
        """Calibrated probabilities for many texts (columns: ``self.model.labels``).

        Rows the TF-IDF classifier is sure of (``model.shortcut``) keep its probabilities and
        are never embedded; the others get the full two-classifier average. Evaluation goes
        through here too, so its figures are those of what customers get.
        """
        texts = list(texts)
        langs = list(langs) if langs is not None else [None] * len(texts)
        p_tfidf = self.model.tfidf_proba(texts)
        proba: Probabilities = p_tfidf.copy()
        full = np.flatnonzero(~self.model.skips_embedding(p_tfidf))
        if len(full):
            subset = [texts[i] for i in full]
            vectors = (
                cache.embed(self._embedder, subset)
                if cache is not None
                else self._embedder.embed(subset)
            )
            proba[full] = self.model.predict_proba(
                subset, vectors, [langs[i] for i in full], p_tfidf[full]
            )
        return proba

    def predict(
        self, text: str, lang: str | None = None, k: int = TOP_K
    ) -> list[tuple[str, float]]:
        """Top-``k`` (label, probability), best first; may include ``out_of_scope``.

        ``lang`` (the conversation's locale) only tunes how the two classifiers are mixed;
        the model reads FR/NL/EN/DE without it.
        """
        if not text.strip():
            return [(OUT_OF_SCOPE, 1.0)]
        return self._ranked(self.probabilities([text], [lang])[0], k)

    def classify(self, text: str, lang: str | None = None) -> Prediction:
        """Decide: an intent when confident enough and in scope, otherwise None."""
        if not text.strip():
            return Prediction(intent=None, confidence=0.0, alternatives=[])
        return self.decide(self.probabilities([text], [lang])[0])

    def decide(self, row: np.ndarray) -> Prediction:
        """Turn one probability row into a :class:`Prediction`."""
        ranked = self._ranked(row, TOP_K + 1)
        top_label, top_p = ranked[0]
        alternatives = [(label, p) for label, p in ranked if label != OUT_OF_SCOPE][:TOP_K]
        if top_label == OUT_OF_SCOPE or top_p < self.threshold:
            return Prediction(intent=None, confidence=top_p, alternatives=alternatives)
        return Prediction(intent=top_label, confidence=top_p, alternatives=alternatives)

    def _ranked(self, row: np.ndarray, k: int) -> list[tuple[str, float]]:
        order = np.argsort(row)[::-1][:k]
        return [(self.model.labels[i], round(float(row[i]), 4)) for i in order]


_lock = threading.Lock()
_classifier: IntentClassifier | None = None


def get_classifier() -> IntentClassifier:
    """The process-wide classifier, loaded (or trained) on first use."""
    global _classifier
    if _classifier is None:
        with _lock:
            if _classifier is None:
                _classifier = IntentClassifier.load()
    return _classifier


async def classify_async(text: str, lang: str | None = None) -> Prediction:
    """:meth:`IntentClassifier.classify` off the event loop (first call may load the model)."""
    return await asyncio.to_thread(lambda: get_classifier().classify(text, lang))
