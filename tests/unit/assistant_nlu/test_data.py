from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from chat_widget.assistant.nlu.dataset import (
    SPOKEN_VALIDATION_2_FILE,
    SPOKEN_VALIDATION_FILE,
    TRANSLATED_VALIDATION_FILE,
    VALIDATION_FILES,
    WRITTEN_VALIDATION_FILE,
    Example,
    normalised,
    read_csv,
    spoken_validation_examples,
    training_examples,
    training_files,
    translated_validation_examples,
    validation_examples,
    write_csv,
    written_validation_examples,
)
from chat_widget.assistant.nlu.embeddings import Embedder, _key
from chat_widget.assistant.nlu.intents import (
    BANK_INTENTS,
    OUT_OF_SCOPE,
    WIDGET_INTENTS,
    all_intents,
    banking_intents,
)
from chat_widget.assistant.nlu.paths import DATA_DIR
from chat_widget.assistant.nlu.segment import classifier_input
from chat_widget.assistant.nlu.train import MINILM_SEED_FILE, SEED_FILE, is_english

MIN_PER_INTENT = 20
MIN_WRITTEN_NEW = 60  # per new/widget intent and language, in written/train_<lang>.csv
MIN_WRITTEN_B77 = 25  # new rows per BANKING77 intent in written/train_{fr,nl,de}.csv
WRITTEN = DATA_DIR / "written"


@pytest.fixture(scope="module")
def counts() -> Counter[tuple[str, str | None]]:
    rows = training_examples() + validation_examples()
    return Counter((r.category, r.lang) for r in rows)


def test_intent_set_is_banking77_plus_widget_intents() -> None:
    intents = all_intents()
    assert len(intents) == 83 + len(BANK_INTENTS) == 106
    assert len(set(intents)) == 106
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
    train = {normalised(r.text) for r in training_examples()}
    for rows in (
        validation_examples(),
        written_validation_examples(),
        spoken_validation_examples(),
        translated_validation_examples(),
    ):
        leaked = [r.text for r in rows if normalised(r.text) in train]
        assert leaked == []


def test_the_separately_written_validation_file_is_never_a_training_file() -> None:
    names = {p.name for p in training_files()}
    assert Path(WRITTEN_VALIDATION_FILE).name not in names
    for held_out in (SPOKEN_VALIDATION_FILE, SPOKEN_VALIDATION_2_FILE, TRANSLATED_VALIDATION_FILE):
        assert Path(held_out).name not in names
    assert not any("validation" in n for n in names)
    assert {p.name for p in WRITTEN.glob("train_*.csv")} <= names
    assert {p.name for p in WRITTEN.glob("b77_translated_*.csv")} <= names


def test_training_drops_a_text_that_a_validation_file_holds(tmp_path: Path) -> None:
    (tmp_path / "written").mkdir()
    for name in ("banking77.csv", "multilingual.csv", "out_of_scope.csv"):
        write_csv(tmp_path / name, [])
    write_csv(
        tmp_path / "written" / "train_fr.csv",
        [Example("Bonjour, mon solde ?", "balance_overview", "fr"), Example("x y", "pay_bill")],
    )
    write_csv(tmp_path / "validation.csv", [])
    write_csv(
        tmp_path / WRITTEN_VALIDATION_FILE, [Example("bonjour,  MON solde ?", "balance_overview")]
    )
    rows = training_examples(tmp_path)
    assert [(r.text, r.lang) for r in rows] == [("x y", "fr")]  # lang from the file name


def test_every_label_is_known() -> None:
    known = set(all_intents()) | {OUT_OF_SCOPE}
    rows = (
        training_examples()
        + validation_examples()
        + written_validation_examples()
        + spoken_validation_examples()
        + translated_validation_examples()
    )
    for path in training_files():
        rows += read_csv(path)
    assert {r.category for r in rows} <= known
    assert {r.lang for r in rows} <= {"fr", "nl", "en", "de"}


@pytest.mark.parametrize("lang", ["fr", "nl", "en", "de"])
def test_written_training_covers_the_new_intents(lang: str) -> None:
    counts = Counter(r.category for r in read_csv(WRITTEN / f"train_{lang}.csv"))
    intents = BANK_INTENTS if lang == "en" else BANK_INTENTS + WIDGET_INTENTS
    short = {i: counts[i] for i in intents if counts[i] < MIN_WRITTEN_NEW}
    assert short == {}
    if lang != "en":
        thin = {i: counts[i] for i in banking_intents() if counts[i] < MIN_WRITTEN_B77}
        assert thin == {}


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_translated_banking77_rows_exist_for_every_intent(lang: str) -> None:
    counts = Counter(r.category for r in read_csv(WRITTEN / f"b77_translated_{lang}.csv"))
    assert set(counts) == set(banking_intents())


