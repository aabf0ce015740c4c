"""The intent model: two linear classifiers whose probabilities are averaged.

One reads multilingual sentence embeddings (meaning, across languages), the other TF-IDF word
and character n-grams (exact wording, typos, Belgian terms such as "Bancontact" that the
embedding may blur). Measured on the written validation split, the average beats either alone
(FR top-1 0.917 vs 0.883 embedding only).

The TF-IDF side is a linear SVM whose margins go through a softmax (``TFIDF_SCALE``), not a
logistic regression: with 34k rows, 137k n-gram features and 107 labels, the regression took
over ten minutes to fit on one core, the SVM about one, with better accuracy.

This module is what answering needs: plain weight tables and vocabularies, no scikit-learn
(importing it costs ~70 MB). :mod:`fit` fits the classifiers with scikit-learn and converts
them into these tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from chat_widget.assistant.nlu.embeddings import unit_rows
from chat_widget.assistant.nlu.ngrams import Analyzer

Probabilities = npt.NDArray[np.float64]

TFIDF_SCALE = 10.0
"""SVM margins × this, then softmax, give the TF-IDF side's probabilities (before the model's
temperature); chosen on the tuning split."""
EMBEDDING_WEIGHTS = {"en": 0.45}
"""Share of the embedding classifier in the average, per language (chosen on the tuning split).

