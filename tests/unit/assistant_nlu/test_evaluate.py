from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

from chat_widget.assistant.evaluate import score
from chat_widget.assistant.nlu.classifier import IntentClassifier
from chat_widget.assistant.nlu.dataset import Example
from chat_widget.assistant.nlu.paths import REPO_ROOT

LAST_LINE = re.compile(
    r"^accuracy=(\d\.\d{4}) answered=(\d\.\d{4}) accuracy_on_answered=(\d\.\d{4}) "
    r"oos_answered=(\d\.\d{4}) n=(\d+)$"
)


def test_score_counts_answers_and_oos() -> None:
    rows = [
        Example("a", "card_arrival"),
        Example("b", "card_arrival"),
        Example("c", "pin_blocked"),
        Example("d", "out_of_scope"),
    ]
    top = ["card_arrival", "pin_blocked", "pin_blocked", "card_arrival"]
    answered = [True, False, True, True]
    s = score(rows, top, answered)
    assert (s.accuracy, s.answered, s.accuracy_on_answered, s.oos_answered, s.n) == (
        2 / 3,
        2 / 3,
        1.0,
        1.0,
        4,
    )


def test_cli_prints_languages_then_the_summary_line(
    classifier: IntentClassifier, tmp_path: Path
) -> None:
    path = tmp_path / "sample.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "category", "lang"])
        writer.writerow(["ma carte a été volée", "lost_or_stolen_card", "fr"])
        writer.writerow(["mijn kaart is gestolen", "lost_or_stolen_card", "nl"])
        writer.writerow(["I want to talk to a human", "talk_to_human", "en"])
        writer.writerow(["what's the weather like in Rome", "out_of_scope", "en"])
        writer.writerow(["Bonjour, quel est mon solde ? Merci", "balance_overview", "fr"])
        writer.writerow(["where can I buy a cheap flight", "book_flight", "en"])  # not ours
    predictions = tmp_path / "predictions.csv"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "chat_widget.assistant.evaluate",
            str(path),
            "--predictions",
            str(predictions),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=600,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["lang=en", "lang=fr", "lang=nl"]
    match = LAST_LINE.match(lines[-1])
    assert match is not None, lines[-1]
    accuracy, answered, on_answered, oos, n = match.groups()
    assert int(n) == 6
    assert float(accuracy) == 1.0
    assert float(oos) == 0.0  # the unknown category counts as out of scope
    with predictions.open(encoding="utf-8", newline="") as fh:
        out = list(csv.DictReader(fh))
    assert list(out[0]) == ["text", "lang", "predicted", "confidence", "answered"]
    assert [r["text"] for r in out] == [
        "ma carte a été volée",
        "mijn kaart is gestolen",
        "I want to talk to a human",
        "what's the weather like in Rome",
        "Bonjour, quel est mon solde ? Merci",
        "where can I buy a cheap flight",
    ]
    assert out[4]["predicted"] == "balance_overview" and out[4]["answered"] == "1"
    assert out[4]["lang"] == "fr" and out[2]["lang"] == "en"
    assert out[3]["answered"] == "0" and out[5]["answered"] == "0"
    assert all(0.0 <= float(r["confidence"]) <= 1.0 for r in out)
