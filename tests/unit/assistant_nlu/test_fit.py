"""The tables the assistant answers with compute what the fitted scikit-learn objects do, and
what training drops to stay in the memory budget changes no other message's score."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from chat_widget.assistant.nlu.dataset import (
    spoken_validation_examples,
    translated_validation_examples,
    validation_examples,
    written_validation_examples,
)
from chat_widget.assistant.nlu.fit import (
    _analyzer,
    _drop_rare_words,
    _vectorizer,
    fit_neighbours,
    linear_layer,
    tfidf_tables,
)
from chat_widget.assistant.nlu.model import _softmax

ROWS = [
    ("my card is blocked", "card_blocked"),
    ("my card is blocked again since yesterday evening", "card_blocked"),
    ("card blocked at the shop", "card_blocked"),
    ("where is my new card", "card_arrival"),
    ("my new card has not arrived", "card_arrival"),
    ("new card not arrived by post", "card_arrival"),
    ("ma carte est bloquée", "card_blocked"),
    ("Meine Karte ist gesperrt", "card_blocked"),
    ("waar blijft mijn nieuwe bankkaart", "card_arrival"),
    ("how much does a transfer cost", "transfer_fee_charged"),
    ("combien coûte un virement SEPA ?", "transfer_fee_charged"),
]
ODD = [
    "",
    "   ",
    "a",
    "Ünïcödé àccents, CAPITALS & 12345 !!",
    "x" * 400,
    "e\u0301té  crème\tbrûlée\n\nœuvre ﬁn ß İstanbul",
    "hoe zet ik een domiciliëring stop?? 😀 €50,00",
    "l'IBAN BE68 5390 0754 7034 — c'est bon ?",
]


def _fitted() -> tuple[FeatureUnion, LinearSVC, np.ndarray]:
    union = _vectorizer()
    features = union.fit_transform([t for t, _ in ROWS])
    svm = LinearSVC(C=1.0, random_state=0).fit(features, [y for _, y in ROWS])
    return union, svm, features.getnnz(axis=0)


def test_the_analysers_make_scikit_learns_ngrams_on_every_validation_text() -> None:
    texts = [
        r.text
        for examples in (
            validation_examples(),
            written_validation_examples(),
            spoken_validation_examples(),
            translated_validation_examples(),
        )
        for r in examples
    ] + ODD
    assert len(texts) > 8000
    for _name, vectorizer in _vectorizer().transformer_list:
        theirs = vectorizer.build_analyzer()
        ours = _analyzer(vectorizer)
        for text in texts:
            assert ours(text) == theirs(text), (vectorizer.analyzer, text)


def test_a_setting_the_analysers_do_not_follow_is_refused() -> None:
    union = _vectorizer()
    words = dict(union.transformer_list)["words"]
    words.set_params(strip_accents="ascii")
    with pytest.raises(ValueError, match="no plain-Python analyser"):
        _analyzer(words)


@pytest.mark.parametrize("drop_rare", [False, True])
def test_the_tables_give_the_svms_margins(drop_rare: bool) -> None:
    union, svm, rows_per_feature = _fitted()
    if drop_rare:
        _drop_rare_words(union, svm, rows_per_feature)
    texts = [t for t, _ in ROWS] + ODD + ["my card is blocked yesterday", "carte bloquée"]
    expected = svm.decision_function(union.transform(texts))
    assert np.allclose(tfidf_tables(union, svm).margins(texts), expected, atol=1e-9)


def test_the_float16_tables_stay_within_a_thousandth_of_the_margins() -> None:
    union, svm, _ = _fitted()
    texts = [t for t, _ in ROWS] + ODD
    expected = svm.decision_function(union.transform(texts))
    svm.coef_ = np.asarray(svm.coef_, dtype=np.float16)
    tables = tfidf_tables(union, svm)
    assert tables.coef.dtype == np.float16
    assert np.allclose(tables.margins(texts), expected, atol=1e-3)


def test_the_embedding_layer_gives_the_regressions_probabilities() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((60, 16)).astype(np.float32)
    y = rng.choice(["a", "b", "c"], 60)
    clf = LogisticRegression(max_iter=500).fit(x, y)
    assert np.allclose(_softmax(linear_layer(clf).scores(x)), clf.predict_proba(x), atol=1e-9)


def test_word_ngrams_of_one_row_leave_the_vocabulary_and_the_weights() -> None:
    union, svm, rows_per_feature = _fitted()
    words = dict(union.transformer_list)["words"]
    assert "yesterday evening" in words.vocabulary_
    n_chars = svm.coef_.shape[1] - len(words.vocabulary_)

    _drop_rare_words(union, svm, rows_per_feature)

    assert "yesterday evening" not in words.vocabulary_
    assert "yesterday" not in words.vocabulary_
    assert {"card", "my card", "new card", "blocked"} <= set(words.vocabulary_)
    assert sorted(words.vocabulary_.values()) == list(range(len(words.vocabulary_)))
    assert len(words.idf_) == len(words.vocabulary_)
    assert svm.coef_.shape[1] == len(words.vocabulary_) + n_chars == svm.n_features_in_


def test_a_message_of_common_words_scores_as_before() -> None:
    """Its features and their weights are the same columns, renumbered."""
    union, svm, rows_per_feature = _fitted()
    common = ["my card is blocked", "my new card"]
    before = svm.decision_function(union.transform(common))

    _drop_rare_words(union, svm, rows_per_feature)

    after = svm.decision_function(union.transform(common))
    assert np.allclose(before, after, atol=1e-12)
    # A rare word now counts for nothing in the word part (the character n-grams still see it).
    words = dict(union.transformer_list)["words"]
    with_rare = words.transform(["my card is blocked yesterday"]).toarray()
    without = words.transform(["my card is blocked"]).toarray()
    assert np.array_equal(with_rare, without)


def test_the_neighbour_vote_weighs_the_nearest_rows() -> None:
    labels = ("a", "b", "c")
    vectors = np.array(
        [[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32
    )
    neighbours = fit_neighbours(vectors * 3, ["a", "a", "b", "c"], labels, ["fr"] * 4)
    # (unnormalised rows: the vote works on their directions)
    assert np.allclose(np.linalg.norm(neighbours.vectors, axis=1), 1.0)
    vote = neighbours.proba(np.array([[1.0, 0.05, 0.0], [0.0, 0.0, 2.0]], dtype=np.float32))
    assert np.allclose(vote.sum(axis=1), 1.0)
    assert vote[0].argmax() == 0 and vote[0, 0] > 0.99  # both "a" rows are nearest by far
    assert vote[1].argmax() == 2 and vote[1, 2] > 0.99
    few = dataclasses.replace(neighbours, k=1)
    assert few.proba(np.array([[0.0, 1.0, 0.1]], dtype=np.float32))[0].tolist() == [0, 1, 0]
    assert neighbours.proba(np.zeros((0, 3), dtype=np.float32)).shape == (0, 3)


def test_a_neighbour_counts_as_much_as_its_row_does_in_the_classifiers() -> None:
    """Two translated BANKING77 rows (weight one each) against one of our own German rows
    (weight three), all as near: our row's label wins the vote, 3 to 2."""
    labels = ("direct_debit", "direct_debit_payment_not_recognised")
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    neighbours = fit_neighbours(
        vectors,
        ["direct_debit", "direct_debit_payment_not_recognised"] * 1
        + ["direct_debit_payment_not_recognised"],
        labels,
        ["de", "de", "de"],
        [False, True, True],
    )
    vote = neighbours.proba(np.array([[1.0, 0.0]], dtype=np.float32))[0]
    assert np.allclose(vote, [0.6, 0.4])
    unweighted = dataclasses.replace(neighbours, weights=None)
    assert np.allclose(
        unweighted.proba(np.array([[1.0, 0.0]], dtype=np.float32))[0], [1 / 3, 2 / 3]
    )
