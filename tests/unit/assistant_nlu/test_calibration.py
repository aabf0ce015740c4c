from __future__ import annotations

import numpy as np

from chat_widget.assistant.nlu.calibration import (
    FALLBACK_THRESHOLD,
    EnglishMix,
    Shortcut,
    choose_english_mix,
    choose_shortcut,
    choose_shortcuts,
    choose_threshold,
    fit_temperature,
    outcome,
    rates,
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


def _with_sure_off_topic(off_topic_rows: int) -> tuple[np.ndarray, list[str]]:
    """20 right answers at 0.9, one wrong at 0.6, and one off-topic row the model is sure of
    (0.99) among ``off_topic_rows``: no threshold answers it less."""
    proba = np.array(
        [[0.9, 0.05, 0.05]] * 20
        + [[0.6, 0.1, 0.3]]
        + [[0.99, 0.005, 0.005]]
        + [[0.05, 0.9, 0.05]] * (off_topic_rows - 1)
    )
    return proba, ["card_arrival"] * 20 + ["pin_blocked"] + ["out_of_scope"] * off_topic_rows


def test_an_off_topic_row_answered_at_every_threshold_does_not_drop_it_to_the_fallback() -> None:
    # 1 of 20 off-topic rows (5%) at every threshold: the least any gets is the cap, and the
    # threshold still rises above the wrong answer.
    chosen = choose_threshold(*_with_sure_off_topic(20), CLASSES)
    assert 0.6 < chosen.threshold <= 0.9
    assert chosen.oos_answered == 0.05


def test_the_off_topic_cap_relaxes_at_most_to_twice_the_target() -> None:
    # 1 of 10 (10%, over 2 x 4%): no threshold qualifies, the fallback stands.
    assert choose_threshold(*_with_sure_off_topic(10), CLASSES).threshold == FALLBACK_THRESHOLD


def test_temperature_keeps_rows_normalised_and_ranking() -> None:
    proba = np.array([[0.7, 0.2, 0.1]])
    for t in (0.5, 2.0):
        scaled = apply_temperature(proba, t)
        assert np.isclose(scaled.sum(), 1.0)
        assert scaled.argmax() == 0
    assert fit_temperature(np.array([[0.6, 0.2, 0.2]] * 10), ["card_arrival"] * 10, CLASSES) < 1.0


def test_shortcut_is_the_lowest_margin_that_costs_nothing() -> None:
    # Row 2: TF-IDF leads by 0.85 but is wrong, the full model right; row 1 leads by 0.95.
    labels = ["card_arrival", "pin_blocked"]
    p_tfidf = np.array([[0.97, 0.02, 0.01], [0.9, 0.05, 0.05]])
    full = np.array([[0.95, 0.03, 0.02], [0.2, 0.1, 0.7]])
    assert choose_shortcut(p_tfidf, full, labels, CLASSES, 0.5) == Shortcut(0.9, 0.5)
    # when TF-IDF is wrong even at its most confident, the embedding is never skipped
    assert choose_shortcut(np.array([[0.1, 0.0, 0.995]] * 2), full, labels, CLASSES, 0.5) is None


def test_only_long_rows_may_skip_and_short_ones_never_cost_accuracy() -> None:
    # Row 2 is short and TF-IDF is sure but wrong: with a length floor it is never skipped,
    # so the lowest candidate qualifies; without lengths nothing may skip at all.
    labels = ["card_arrival", "pin_blocked"]
    p_tfidf = np.array([[0.97, 0.02, 0.01], [0.9, 0.05, 0.05]])
    full = np.array([[0.95, 0.03, 0.02], [0.2, 0.1, 0.7]])
    assert choose_shortcut(p_tfidf, full, labels, CLASSES, 0.5, [200, 20], 60) == Shortcut(0.5, 0.5)
    assert choose_shortcut(p_tfidf, full, labels, CLASSES, 0.5, None, 60) is None  # none skips
    assert choose_shortcut(p_tfidf, full, labels, CLASSES, 0.5, [200, 200], 60) == Shortcut(
        0.9, 0.5
    )


def test_a_skipped_row_the_full_model_would_not_answer_needs_a_higher_floor() -> None:
    # Row 2: TF-IDF is 0.97 sure and wrong; the full model is wrong too but unsure (0.5 under
    # the 0.7 threshold), so it asks. Skipping it at the usual threshold would answer it
    # wrongly: the floor rises until it asks again, while row 1 (0.99, right) still answers.
    labels = ["card_arrival", "pin_blocked"]
    p_tfidf = np.array([[0.99, 0.005, 0.005], [0.97, 0.015, 0.015]])
    full = np.array([[0.95, 0.03, 0.02], [0.5, 0.1, 0.4]])
    assert choose_shortcut(p_tfidf, full, labels, CLASSES, 0.7) == Shortcut(0.5, 0.99)


def test_shortcuts_are_chosen_per_language() -> None:
    labels = ["card_arrival", "pin_blocked", "card_arrival", "pin_blocked"]
    p_tfidf = np.array([[0.97, 0.02, 0.01], [0.05, 0.05, 0.9]] * 2)
    # English: TF-IDF agrees with the full model; French: it is sure and wrong on row 4
    full = np.array([[0.95, 0.03, 0.02], [0.1, 0.1, 0.8], [0.95, 0.03, 0.02], [0.1, 0.1, 0.8]])
    french_labels = labels[:3] + ["card_arrival"]
    full[3] = [0.8, 0.1, 0.1]
    chosen = choose_shortcuts(
        p_tfidf, full, french_labels, CLASSES, 0.5, [100] * 4, ["en", "en", "fr", "fr"], 60
    )
    # French row 4 (TF-IDF wrong, leading by 0.85) must keep its embedding: a higher margin
    assert chosen == {"en": Shortcut(0.5, 0.5), "fr": Shortcut(0.9, 0.5)}


def test_rates_count_wrong_answers_per_row_threshold() -> None:
    proba = np.array([[0.9, 0.05, 0.05], [0.8, 0.1, 0.1]])
    result = rates(proba, ["card_arrival", "pin_blocked"], CLASSES, np.array([0.5, 0.85]))
    assert (result.top1, result.answered, result.wrong) == (0.5, 0.5, 0.0)
    assert rates(proba, ["card_arrival", "pin_blocked"], CLASSES, 0.5).wrong == 0.5


def test_english_mix_takes_the_best_weights_and_first_step_share() -> None:
    # e5 alone is right on row 1 only, MiniLM on row 2 only, TF-IDF on both but barely:
    # only a mix with TF-IDF and something else gets both right.
    labels = ["card_arrival", "pin_blocked"]
    p_e5 = np.array([[0.9, 0.0, 0.1], [0.9, 0.0, 0.1]])
    p_minilm = np.array([[0.1, 0.0, 0.9], [0.1, 0.0, 0.9]])
    p_tfidf = np.array([[0.6, 0.0, 0.4], [0.4, 0.0, 0.6]])
    mix = choose_english_mix(p_e5, p_minilm, p_tfidf, labels, CLASSES)
    assert mix.top1_full == 1.0 and mix.top1_first == 1.0
    w_e5, w_minilm, w_tfidf = mix.weights
    full = w_e5 * p_e5 + w_minilm * p_minilm + w_tfidf * p_tfidf
    assert [CLASSES[i] for i in full.argmax(axis=1)] == labels
    first = mix.share * p_minilm + (1 - mix.share) * p_tfidf
    assert [CLASSES[i] for i in first.argmax(axis=1)] == labels
    assert isinstance(mix, EnglishMix) and abs(sum(mix.weights) - 1.0) < 1e-9
