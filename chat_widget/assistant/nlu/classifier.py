"""Runtime intent classification: load once per process, answer in a few milliseconds.

    prediction = await classify_async("ma carte est bloquée", "fr")
    if prediction.intent is None:
        ...  # unsure or out of scope: ask, or offer rephrase / live chat / video / myBo

The encoders are CPU-bound; :func:`classify_async` runs them on a thread of their own so the
event loop keeps serving other customers, and a server worker runs them in a process of its
own (:mod:`model_process`, ``CW_ASSISTANT_PROCESS``) so they do not share its interpreter lock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from chat_widget.assistant.nlu import artefact, language
from chat_widget.assistant.nlu.dataset import data_fingerprint
from chat_widget.assistant.nlu.embeddings import Embedder, EmbeddingCache
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE, SMALL_TALK
from chat_widget.assistant.nlu.model import IntentModel, Probabilities, apply_temperature
from chat_widget.assistant.nlu.paths import DATA_DIR, model_dir
from chat_widget.assistant.nlu.prediction import Prediction
from chat_widget.assistant.nlu.segment import classifier_input, segment

logger = logging.getLogger(__name__)

TOP_K = 5


@dataclass(frozen=True)
class Scored:
    """:meth:`IntentClassifier.scores` of many texts, one row or value per text."""

    proba: Probabilities
    nearest: npt.NDArray[np.float64]
    """Cosine to the nearest in-scope training row (1.0 where not computed)."""
    thresholds: npt.NDArray[np.float64]
    """The probability the best label needs to be answered."""
    floors: npt.NDArray[np.float64]
    """The novelty floor ``nearest`` is held to (-inf: none)."""


class IntentClassifier:
    """A loaded model plus its embedder and threshold; thread-safe for concurrent calls."""

    def __init__(
        self, model: IntentModel, meta: artefact.ModelMeta, embedder: Embedder | None = None
    ) -> None:
        self.model = model
        self.meta = meta
        self.threshold = meta.threshold
        self._embedder = embedder or Embedder(model.encoders)
        self._minilm_embedder: Embedder | None = None
        self._minilm_lock = threading.Lock()

    @classmethod
    def load(
        cls, directory: Path | None = None, *, train_if_missing: bool = True
    ) -> IntentClassifier:
        """Load the artefact; train it first when missing or built from other data."""
        target = directory or model_dir()
        embedder: Embedder | None = None
        if not artefact.is_current(target, data_fingerprint(DATA_DIR)):
            if not train_if_missing:
                raise FileNotFoundError(f"no current intent model in {target}")
            logger.warning(
                "intent model missing or stale in %s: training now (a few minutes)", target
            )
            from chat_widget.assistant.nlu.train import train

            embedder = Embedder()
            train(target, embedder)
        model = artefact.load_model(target)
        if embedder is None or embedder.names != model.encoders:
            embedder = Embedder(model.encoders)
        language.warm_up()
        classifier = cls(model, artefact.read_meta(target), embedder)
        if model.english is not None:
            classifier._minilm()  # at start-up, not on the first English question
        return classifier

    def probabilities(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> Probabilities:
        """Calibrated probabilities for many texts (columns: ``self.model.labels``)."""
        return self.scores(texts, langs, cache).proba

    def scores(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> Scored:
        """Probabilities, per text the cosine to the nearest in-scope training row (computed
        only where it can change the decision, else 1.0), its novelty floor and the threshold
        to answer.

        Rows the TF-IDF classifier is sure of (``model.shortcuts``) keep its probabilities and
        are never embedded (their wording is the training data's: nearest counts as 1.0), and
        need the higher ``model.shortcut_floors`` to be answered. English rows go through the
        English head's cascade (MiniLM and TF-IDF, then e5 too where those two are unsure);
        the others get the e5 and TF-IDF average. Evaluation goes through here too, so its
        figures are those of what customers get.
        """
        texts = list(texts)
        langs = list(langs) if langs is not None else [None] * len(texts)
        model = self.model
        p_tfidf = model.tfidf_proba(texts)
        proba: Probabilities = p_tfidf.copy()
        nearest = np.ones(len(texts))
        e5_floor = -np.inf if model.novelty_floor is None else model.novelty_floor
        floors = np.full(len(texts), e5_floor)
        lengths = [len(t) for t in texts]
        skipped = model.skips_embedding(p_tfidf, lengths, langs)
        thresholds = np.array(
            [
                model.shortcut_floor(lang, self.threshold) if skip else self.threshold
                for lang, skip in zip(langs, skipped, strict=True)
            ]
        )
        english = model.is_english(langs) & ~skipped
        wants_e5 = ~skipped & ~english
        raw = np.zeros_like(p_tfidf)
        idx_en = np.flatnonzero(english)
        if len(idx_en) and model.english is not None:
            head = model.english
            v_minilm = self._embed(self._minilm(), [texts[i] for i in idx_en], cache)
            p_minilm = head.proba(v_minilm, len(model.labels))
            raw[idx_en] = head.first_step(p_minilm, p_tfidf[idx_en])
            needs = head.needs_e5(raw[idx_en])
            wants_e5[idx_en[needs]] = True
            thresholds[idx_en[~needs]] = max(self.threshold, head.floor)
        idx_e5 = np.flatnonzero(wants_e5)
        v_e5 = self._embed(self._embedder, [texts[i] for i in idx_e5], cache)
        if len(idx_e5):
            p_e5 = model.embedding_proba(v_e5)
            raw[idx_e5] = model.raw_proba(
                [texts[i] for i in idx_e5], v_e5, [langs[i] for i in idx_e5], p_tfidf[idx_e5]
            )
            if len(idx_en) and model.english is not None:
                row_in_en = {int(i): j for j, i in enumerate(idx_en)}
                both = [j for j, i in enumerate(idx_e5) if english[i]]
                if both:
                    rows = idx_e5[both]
                    raw[rows] = model.english.full(
                        p_e5[both], p_minilm[[row_in_en[int(i)] for i in rows]], p_tfidf[rows]
                    )
        full = np.flatnonzero(~skipped)
        if len(full):
            proba[full] = apply_temperature(raw[full], model.temperature)
        # The novelty floor can only veto an answer: rows no intent could answer (every
        # in-scope label under the threshold) skip the similarity product (~1 ms).
        in_scope = [j for j, label in enumerate(model.labels) if label != OUT_OF_SCOPE]
        answerable = proba[:, in_scope].max(axis=1) >= self.threshold
        if len(idx_en) and model.english is not None:
            check = answerable[idx_en]
            nearest[idx_en[check]] = model.english.nearest(v_minilm[check])
            floors[idx_en] = (
                -np.inf if model.english.novelty_floor is None else model.english.novelty_floor
            )
        other = [j for j, i in enumerate(idx_e5) if not english[i] and answerable[i]]
        if other:
            nearest[idx_e5[other]] = model.nearest(v_e5[other])
        return Scored(proba, nearest, thresholds, floors)

    def _embed(
        self, embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None
    ) -> npt.NDArray[np.float32]:
        if cache is not None:
            return cache.embed(embedder, texts)
        return embedder.embed(texts)

    def _minilm(self) -> Embedder:
        """The English encoder (int8 ONNX model, ~0.1 s to load once built, ~40 MB)."""
        if self._minilm_embedder is None:
            with self._minilm_lock:
                if self._minilm_embedder is None:
                    self._minilm_embedder = Embedder(("minilm",))
        return self._minilm_embedder

    def analyse(
        self,
        texts: Sequence[str],
        locales: Sequence[str | None] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> list[Prediction]:
        """The production path for many messages: language, small talk, then intents.

        For each message: detect its language (``locales`` are the widget's, the fallback),
        peel greetings and thanks off (:mod:`segment`), classify the remaining question, and
        let ``greeting``/``thanks``/``goodbye`` win only when no question remains. Batching
        only groups the embedding calls; each row's result is the one :meth:`classify` gives.
        """
        texts = list(texts)
        locales = list(locales) if locales is not None else [None] * len(texts)
        detections = [language.detect(t, loc) for t, loc in zip(texts, locales, strict=True)]
        parts = [segment(t) for t in texts]
        cores = [
            p.core if p.core else " ".join(t.split()) for p, t in zip(parts, texts, strict=True)
        ]
        live = [i for i, c in enumerate(cores) if c.strip()]
        out = [
            Prediction(intent=None, confidence=0.0, alternatives=[], lang=d.lang)
            for d in detections
        ]
        if not live:
            return out
        scored = self.scores(
            [cores[i] for i in live], [detections[i].lang for i in live], cache=cache
        )
        small_talk = [self.model.labels.index(s) for s in SMALL_TALK if s in self.model.labels]
        for row, near, threshold, floor, i in zip(
            scored.proba, scored.nearest, scored.thresholds, scored.floors, live, strict=True
        ):
            if parts[i].has_question and small_talk:
                row = row.copy()
                row[small_talk] = 0.0  # a greeting around a question never answers it
            out[i] = self.decide(row, detections[i], float(near), float(threshold), float(floor))
        return out

    def predict(
        self, text: str, lang: str | None = None, k: int = TOP_K
    ) -> list[tuple[str, float]]:
        """Top-``k`` (label, probability) of the core question, best first (may include
        ``out_of_scope``); ``lang`` is the widget's locale."""
        if not text.strip():
            return [(OUT_OF_SCOPE, 1.0)]
        core = classifier_input(text)
        detection = language.detect(text, lang)
        return self._ranked(self.probabilities([core], [detection.lang])[0], k)

    def classify(self, text: str, lang: str | None = None) -> Prediction:
        """Decide for one message: an intent when confident enough and in scope, else None.

        ``lang`` is the widget's locale: the fallback when the text's language is unclear.
        """
        return self.analyse([text], [lang])[0]

    def decide(
        self,
        row: np.ndarray,
        detection: language.Detection | None = None,
        nearest: float = 1.0,
        threshold: float | None = None,
        novelty_floor: float | None = None,
    ) -> Prediction:
        """Turn one probability row into a :class:`Prediction`.

        No answer when the best label is out of scope, below the threshold (``threshold``,
        else the model's), or when the message is unlike every in-scope training row
        (``nearest`` below ``novelty_floor``, else the model's).
        """
        ranked = self._ranked(row, TOP_K + 1)
        top_label, top_p = ranked[0]
        alternatives = [(label, p) for label, p in ranked if label != OUT_OF_SCOPE][:TOP_K]
        lang = detection.lang if detection else None
        detected = detection.detected if detection else False
        floor = self.model.novelty_floor if novelty_floor is None else novelty_floor
        unlike = floor is not None and nearest < floor
        bar = self.threshold if threshold is None else threshold
        unsure = top_label == OUT_OF_SCOPE or top_p < bar or unlike
        intent = None if unsure else top_label
        return Prediction(
            intent=intent,
            confidence=top_p,
            alternatives=alternatives,
            lang=lang,
            lang_detected=detected,
            top=top_label,
        )

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


_model_threads: dict[int, ThreadPoolExecutor] = {}


def _model_thread() -> ThreadPoolExecutor:
    """The process's one thread for the model (per process: a forked worker starts its own)."""
    pid = os.getpid()
    executor = _model_threads.get(pid)
    if executor is None:
        executor = _model_threads[pid] = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="cw-assistant-model"
        )
    return executor


async def classify_async(text: str, lang: str | None = None) -> Prediction:
    """:meth:`IntentClassifier.classify` off the event loop (first call may load the model).

    On its own thread, not the event loop's default pool: that pool runs every view's
    database work, and under 30 questions a second the questions took all its threads, so
    the agents' consoles waited seconds for a read (``bench/chat_load.py --assistant``). One
    thread bounds the model to one core; questions beyond that wait for each other only."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_model_thread(), get_classifier().classify, text, lang)
