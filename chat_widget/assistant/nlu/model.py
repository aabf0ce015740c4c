"""The intent model: two linear classifiers whose probabilities are averaged.

One reads multilingual sentence embeddings (meaning, across languages), the other TF-IDF word
and character n-grams (exact wording, typos, Belgian terms such as "Bancontact" that the
embedding may blur). Measured on the written validation split, the average beats either alone
(FR top-1 0.917 vs 0.883 embedding only).

The TF-IDF side is a linear SVM whose margins go through a softmax (``TFIDF_SCALE``), not a
logistic regression: with 34k rows, 137k n-gram features and 107 labels, the regression took
over ten minutes to fit on one core, the SVM about one, with better accuracy.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE

Probabilities = npt.NDArray[np.float64]

EMBEDDING_C = 100.0
EMBEDDING_MAX_ITER = 300
"""The weakly regularised embedding regression reaches its accuracy long before L-BFGS's
tolerance; 300 iterations fit 34k rows in ~30 s instead of minutes."""
TFIDF_C = 0.5
TFIDF_SEED = 0
"""liblinear's row-order seed (see ``fit_model``): any fixed value makes builds repeatable."""
TFIDF_SCALE = 10.0
"""SVM margins × this, then softmax, give the TF-IDF side's probabilities (before the model's
temperature); chosen on the tuning split."""
EMBEDDING_WEIGHTS = {"en": 0.45}
"""Share of the embedding classifier in the average, per language (chosen on the tuning split).

English has 117 BANKING77 rows per intent, so word n-grams are reliable; FR/NL/DE have ~16
written rows per intent and lean more on the multilingual embedding, which also learns from
the English rows."""
DEFAULT_EMBEDDING_WEIGHT = 0.75
WRITTEN_ROW_WEIGHT = 3.0
"""Our FR/NL/DE rows count thrice, or 117 English rows per intent drown their wording."""


def _vectorizer() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode", lowercase=True
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    strip_accents="unicode",
                    lowercase=True,
                    min_df=2,
                ),
            ),
        ]
    )


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

    clf: LogisticRegression
    columns: npt.NDArray[np.intp]
    """Where each of ``clf.classes_`` sits in the model's ``labels``."""
    share: float
    weights: tuple[float, float, float]
    margin: float
    floor: float = 1.0
    anchors: npt.NDArray[np.float32] | None = None
    novelty_floor: float | None = None

    def proba(self, vectors: npt.NDArray[np.float32], n_labels: int) -> Probabilities:
        """MiniLM classifier's probabilities in the model's label order (a label it never saw
        in English gets 0)."""
        scores = np.asarray(vectors, dtype=np.float64) @ self.clf.coef_.T + self.clf.intercept_
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


def fit_english_head(
    vectors: npt.NDArray[np.float32],
    labels: Sequence[str],
    all_labels: Sequence[str],
    weights: npt.NDArray[np.float64] | None = None,
) -> EnglishHead:
    """The MiniLM classifier on English rows (mixing settings are the tuning split's: see
    ``train``); one BLAS thread, as ``fit_model``, so every build fits the same weights."""
    y = np.asarray(labels)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = LogisticRegression(C=ENGLISH_C, max_iter=EMBEDDING_MAX_ITER)
        clf.fit(vectors, y, sample_weight=weights)
    columns = np.array([list(all_labels).index(str(c)) for c in clf.classes_], dtype=np.intp)
    return EnglishHead(
        clf=clf,
        columns=columns,
        share=0.5,
        weights=(1 / 3, 1 / 3, 1 / 3),
        margin=np.inf,
        anchors=_anchors(vectors[y != OUT_OF_SCOPE]),
    )


ENGLISH_C = 10.0
"""The MiniLM classifier's regularisation (tuning split: 10 and 100 within 0.1 point)."""