def test_validation_holds_every_language_and_oos() -> None:
    rows = validation_examples()
    assert {r.lang for r in rows if r.category != OUT_OF_SCOPE} == {"fr", "nl", "en", "de"}
    assert {r.lang for r in rows if r.category == OUT_OF_SCOPE} >= {"fr", "nl", "de", "en"}


def test_third_party_data_is_credited() -> None:
    credits = (DATA_DIR / "CREDITS.md").read_text(encoding="utf-8")
    assert "CC-BY-4.0" in credits and "BANKING77" in credits
    assert "CC-BY-3.0" in credits and "CLINC150" in credits
    for path in [
        *training_files(),
        DATA_DIR / WRITTEN_VALIDATION_FILE,
        DATA_DIR / SPOKEN_VALIDATION_FILE,
        DATA_DIR / SPOKEN_VALIDATION_2_FILE,
        DATA_DIR / TRANSLATED_VALIDATION_FILE,
    ]:
        if path.parent == WRITTEN:
            assert path.name in credits, path.name


def test_spoken_validation_is_spoken_style_fr_de_nl_with_off_topic() -> None:
    rows = spoken_validation_examples()
    assert {r.lang for r in rows} == {"fr", "de", "nl"}
    for lang in ("fr", "de"):
        in_scope = [r for r in rows if r.lang == lang and r.category != OUT_OF_SCOPE]
        assert len(in_scope) >= 100
        assert len({r.category for r in in_scope}) >= 35
        assert sum(r.lang == lang and r.category == OUT_OF_SCOPE for r in rows) >= 10


def test_translated_validation_holds_every_banking77_intent_in_fr_nl_de() -> None:
    rows = translated_validation_examples()
    for lang in ("fr", "nl", "de"):
        assert {r.category for r in rows if r.lang == lang} == set(banking_intents())


def test_every_validation_file_is_held_out_and_fingerprinted() -> None:
    """A validation file added to ``written/`` without its constant would be neither
    de-duplicated against training nor part of the model's fingerprint."""
    on_disk = {f"written/{p.name}" for p in WRITTEN.glob("validation*.csv")}
    assert on_disk == {name for name in VALIDATION_FILES if name.startswith("written/")}


def test_rows_are_marked_translated_by_their_file_not_their_text(tmp_path: Path) -> None:
    (tmp_path / "written").mkdir()
    for name in ("banking77.csv", "multilingual.csv", "out_of_scope.csv", "validation.csv"):
        write_csv(tmp_path / name, [])
    write_csv(tmp_path / "written" / "train_fr.csv", [Example("ma carte", "card_arrival")])
    write_csv(
        tmp_path / "written" / "b77_translated_fr.csv",
        [Example("ma carte", "card_arrival"), Example("où est ma carte", "card_arrival")],
    )
    rows = training_examples(tmp_path)
    assert [(r.text, r.translated) for r in rows] == [
        ("ma carte", False),  # ours, kept first; the translation's copy is a duplicate
        ("où est ma carte", True),
    ]


@pytest.mark.parametrize(
    ("encoder", "seed", "english_only"),
    [("e5", SEED_FILE, False), ("minilm", MINILM_SEED_FILE, True)],
)
def test_the_shipped_seeds_hold_every_training_row(
    encoder: str, seed: str, english_only: bool
) -> None:
    """A row missing from a seed is embedded on the building machine's CPU, whose float steps
    may round differently: that build then trains on other vectors than everyone else's."""
    name = Embedder((encoder,)).encoders[0].name
    texts = {
        classifier_input(r.text)
        for r in training_examples(DATA_DIR)
        if not english_only or is_english(r.lang)
    }
    with np.load(DATA_DIR / seed) as data:
        shipped = set(data[f"keys_{name}"].tolist())
    missing = sorted(t for t in texts if _key(name, t) not in shipped)
    assert not missing, (
        f"{len(missing)} training rows are not in {seed} (python -m chat_widget.assistant.nlu.seed)"
        f": {missing[:3]}"
    )
