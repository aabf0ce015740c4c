from __future__ import annotations

import numpy as np

from chat_widget.assistant.nlu.calibration import (
    choose_shortcut,
    choose_threshold,
    fit_temperature,
    outcome,
)
from chat_widget.assistant.nlu.model import apply_temperature

CLASSES = ("card_arrival", "out_of_scope", "pin_blocked")


def test_outcome_never_answers_out_of_scope_top_label() -> None:
    proba = np.array([[0.1, 0.8, 0.1], [0.9, 0.05, 0.05]])
    result = outcome(proba, ["out_of_scope", "card_arrival"], CLASSES, 0.0)
    assert result.oos_answered == 0.0
    assert result.answered == 1.0
    assert result.accuracy_on_answered == 1.0


def test_threshold_rises_until_wrong_confident_answers_drop_out() -> None:
    # one right answer at 0.9, one wrong at 0.6: only a threshold above 0.6 is accurate enough
    proba = np.array([[0.9, 0.05, 0.05], [0.6, 0.1, 0.3]])
    chosen = choose_threshold(proba, ["card_arrival", "pin_blocked"], CLASSES)
    assert 0.6 < chosen.threshold <= 0.9
    assert chosen.accuracy_on_answered == 1.0


def test_temperature_keeps_rows_normalised_and_ranking() -> None:
    proba = np.array([[0.7, 0.2, 0.1]])
    for t in (0.5, 2.0):
        scaled = apply_temperature(proba, t)
        assert np.isclose(scaled.sum(), 1.0)
        assert scaled.argmax() == 0
    assert fit_temperature(np.array([[0.6, 0.2, 0.2]] * 10), ["card_arrival"] * 10, CLASSES) < 1.0


def test_shortcut_is_the_lowest_confidence_that_costs_nothing() -> None:
    # Row 2: TF-IDF is 0.9 sure but wrong, the full model right; row 1 agrees at 0.97.
    labels = ["card_arrival", "pin_blocked"]
    p_tfidf = np.array([[0.97, 0.02, 0.01], [0.9, 0.05, 0.05]])
    full = np.array([[0.95, 0.03, 0.02], [0.2, 0.1, 0.7]])
    assert choose_shortcut(p_tfidf, full, labels, CLASSES, 0.5) == 0.92
    # when TF-IDF is wrong even at its most confident, the embedding is never skipped
    assert choose_shortcut(np.array([[0.1, 0.0, 0.995]] * 2), full, labels, CLASSES, 0.5) is None


def test_only_long_rows_may_skip_and_short_ones_never_cost_accuracy() -> None:
    # Row 2 is short and TF-IDF is sure but wrong: with a length floor it is never skipped,
    # so the lowest candidate qualifies; without lengths nothing may skip at all.
    labels = ["card_arrival", "pin_blocked"]
    p_tfidf = np.array([[0.97, 0.02, 0.01], [0.9, 0.05, 0.05]])
    full = np.array([[0.95, 0.03, 0.02], [0.2, 0.1, 0.7]])
    assert choose_shortcut(p_tfidf, full, labels, CLASSES, 0.5, [200, 20], 60) == 0.5
    assert choose_shortcut(p_tfidf, full, labels, CLASSES, 0.5, None, 60) == 0.5  # no row skips
    assert choose_shortcut(p_tfidf, full, labels, CLASSES, 0.5, [200, 200], 60) == 0.92