@dataclass
class IntentModel:
    """Fitted classifiers plus the calibration temperature applied to their average."""

    labels: tuple[str, ...]
    embedding_clf: LogisticRegression
    vectorizer: FeatureUnion
    tfidf_clf: LinearSVC
    embedding_weights: dict[str, float] = field(default_factory=lambda: dict(EMBEDDING_WEIGHTS))
    default_embedding_weight: float = DEFAULT_EMBEDDING_WEIGHT
    temperature: float = 1.0
    tfidf_scale: float = TFIDF_SCALE
    encoders: tuple[str, ...] = ("e5",)
    """The sentence encoders whose concatenated vectors ``embedding_clf`` reads."""
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

    def __getstate__(self) -> dict[str, Any]:
        # The fast-path tables are rebuilt from the fitted objects on first use.
        state = dict(self.__dict__)
        state.pop("_fast", None)
        return state

    def tfidf_proba(self, texts: Sequence[str]) -> Probabilities:
        """The word/char classifier alone, columns in ``labels`` order (~0.3 ms a message)."""
        return _softmax(self.tfidf_scale * self.tfidf_margins(texts))

    def tfidf_margins(self, texts: Sequence[str]) -> Probabilities:
        """The linear SVM's margins, computed directly from its vocabularies and weights.

        The same numbers as ``tfidf_clf.decision_function(vectorizer.transform(texts))`` (a
        unit test holds them equal), without scikit-learn's per-call input validation, sparse
        matrix building and FeatureUnion stacking, which cost ~3 ms for one message: more than
        the arithmetic. Batches go through scikit-learn, where that overhead is shared.
        """
        texts = list(texts)
        if len(texts) > 8:
            return self._batch_margins(texts)
        fast = self._fast_tables()
        out = np.empty((len(texts), len(self.labels)))
        for row, text in enumerate(texts):
            out[row] = fast.intercept
            for part in fast.parts:
                index, values = part.features(text)
                if len(index):
                    out[row] += fast.coef[:, part.offset + index] @ values
        return out

    def _batch_margins(self, texts: list[str]) -> Probabilities:
        """``decision_function`` a few labels at a time: the float16 weights are widened to
        float64 for the product, and all of them at once would be 170 MB more for a moment."""
        features = self.vectorizer.transform(texts)
        coef = self.tfidf_clf.coef_
        out = np.empty((len(texts), len(coef)))
        for start in range(0, len(coef), _LABELS_PER_PRODUCT):
            block = np.asarray(coef[start : start + _LABELS_PER_PRODUCT], dtype=np.float64)
            out[:, start : start + _LABELS_PER_PRODUCT] = features @ block.T
        out += np.asarray(self.tfidf_clf.intercept_, dtype=np.float64)
        return out

    def embedding_proba(self, embeddings: npt.NDArray[np.float32]) -> Probabilities:
        """The embedding classifier's probabilities (multinomial: softmax of its scores).

        Equal to ``embedding_clf.predict_proba`` (unit-tested) at a tenth of its cost for
        one row."""
        fast = self._fast_tables()
        scores = np.asarray(embeddings, dtype=np.float64) @ fast.emb_coef.T + fast.emb_intercept
        return _softmax(scores)

    def _fast_tables(self) -> _FastTables:
        fast: _FastTables | None = self.__dict__.get("_fast")
        if fast is None:
            fast = _FastTables.build(self)
            self.__dict__["_fast"] = fast
        return fast

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
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    unit = (embeddings / np.maximum(norms, 1e-12)).astype(np.float32)
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
class _TfidfPart:
    """One TfidfVectorizer of the union, reduced to what scoring one message needs."""

    analyse: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    offset: int
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
class _FastTables:
    parts: tuple[_TfidfPart, ...]
    coef: npt.NDArray[np.float16]
    intercept: npt.NDArray[np.float64]
    emb_coef: npt.NDArray[np.float64]
    emb_intercept: npt.NDArray[np.float64]

    @classmethod
    def build(cls, model: IntentModel) -> _FastTables:
        parts = []
        offset = 0
        for _name, vectorizer in model.vectorizer.transformer_list:
            if vectorizer.norm != "l2" or not vectorizer.use_idf:
                raise ValueError("the fast TF-IDF path assumes l2-normalised idf weights")
            parts.append(
                _TfidfPart(
                    analyse=vectorizer.build_analyzer(),
                    vocabulary=vectorizer.vocabulary_,
                    idf=np.asarray(vectorizer.idf_, dtype=np.float64),
                    offset=offset,
                    sublinear=bool(vectorizer.sublinear_tf),
                )
            )
            offset += len(vectorizer.vocabulary_)
        if model.vectorizer.transformer_weights:
            raise ValueError("the fast TF-IDF path assumes unweighted union parts")
        emb = model.embedding_clf
        return cls(
            parts=tuple(parts),
            coef=model.tfidf_clf.coef_,  # shared, not copied (~40 MB)
            intercept=np.asarray(model.tfidf_clf.intercept_, dtype=np.float64),
            emb_coef=np.asarray(emb.coef_, dtype=np.float64),
            emb_intercept=np.asarray(emb.intercept_, dtype=np.float64),
        )


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


