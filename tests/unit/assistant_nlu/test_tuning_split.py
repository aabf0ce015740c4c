"""The tuning split is drawn per language: new rows in one language leave the others' alone."""

from __future__ import annotations

from chat_widget.assistant.nlu.dataset import Example
from chat_widget.assistant.nlu.train import TUNING_SHARE, tuning_split


def _rows(lang: str | None, intents: int, per_intent: int, tag: str = "") -> list[Example]:
    return [
        Example(text=f"{lang} {tag} {i} {j}", category=f"intent_{i}", lang=lang)
        for i in range(intents)
        for j in range(per_intent)
    ]


def _tuning_texts(rows: list[Example], lang: str) -> set[str]:
    _, tune = tuning_split(rows)
    return {rows[i].text for i in tune if rows[i].lang == lang}


def test_more_english_rows_do_not_redraw_the_french_tuning_rows() -> None:
    french = _rows("fr", 10, 20)
    before = _tuning_texts(_rows(None, 10, 30) + french, "fr")
    after = _tuning_texts(_rows(None, 10, 30) + _rows("en", 10, 25, "new") + french, "fr")
    assert before == after


def test_every_row_is_in_exactly_one_part_and_each_language_gives_its_share() -> None:
    rows = _rows(None, 12, 30) + _rows("fr", 12, 20) + _rows("nl", 3, 2)  # Dutch: too few
    fit, tune = tuning_split(rows)
    assert sorted(fit + tune) == list(range(len(rows)))
    tuned_fr = [i for i in tune if rows[i].lang == "fr"]
    assert len(tuned_fr) == round(TUNING_SHARE * 240)
    # stratified: every French intent has tuning rows
    assert {rows[i].category for i in tuned_fr} == {f"intent_{i}" for i in range(12)}


def test_the_split_is_the_same_every_time() -> None:
    rows = _rows(None, 5, 10) + _rows("de", 5, 10)
    assert tuning_split(rows) == tuning_split(list(rows))
