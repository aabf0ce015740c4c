from __future__ import annotations

from collections import Counter

import pytest

from chat_widget.assistant.nlu.dataset import training_examples, validation_examples
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE, WIDGET_INTENTS, all_intents
from chat_widget.assistant.nlu.paths import DATA_DIR

MIN_PER_INTENT = 20


@pytest.fixture(scope="module")
def counts() -> Counter[tuple[str, str | None]]:
    rows = training_examples() + validation_examples()
    return Counter((r.category, r.lang) for r in rows)


def test_intent_set_is_banking77_plus_widget_intents() -> None:
    intents = all_intents()
    assert len(intents) == 83
    assert len(set(intents)) == 83
    assert set(WIDGET_INTENTS) <= set(intents)
    assert "lost_or_stolen_card" in intents


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_every_intent_has_enough_written_examples(
    counts: Counter[tuple[str, str | None]], lang: str
) -> None:
    short = {i: counts[(i, lang)] for i in all_intents() if counts[(i, lang)] < MIN_PER_INTENT}
    assert short == {}


def test_widget_intents_have_english_examples(counts: Counter[tuple[str, str | None]]) -> None:
    assert all(counts[(i, "en")] >= MIN_PER_INTENT for i in WIDGET_INTENTS)


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_out_of_scope_examples_exist_per_language(
    counts: Counter[tuple[str, str | None]], lang: str
) -> None:
    assert counts[(OUT_OF_SCOPE, lang)] >= 10


def test_validation_never_overlaps_training() -> None:
    train = {r.text.casefold().strip() for r in training_examples()}
    leaked = [r.text for r in validation_examples() if r.text.casefold().strip() in train]
    assert leaked == []


def test_every_label_is_known() -> None:
    known = set(all_intents()) | {OUT_OF_SCOPE}
    rows = training_examples() + validation_examples()
    assert {r.category for r in rows} <= known
    assert {r.lang for r in rows} <= {"fr", "nl", "en", "de"}


def test_validation_holds_every_language_and_oos() -> None:
    rows = validation_examples()
    assert {r.lang for r in rows if r.category != OUT_OF_SCOPE} == {"fr", "nl", "en", "de"}
    assert {r.lang for r in rows if r.category == OUT_OF_SCOPE} >= {"fr", "nl", "de", "en"}


def test_third_party_data_is_credited() -> None:
    credits = (DATA_DIR / "CREDITS.md").read_text(encoding="utf-8")
    assert "CC-BY-4.0" in credits and "BANKING77" in credits
    assert "CC-BY-3.0" in credits and "CLINC150" in credits