def fit_model(
    texts: Sequence[str],
    labels: Sequence[str],
    embeddings: npt.NDArray[np.float32],
    langs: Sequence[str | None],
    translated: Sequence[bool] | None = None,
) -> IntentModel:
    """Fit both classifiers on the same rows (our own non-English rows weighted up; rows
    translated from BANKING77 weigh one, as BANKING77's English rows do).

    Fitting runs on one BLAS thread: the weakly regularised embedding classifier has a flat
    optimum, and the point where L-BFGS meets its tolerance depended on the machine's thread
    count (110 vs 134 iterations, half a point of English accuracy between a 2- and a 1-thread
    build). One thread makes every build give the same model.
    """
    y = np.asarray(labels)
    from_b77 = translated if translated is not None else [False] * len(langs)
    weights = np.array(
        [
            1.0 if lang in (None, "en") or b77 else WRITTEN_ROW_WEIGHT
            for lang, b77 in zip(langs, from_b77, strict=True)
        ]
    )
    # Stopping early is deliberate (EMBEDDING_MAX_ITER): its convergence warning is noise.
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        embedding_clf = LogisticRegression(C=EMBEDDING_C, max_iter=EMBEDDING_MAX_ITER)
        embedding_clf.fit(embeddings, y, sample_weight=weights)
        vectorizer = _vectorizer()
        features = vectorizer.fit_transform(list(texts))
        # Seeded: liblinear's dual coordinate descent visits the rows in a random order,
        # drawn from numpy's global generator when unseeded, so two builds of the same data
        # gave different SVMs (and thresholds and shortcuts chosen on their scores).
        tfidf_clf = LinearSVC(C=TFIDF_C, random_state=TFIDF_SEED)
        tfidf_clf.fit(features, y, sample_weight=weights)
        # Kept in float16: 107 labels × 198k n-grams are 170 MB in float64, 81 MB in float32,
        # the largest part of the model's memory (budget 400 MB). On the 2,678 rows of
        # validation.csv float16 moved no top intent and no probability by more than 0.001.
        tfidf_clf.coef_ = np.asarray(tfidf_clf.coef_, dtype=np.float16)
        _drop_rare_words(vectorizer, tfidf_clf, features.getnnz(axis=0))
    if list(embedding_clf.classes_) != list(tfidf_clf.classes_):
        raise RuntimeError("classifiers disagree on the label order")
    anchors = _anchors(embeddings[y != OUT_OF_SCOPE])
    return IntentModel(
        labels=tuple(str(c) for c in embedding_clf.classes_),
        embedding_clf=embedding_clf,
        vectorizer=vectorizer,
        tfidf_clf=tfidf_clf,
        anchors=anchors,
    )


_LABELS_PER_PRODUCT = 16

MIN_WORD_ROWS = 2
"""Word n-grams seen in fewer training rows than this are dropped once the SVM is fitted.

They are 58% of the word vocabulary (80k of 140k, nearly all bigrams) and 29 MB of the model
(vocabulary entries and weights); the SVM used them to fit the one row each came from, and a
new message rarely contains one. Dropping them after fitting moved top-1 on the validation
files by at most 0.2 points either way (one or two rows per file and language, 2026-12-06);
``min_df=2`` before fitting cost 0.3 points instead (the SVM then fits those rows through
their common words)."""


def _drop_rare_words(
    union: FeatureUnion, svm: LinearSVC, rows_per_feature: npt.NDArray[np.int_]
) -> None:
    """Remove the ``words`` part's rare n-grams from its vocabulary, idf and the SVM."""
    words = dict(union.transformer_list)["words"]
    n_words = len(words.vocabulary_)
    if union.transformer_list[0][0] != "words":
        raise ValueError("the words part must come first in the union")
    keep = np.flatnonzero(np.asarray(rows_per_feature[:n_words]) >= MIN_WORD_ROWS)
    new_index = np.full(n_words, -1, dtype=np.int64)
    new_index[keep] = np.arange(len(keep))
    words.vocabulary_ = {
        term: int(new_index[j]) for term, j in words.vocabulary_.items() if new_index[j] >= 0
    }
    words.idf_ = np.asarray(words.idf_)[keep]
    words._tfidf.n_features_in_ = len(keep)
    columns = np.concatenate([keep, np.arange(n_words, svm.coef_.shape[1])])
    svm.coef_ = np.ascontiguousarray(svm.coef_[:, columns])
    svm.n_features_in_ = len(columns)


MAX_ANCHORS = 8000
"""In-scope rows kept for :meth:`IntentModel.nearest`: a fixed random quarter of ~33k. All of
them cost 4.4 ms per question (a 33k × 384 product); 8k cost ~1 ms, and the floor is chosen
against the same subset, so it stays calibrated."""


def _anchors(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(0)
    keep = np.sort(rng.permutation(len(vectors))[:MAX_ANCHORS])
    chosen = vectors[keep]
    norms = np.linalg.norm(chosen, axis=1, keepdims=True)
    out: npt.NDArray[np.float32] = (chosen / np.maximum(norms, 1e-12)).astype(np.float32)
    return out
