"""Fitting the intent model's classifiers with scikit-learn, and turning them into the plain
tables :mod:`model` answers with.

Only training imports this module (and scikit-learn): a process that answers loads the tables
and never imports scikit-learn (~70 MB).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from chat_widget.assistant.nlu.embeddings import unit_rows
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE
from chat_widget.assistant.nlu.model import (
    EnglishHead,
    IntentModel,
    LinearLayer,
    Neighbours,
    TfidfPart,
    TfidfTables,
)
from chat_widget.assistant.nlu.ngrams import Analyzer

EMBEDDING_C = 100.0
EMBEDDING_MAX_ITER = 300
"""The weakly regularised embedding regression reaches its accuracy long before L-BFGS's
tolerance; 300 iterations fit 34k rows in ~30 s instead of minutes."""
TFIDF_C = 0.5
TFIDF_SEED = 0
"""liblinear's row-order seed (see ``fit_model``): any fixed value makes builds repeatable."""
WRITTEN_ROW_WEIGHT = 3.0
"""Our FR/NL/DE rows count thrice, or 117 English rows per intent drown their wording."""
ENGLISH_C = 10.0
"""The MiniLM classifier's regularisation (tuning split: 10 and 100 within 0.1 point)."""


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
        layer=linear_layer(clf),
        columns=columns,
        share=0.5,
        weights=(1 / 3, 1 / 3, 1 / 3),
        margin=np.inf,
        anchors=_anchors(vectors[y != OUT_OF_SCOPE]),
    )


def row_weights(
    langs: Sequence[str | None], translated: Sequence[bool] | None = None
) -> npt.NDArray[np.float64]:
    """Each row's weight in fitting: our own FR/NL/DE rows ``WRITTEN_ROW_WEIGHT``, English
    rows and rows translated from BANKING77 one."""
    from_b77 = translated if translated is not None else [False] * len(langs)
    return np.array(
        [
            1.0 if lang in (None, "en") or b77 else WRITTEN_ROW_WEIGHT
            for lang, b77 in zip(langs, from_b77, strict=True)
        ]
    )


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
    weights = row_weights(langs, translated)
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
        embedding=linear_layer(embedding_clf),
        tfidf=tfidf_tables(vectorizer, tfidf_clf),
        anchors=anchors,
    )


def fit_neighbours(
    embeddings: npt.NDArray[np.float32],
    labels: Sequence[str],
    all_labels: Sequence[str],
    langs: Sequence[str | None],
    translated: Sequence[bool] | None = None,
) -> Neighbours:
    """These rows' unit vectors, label columns and weights (``row_weights``: a neighbour
    counts as much as its row does in the classifiers), for the neighbour vote."""
    column = {label: j for j, label in enumerate(all_labels)}
    return Neighbours(
        vectors=np.ascontiguousarray(unit_rows(np.asarray(embeddings, dtype=np.float32))),
        labels=np.array([column[label] for label in labels], dtype=np.intp),
        n_labels=len(all_labels),
        weights=row_weights(langs, translated).astype(np.float32),
    )


def linear_layer(clf: LogisticRegression | LinearSVC) -> LinearLayer:
    """The fitted classifier's weights as they are (float16 stays float16)."""
    return LinearLayer(
        coef=np.asarray(clf.coef_), intercept=np.asarray(clf.intercept_, dtype=np.float64)
    )


def tfidf_tables(union: FeatureUnion, svm: LinearSVC) -> TfidfTables:
    """The fitted union's vocabularies and idf weights, with the SVM's weights."""
    if union.transformer_weights:
        raise ValueError("the TF-IDF tables assume unweighted union parts")
    parts = []
    offset = 0
    for _name, vectorizer in union.transformer_list:
        parts.append(
            TfidfPart(
                analyse=_analyzer(vectorizer),
                vocabulary=dict(vectorizer.vocabulary_),
                idf=np.asarray(vectorizer.idf_, dtype=np.float64),
                offset=offset,
                sublinear=bool(vectorizer.sublinear_tf),
            )
        )
        offset += len(vectorizer.vocabulary_)
    if offset != svm.coef_.shape[1]:
        raise ValueError("the SVM's weights and the vocabularies disagree")
    layer = linear_layer(svm)
    return TfidfTables(parts=tuple(parts), coef=layer.coef, intercept=layer.intercept)


def _analyzer(vectorizer: TfidfVectorizer) -> Analyzer:
    """The same n-grams as ``vectorizer.build_analyzer()``, for the settings ``_vectorizer``
    uses; any other setting is refused rather than silently analysed differently."""
    default = TfidfVectorizer()
    same = (
        vectorizer.lowercase
        and vectorizer.strip_accents == "unicode"
        and vectorizer.norm == "l2"
        and vectorizer.use_idf
        and vectorizer.stop_words is None
        and vectorizer.preprocessor is None
        and vectorizer.tokenizer is None
        and vectorizer.token_pattern == default.token_pattern
        and vectorizer.input == "content"
        and vectorizer.analyzer in ("word", "char_wb")
    )
    if not same:
        raise ValueError(f"no plain-Python analyser for {vectorizer!r}")
    low, high = vectorizer.ngram_range
    return Analyzer(kind=vectorizer.analyzer, low=low, high=high)


MIN_WORD_ROWS = 2
"""Word n-grams seen in fewer training rows than this are dropped once the SVM is fitted.

They are 58% of the word vocabulary (80k of 140k, nearly all bigrams) and 18 MB of the
answering process (``bench/assistant_bench.py``; vocabulary entries and weight columns); the SVM used them to fit the one row each came from, and a
new message rarely contains one. Dropping them after fitting moved top-1 on the validation
files by at most 0.2 points either way (one or two rows per file and language, 2026-12-06);
``min_df=2`` before fitting cost 0.3 points instead (the SVM then fits those rows through
their common words)."""


def _drop_rare_words(
    union: FeatureUnion, svm: LinearSVC, rows_per_feature: npt.NDArray[np.int_]
) -> None:
    """Remove the ``words`` part's rare n-grams from its vocabulary, idf and the SVM."""
    if union.transformer_list[0][0] != "words":
        raise ValueError("the words part must come first in the union")
    words = union.transformer_list[0][1]
    n_words = len(words.vocabulary_)
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
    return unit_rows(chosen)
