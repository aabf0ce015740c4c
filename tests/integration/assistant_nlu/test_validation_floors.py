"""The model's accuracy on the held-out files stays above floors, per language.

These run the production path (language detection, greeting/filler peeling, both classifiers,
threshold, novelty floor) over every row of the validation files, so a data or code change
that costs accuracy fails here rather than in front of customers. The floors sit a little
under the figures measured when they were set (see the note in ``evaluate``): the files were
written separately from the training data, so these are honest floors, not tuned ones.
"""

from __future__ import annotations

import dataclasses

import pytest

from chat_widget.assistant.evaluate import Scores, evaluate
from chat_widget.assistant.nlu.classifier import IntentClassifier
from chat_widget.assistant.nlu.dataset import (
    SPOKEN_VALIDATION_2_FILE,
    SPOKEN_VALIDATION_FILE,
    TRANSLATED_VALIDATION_FILE,
    VALIDATION_FILE,
    WRITTEN_VALIDATION_FILE,
)
from chat_widget.assistant.nlu.paths import DATA_DIR

Results = tuple[dict[str, Scores], Scores]


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    return IntentClassifier.load()


@pytest.fixture(scope="module")
def written(classifier: IntentClassifier) -> Results:
    return evaluate(DATA_DIR / WRITTEN_VALIDATION_FILE, classifier)


@pytest.fixture(scope="module")
def spoken(classifier: IntentClassifier) -> Results:
    return evaluate(DATA_DIR / SPOKEN_VALIDATION_FILE, classifier)


@pytest.fixture(scope="module")
def spoken_2(classifier: IntentClassifier) -> Results:
    return evaluate(DATA_DIR / SPOKEN_VALIDATION_2_FILE, classifier)


@pytest.fixture(scope="module")
def translated(classifier: IntentClassifier) -> Results:
    return evaluate(DATA_DIR / TRANSLATED_VALIDATION_FILE, classifier)


@pytest.fixture(scope="module")
def first(classifier: IntentClassifier) -> Results:
    return evaluate(DATA_DIR / VALIDATION_FILE, classifier)


@pytest.fixture(scope="module")
def always_embedded(classifier: IntentClassifier) -> IntentClassifier:
    """The same model with the latency shortcut off: every message embedded."""
    model = dataclasses.replace(classifier.model, shortcuts={}, shortcut_floors={})
    return IntentClassifier(model, classifier.meta, classifier._embedder)


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
def test_written_validation_top1_per_language(written: Results, lang: str) -> None:
    """English's floor is higher since its written rows cover BANKING77's intents too
    (``written/train_en_b77.csv``, 2026-12-07: 0.931 → 0.955 here; 0.92-0.93 without them)."""
    per_lang, _ = written
    assert per_lang[lang].accuracy >= (0.94 if lang == "en" else 0.91)
    assert per_lang[lang].accuracy_on_answered >= 0.975


def test_written_validation_off_topic_is_rarely_answered(written: Results) -> None:
    _, overall = written
    assert overall.oos_answered <= 0.06


@pytest.mark.parametrize(("file", "lang"), [(1, "fr"), (1, "nl"), (1, "de"), (2, "fr"), (2, "de")])
def test_spoken_questions_few_wrong_answers_and_most_answered(
    spoken: Results, spoken_2: Results, file: int, lang: str
) -> None:
    """Issue 13's target for real spoken questions: at most 5% wrong answers (of all
    questions) while answering at least half; on both spoken passes."""
    scores = (spoken if file == 1 else spoken_2)[0][lang]
    wrong_answers = scores.answered * (1 - scores.accuracy_on_answered)
    assert wrong_answers <= 0.05
    assert scores.answered >= 0.5
    assert scores.oos_answered <= 0.1


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_translated_banking77_questions(translated: Results, lang: str) -> None:
    """BANKING77's held-out questions as other translators wrote them in FR/NL/DE: the
    nearest we have to the translated BANKING77 test of issue 13 (target 0.90; 0.883-0.893
    when this floor was set, 0.849-0.864 before translation passes 2-4; 0.901-0.911 with
    e5's two fine-tuned top layers, 2026-12-08; 0.890-0.924 with three, Dutch on the floor).
    Wrong answers at most 5% of the questions, the issue's limit for spoken ones: with the
    tuned layers 3.7-4.4% (answered 89-92%, right when answering 95-96%), 3.4-3.9% before
    (answered 86-90%)."""
    scores = translated[0][lang]
    assert scores.accuracy >= 0.89
    assert scores.answered * (1 - scores.accuracy_on_answered) <= 0.05


def test_english_banking77_held_out_rows(first: Results) -> None:
    per_lang, _ = first
    assert per_lang["en"].accuracy >= 0.91


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_banking77_held_out_rows_in_translation(first: Results, lang: str) -> None:
    """The first writer's FR/NL/DE rows (not translations, despite the name). The translated
    BANKING77 rows (2026-12-06) taught BANKING77's own meaning of some intents where this
    writer followed the name (``get_physical_card`` is about the card's PIN there): French
    went from 0.910 to 0.898 (0.886 in one build of the day) while the translated set rose
    2.9-4.1 points; hence 0.88, not 0.89."""
    per_lang, _ = first
    assert per_lang[lang].accuracy >= 0.88


@pytest.mark.parametrize("name", [VALIDATION_FILE, WRITTEN_VALIDATION_FILE])
def test_latency_shortcut_keeps_top1_and_wrong_answers(
    classifier: IntentClassifier, always_embedded: IntentClassifier, name: str
) -> None:
    """Skipping the embedding for long messages TF-IDF is sure of (the p95 budget, see
    bench/assistant_bench.py) keeps each language's top-1 within one point and its wrong
    answers within half a point of all questions; the answers it withholds cost at most
    five points of answered (written English: 77.9% → 74.4%). The top-1 cost on written
    English moved between training runs (0.931 → 0.926 in one build, 0.932 → 0.926 in
    another: four rows) until training was made reproducible, and it can exceed half a
    point, hence one point, not half."""
    if not classifier.model.shortcuts:
        pytest.skip("training chose no latency shortcut (train.TFIDF_SHORTCUT is off)")
    with_shortcut, _ = evaluate(DATA_DIR / name, classifier)
    without, _ = evaluate(DATA_DIR / name, always_embedded)
    for lang, scores in with_shortcut.items():
        base = without[lang]
        assert scores.accuracy >= base.accuracy - 0.01, lang
        wrong = scores.answered * (1 - scores.accuracy_on_answered)
        base_wrong = base.answered * (1 - base.accuracy_on_answered)
        assert wrong <= base_wrong + 0.005, lang
        assert scores.answered >= base.answered - 0.05, lang
        assert scores.oos_answered <= base.oos_answered + 0.01, lang