English has 117 BANKING77 rows per intent, so word n-grams are reliable; FR/NL/DE have ~16
written rows per intent and lean more on the multilingual embedding, which also learns from
the English rows."""
DEFAULT_EMBEDDING_WEIGHT = 0.75


@dataclass
class EnglishHead:
    """English questions' own classifier over all-MiniLM-L6-v2 vectors, and how it joins the
    other two in a cascade.

    First step: MiniLM and TF-IDF alone (``share`` is MiniLM's part). Where their top-2 margin
    reaches ``margin`` the decision is theirs, answered only from ``floor``, and the
    multilingual e5 encoder is not run; else all three are averaged with ``weights`` (e5,
    MiniLM, TF-IDF). On the tuning split (2026-12-05) the three together gave English top-1
    0.930 against 0.921 for e5 and TF-IDF. The margin and floor are chosen as the TF-IDF
    shortcut's are (``calibration.choose_shortcut``): the first step may decide alone only
    where top-1, wrong answers and off-topic answers stay as the full average's. Those
    questions cost MiniLM's ~10 ms instead of e5's ~25. ``anchors``/``novelty_floor`` are the
    novelty check in MiniLM's space (English rows always have a MiniLM vector, not always an
    e5 one).
    """

    layer: LinearLayer
    """The fitted logistic regression's weights (multinomial: softmax of its scores)."""
    columns: npt.NDArray[np.intp]
    """Where each of the regression's classes sits in the model's ``labels``."""
    share: float
    weights: tuple[float, float, float]
    margin: float
    floor: float = 1.0
    anchors: npt.NDArray[np.float32] | None = None
    novelty_floor: float | None = None

    def proba(self, vectors: npt.NDArray[np.float32], n_labels: int) -> Probabilities:
        """MiniLM classifier's probabilities in the model's label order (a label it never saw
        in English gets 0)."""
        scores = self.layer.scores(vectors)
        out = np.zeros((len(vectors), n_labels))
        out[:, self.columns] = _softmax(scores)
        return out

    def first_step(self, p_minilm: Probabilities, p_tfidf: Probabilities) -> Probabilities:
        mixed: Probabilities = self.share * p_minilm + (1 - self.share) * p_tfidf
        return mixed

    def needs_e5(self, first: Probabilities) -> npt.NDArray[np.bool_]:
        needs: npt.NDArray[np.bool_] = top2_margin(first) < self.margin
        return needs

    def full(
        self, p_e5: Probabilities, p_minilm: Probabilities, p_tfidf: Probabilities
    ) -> Probabilities:
        w_e5, w_minilm, w_tfidf = self.weights
        mixed: Probabilities = w_e5 * p_e5 + w_minilm * p_minilm + w_tfidf * p_tfidf
        return mixed

    def nearest(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        return _nearest(self.anchors, vectors)


@dataclass
class IntentModel:
    """Fitted classifiers plus the calibration temperature applied to their average."""

    labels: tuple[str, ...]
    embedding: LinearLayer
    """The logistic regression over the sentence embeddings (softmax of its scores)."""
    tfidf: TfidfTables
    """The linear SVM over word and character n-grams."""
    embedding_weights: dict[str, float] = field(default_factory=lambda: dict(EMBEDDING_WEIGHTS))
    default_embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT
    temperature: float = 1.0
    tfidf_scale: float = TFIDF_SCALE
    encoders: tuple[str, ...] = ("e5",)
    """The sentence encoders whose concatenated vectors ``embedding`` reads."""
    anchors: npt.NDArray[np.float32] | None = None
    """L2-normalised embeddings of the in-scope training rows (for :meth:`nearest`)."""
    novelty_floor: float | None = None
    """Below this cosine to the nearest in-scope training row, a message is unlike anything the
    model learned: the assistant does not answer it however confident the classifiers are.
    Off-topic requests the classifiers squeeze into an intent are caught here (see ``train``)."""
    shortcuts: dict[str, float] = field(default_factory=dict)
    """Per language: the TF-IDF top-2 margin at or above which the embedding is skipped.

    The embedding is ~95% of the cost of a question (about 1.4 ms per token on one core); when
    the word/char classifier alone leads its runner-up by this much, the average nearly always
    agrees with it. Chosen per language on the tuning split as the lowest margin that keeps
    top-1, wrong answers and answers within ``calibration``'s tolerances (see ``train``); a
    language without an entry is always embedded. English (117 BANKING77 rows per intent) and
    German get one; French and Dutch, whose TF-IDF side is less sure, did not (2026-12-05).
    With the English head, English's keeps long questions off the e5 path (without it the
    bench's p95 rose by 1.5-5 ms)."""
    shortcut_floors: dict[str, float] = field(default_factory=dict)
    """Per language: the TF-IDF probability a row that skipped the embedding needs to be
    answered (higher than the model's threshold: see ``calibration.SHORTCUT_FLOORS``)."""
    shortcut_min_chars: int = 0
    """The shortcut applies only to messages at least this long (0: to all).

    The embedding costs about 1.4 ms per token, so long messages set the p95; short ones are
    cheap to embed and are where the TF-IDF classifier is most often confidently wrong."""
    english: EnglishHead | None = None
    """English questions' MiniLM classifier and cascade (None: English is treated as the
    other languages are)."""
    neighbours: Neighbours | None = None
    """The FR/NL/DE training rows' e5 vectors and labels, for :meth:`raw_proba`'s vote."""
    neighbour_share: float = 0.0
    """The neighbour vote's share in the average of rows the English head does not read
    (chosen on the tuning split; 0: no vote)."""

    def tfidf_proba(self, texts: Sequence[str]) -> Probabilities:
        """The word/char classifier alone, columns in ``labels`` order (~0.3 ms a message)."""
        return _softmax(self.tfidf_scale * self.tfidf_margins(texts))

    def tfidf_margins(self, texts: Sequence[str]) -> Probabilities:
        """The linear SVM's margins: ``decision_function(vectorizer.transform(texts))`` of the
        fitted scikit-learn objects (``tests/unit/assistant_nlu/test_fit.py`` holds them
        equal), one message at a time as scikit-learn's own transform also goes."""
        return self.tfidf.margins(texts)

    def embedding_proba(self, embeddings: npt.NDArray[np.float32]) -> Probabilities:
        """The embedding classifier's probabilities (``predict_proba`` of the fitted logistic
        regression, unit-tested)."""
        return _softmax(self.embedding.scores(embeddings))

    def nearest(self, embeddings: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """Cosine to the closest in-scope training row, per row (1.0 without anchors)."""
        return _nearest(self.anchors, embeddings)

    def is_english(self, langs: Sequence[str | None]) -> npt.NDArray[np.bool_]:
        """Rows the English head reads (none without one)."""
        if self.english is None:
            return np.zeros(len(langs), dtype=bool)
        return np.array([_lang_key(lang) == "en" for lang in langs], dtype=bool)

    def skips_embedding(
        self,
        p_tfidf: Probabilities,
        lengths: Sequence[int] | None = None,
        langs: Sequence[str | None] | None = None,
    ) -> npt.NDArray[np.bool_]:
        """Rows the TF-IDF classifier decides alone (``lengths``: the texts' characters,
        ``langs``: their languages; without them nothing skips)."""
        if langs is None or not self.shortcuts:
            return np.zeros(len(p_tfidf), dtype=bool)
        margins = np.array([self.shortcuts.get(_lang_key(lang), np.inf) for lang in langs])
        return shortcut_rows(p_tfidf, margins, lengths, self.shortcut_min_chars)

    def shortcut_floor(self, lang: str | None, threshold: float) -> float:
        """The answer threshold of a row in ``lang`` that skipped the embedding."""
        return max(threshold, self.shortcut_floors.get(_lang_key(lang), threshold))

    def raw_proba(
        self,
        texts: Sequence[str],
        embeddings: npt.NDArray[np.float32],
        langs: Sequence[str | None] | None = None,
        p_tfidf: Probabilities | None = None,
    ) -> Probabilities:
        """Averaged class probabilities before temperature scaling, columns in ``labels`` order."""
        p_emb = self.embedding_proba(embeddings)
        if p_tfidf is None:
            p_tfidf = self.tfidf_proba(texts)
        langs = langs if langs is not None else [None] * len(texts)
        w = np.array(
            [
                self.embedding_weights.get(_lang_key(lang), self.default_embedding_weight)
                for lang in langs
            ]
        )[:, None]
        mixed: Probabilities = w * p_emb + (1 - w) * p_tfidf
        if self.neighbours is not None and self.neighbour_share > 0:
            rows = np.flatnonzero(~self.is_english(langs))
            if len(rows):
                share = self.neighbour_share
                vote = self.neighbours.proba(embeddings[rows])
                mixed[rows] = (1 - share) * mixed[rows] + share * vote
        return mixed

    def predict_proba(
        self,
        texts: Sequence[str],
        embeddings: npt.NDArray[np.float32],
        langs: Sequence[str | None] | None = None,
        p_tfidf: Probabilities | None = None,
    ) -> Probabilities:
        """Calibrated class probabilities of the full model, columns in ``labels`` order."""
        return apply_temperature(
            self.raw_proba(texts, embeddings, langs, p_tfidf), self.temperature
        )


def _nearest(
    anchors: npt.NDArray[np.float32] | None, embeddings: npt.NDArray[np.float32]
) -> npt.NDArray[np.float64]:
    if anchors is None or not len(embeddings):
        return np.ones(len(embeddings))
    unit = unit_rows(embeddings)
    best = np.empty(len(unit))
    for start in range(0, len(unit), 256):  # bounds the similarity matrix's memory
        best[start : start + 256] = (unit[start : start + 256] @ anchors.T).max(axis=1)
    return best


def _lang_key(lang: str | None) -> str:
    """ "en-GB" and "EN" mean English too."""
    return (lang or "")[:2].lower()


def top2_margin(proba: Probabilities) -> npt.NDArray[np.float64]:
    """Best minus second-best probability, per row (how clearly one label leads)."""
    if proba.shape[1] < 2:
        return np.ones(len(proba))
    top2 = np.partition(proba, -2, axis=1)[:, -2:]
    margin: npt.NDArray[np.float64] = top2[:, 1] - top2[:, 0]
    return margin


def shortcut_rows(
    p_tfidf: Probabilities,
    shortcut: float | npt.NDArray[np.float64] | None,
    lengths: Sequence[int] | None,
    min_chars: int,
) -> npt.NDArray[np.bool_]:
    """Rows whose TF-IDF top-2 margin reaches ``shortcut`` (one value, or one per row) and
    whose text is long enough.

    The margin, not the top probability: a row split between two close intents (say
    ``card_arrival`` and ``card_delivery_estimate``) is exactly where the embedding decides."""
    if shortcut is None:
        return np.zeros(len(p_tfidf), dtype=bool)
    skip: npt.NDArray[np.bool_] = top2_margin(p_tfidf) >= shortcut
    if min_chars > 0:
        if lengths is None:
            return np.zeros(len(p_tfidf), dtype=bool)
        skip &= np.asarray(lengths) >= min_chars
    return skip


@dataclass(frozen=True)
class LinearLayer:
    """A fitted linear classifier's weights: ``scores = x @ coef.T + intercept``."""

    coef: npt.NDArray[np.floating]
    intercept: npt.NDArray[np.float64]

    def scores(self, x: npt.NDArray[np.floating]) -> Probabilities:
        out: Probabilities = np.asarray(x, dtype=np.float64) @ self.coef.T + self.intercept
        return out


@dataclass(frozen=True)
class TfidfPart:
    """One TfidfVectorizer of the union, reduced to what scoring one message needs."""

    analyse: Analyzer
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    offset: int
    """Where this part's columns start in the SVM's weights."""
    sublinear: bool

    def features(self, text: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """Column indices (within this part) and L2-normalised TF-IDF values of ``text``."""
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for term in self.analyse(text):
            j = vocabulary.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        index = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[index]
        norm = math.sqrt(float(values @ values))
        return index, values / norm if norm else values


@dataclass(frozen=True)
class TfidfTables:
    """The TF-IDF side: its vectorizers' vocabularies and the SVM's weights (float16: 107
    labels × ~118k n-grams are 25 MB so, 100 MB in float64)."""

    parts: tuple[TfidfPart, ...]
    coef: npt.NDArray[np.float16]
    intercept: npt.NDArray[np.float64]

    def margins(self, texts: Sequence[str]) -> Probabilities:
        out = np.empty((len(texts), len(self.intercept)))
        coef = self.coef
        for row, text in enumerate(texts):
            out[row] = self.intercept
            for part in self.parts:
                index, values = part.features(text)
                if len(index):
                    out[row] += coef[:, part.offset + index] @ values
        return out


NEIGHBOURS_K = 10
NEIGHBOURS_SHARPNESS = 0.02
"""A neighbour's vote is exp((cosine - best cosine) / this): 0.02 lets a row 0.05 less similar
than the nearest count a twelfth as much. k and this were compared on the validation files
(5/10/20, 0.02/0.05) only to see whether the vote helps at all; its share is chosen on the
tuning split."""


@dataclass(frozen=True)
class Neighbours:
    """A vote of the nearest training rows in e5's space, averaged into FR/NL/DE answers.

    The two linear classifiers draw one boundary per intent; a customer's question is often
    closest to a few training rows that say the same thing in other words (the FR/NL/DE
    translations of BANKING77's rows, our written rows). On the validation files (2026-12-06)
    adding the vote of the 10 nearest FR/NL/DE rows raised FR/NL/DE top-1 by 0.6–1.4 points
    on each of the three files; 15k or 30k random rows instead of all gained about half that.
    Training keeps FR/NL/DE rows only (``train``): English goes through the English head.
    Costs: 48.6k × 384 float32 (75 MB) and one product per question (~6.5 ms on one core).
    """

    vectors: npt.NDArray[np.float32]
    """L2-normalised, one row per training row."""
    labels: npt.NDArray[np.intp]
    """Each row's column in the model's ``labels``."""
    n_labels: int
    k: int = NEIGHBOURS_K
    sharpness: float = NEIGHBOURS_SHARPNESS
    weights: npt.NDArray[np.float32] | None = None
    """Each row's weight in the vote (None: one each). A BANKING77 intent has ~150 translated
    rows per language, a Belgian one (direct debits, Zoomit) ~20 of our own: unweighted, a
    German "wie richte ich eine Lastschrift ein" found more translated neighbours of
    ``direct_debit_payment_not_recognised`` than own rows of ``direct_debit``. Weighted as
    in the classifiers (our rows thrice), the vote counts what the classifiers count."""

    def proba(self, embeddings: npt.NDArray[np.float32]) -> Probabilities:
        """Per row, the share of the ``k`` nearest rows' weighted votes each label gets."""
        out = np.zeros((len(embeddings), self.n_labels))
        if not len(embeddings) or not len(self.vectors):
            return out
        unit = unit_rows(embeddings)
        k = min(self.k, len(self.vectors))
        for start in range(0, len(unit), 256):  # bounds the similarity matrix's memory
            sims = unit[start : start + 256] @ self.vectors.T
            nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            top = np.take_along_axis(sims, nearest, axis=1).astype(np.float64)
            votes = np.exp((top - top.max(axis=1, keepdims=True)) / self.sharpness)
            if self.weights is not None:
                votes *= self.weights[nearest]
            rows = np.repeat(np.arange(len(nearest)) + start, k)
            np.add.at(out, (rows, self.labels[nearest].ravel()), votes.ravel())
        total = out.sum(axis=1, keepdims=True)
        result: Probabilities = out / np.maximum(total, 1e-300)
        return result


def _softmax(scores: Probabilities) -> Probabilities:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: Probabilities = exp / exp.sum(axis=1, keepdims=True)
    return out


def apply_temperature(proba: Probabilities, temperature: float) -> Probabilities:
    """Sharpen (T < 1) or soften (T > 1) a probability matrix, keeping rows summing to 1."""
    if temperature == 1.0:
        return proba
    logits = np.log(np.clip(proba, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    scaled: Probabilities = exp / exp.sum(axis=1, keepdims=True)
    return scaled
