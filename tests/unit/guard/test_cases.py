"""The labelled case file: recall and false-alarm targets of issue 7 for the Python engine."""

from __future__ import annotations

from collections import Counter

from chat_widget.guard import scan
from chat_widget.guard.rules import get_rules
from tests.unit.guard._support import load_cases

LANGS = ("fr", "nl", "en", "de")


def test_case_file_covers_every_kind_in_every_language() -> None:
    cases = load_cases()
    assert len(cases) >= 200
    seen = Counter((k, c["lang"]) for c in cases for k in c["kinds"])
    missing = [(k, lang) for k in get_rules().kinds for lang in LANGS if not seen[(k, lang)]]
    assert missing == []
    negatives = [c for c in cases if c["action"] == "allow"]
    assert len(negatives) >= 100
    assert {c["lang"] for c in negatives} == set(LANGS)


def test_recall_precision_and_false_alarms() -> None:
    cases = load_cases()
    block = [c for c in cases if c["action"] == "block"]
    checksum = [c for c in cases if {"card_number", "national_number"} & set(c["kinds"])]
    negatives = [c for c in cases if c["action"] == "allow"]
    results = [scan(c["text"], c["lang"]) for c in cases]
    by_text = {c["text"]: r for c, r in zip(cases, results, strict=True)}

    block_hits = sum(by_text[c["text"]].action == "block" for c in block)
    checksum_hits = sum(set(c["kinds"]) <= set(by_text[c["text"]].kinds) for c in checksum)
    false_alarms = [c["text"] for c in negatives if by_text[c["text"]].action != "allow"]
    flagged = [r for r in results if r.action != "allow"]
    correct_flags = sum(
        r.action == c["action"] for c, r in zip(cases, results, strict=True) if r.action != "allow"
    )
    exact = sum(
        (r.action, r.kinds) == (c["action"], c["kinds"])
        for c, r in zip(cases, results, strict=True)
    )

    recall_block = block_hits / len(block)
    recall_checksum = checksum_hits / len(checksum)
    false_alarm_rate = len(false_alarms) / len(negatives)
    precision = correct_flags / len(flagged)
    print(  # noqa: T201 - the figures are the point of this test
        f"\nguard cases={len(cases)} block recall={recall_block:.3f} "
        f"checksum recall={recall_checksum:.3f} false alarms={false_alarm_rate:.3f} "
        f"({len(false_alarms)}/{len(negatives)}) precision={precision:.3f} "
        f"exact action+kinds={exact}/{len(cases)}"
    )
    assert recall_block >= 0.98
    assert recall_checksum == 1.0
    assert false_alarm_rate <= 0.03, false_alarms
    assert precision >= 0.97


def test_mask_cases_are_masked_not_blocked() -> None:
    for c in load_cases():
        if c["action"] == "mask":
            assert scan(c["text"], c["lang"]).action == "mask", c["text"]
