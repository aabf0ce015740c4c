"""What training drops to keep the model in its memory budget changes no other message's score."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from chat_widget.assistant.nlu.model import _drop_rare_words, _vectorizer

ROWS = [
    ("my card is blocked", "card_blocked"),
    ("my card is blocked again since yesterday evening", "card_blocked"),
    ("card blocked at the shop", "card_blocked"),
    ("where is my new card", "card_arrival"),
    ("my new card has not arrived", "card_arrival"),
    ("new card not arrived by post", "card_arrival"),
]


def _fitted() -> tuple[FeatureUnion, LinearSVC, np.ndarray]:
    union = _vectorizer()
    features = union.fit_transform([t for t, _ in ROWS])
    svm = LinearSVC(C=1.0, random_state=0).fit(features, [y for _, y in ROWS])
    return union, svm, features.getnnz(axis=0)


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
