"""Evaluate the intent classifier on a labelled CSV.

    python -m chat_widget.assistant.evaluate PATH.csv

The CSV has ``text,category`` and optionally ``lang``; ``out_of_scope`` marks utterances the
assistant must not answer. Prints one line per language, then, last, the overall line::

    accuracy=0.XXXX answered=0.XXXX accuracy_on_answered=0.XXXX oos_answered=0.XXXX n=N

accuracy is top-1 over in-scope rows (threshold ignored); answered is the share of in-scope
rows the assistant would answer (confident and in scope); accuracy_on_answered is how many of
those answers are right; oos_answered is the share of out-of-scope rows it wrongly answers.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chat_widget.assistant.nlu.artefact import EMBEDDINGS_FILE
from chat_widget.assistant.nlu.classifier import IntentClassifier
from chat_widget.assistant.nlu.dataset import Example, read_csv
from chat_widget.assistant.nlu.embeddings import EmbeddingCache
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE
from chat_widget.assistant.nlu.paths import model_dir


@dataclass(frozen=True)
class Scores:
    accuracy: float
    answered: float
    accuracy_on_answered: float
    oos_answered: float
    n: int

    def line(self) -> str:
        return (
            f"accuracy={self.accuracy:.4f} answered={self.answered:.4f} "
            f"accuracy_on_answered={self.accuracy_on_answered:.4f} "
            f"oos_answered={self.oos_answered:.4f} n={self.n}"
        )


def score(rows: Sequence[Example], top: Sequence[str], answered: Sequence[bool]) -> Scores:
    """Metrics for aligned rows, top-1 labels and answer decisions."""
    truth = np.array([r.category for r in rows])
    top_arr = np.asarray(top)
    ans = np.asarray(answered, dtype=bool)
    in_scope = truth != OUT_OF_SCOPE
    n_in = int(in_scope.sum())
    n_ans = int((ans & in_scope).sum())
    n_oos = int((~in_scope).sum())
    correct = top_arr == truth
    return Scores(
        accuracy=float((correct & in_scope).sum() / n_in) if n_in else 0.0,
        answered=n_ans / n_in if n_in else 0.0,
        accuracy_on_answered=float((correct & ans & in_scope).sum() / n_ans) if n_ans else 0.0,
        oos_answered=float((ans & ~in_scope).sum() / n_oos) if n_oos else 0.0,
        n=len(rows),
    )


def evaluate(path: Path, classifier: IntentClassifier) -> tuple[dict[str, Scores], Scores]:
    """Per-language and overall scores for the CSV at ``path``."""
    rows = read_csv(path)
    cache = EmbeddingCache(model_dir() / EMBEDDINGS_FILE)
    proba = classifier.probabilities([r.text for r in rows], [r.lang for r in rows], cache=cache)
    labels = classifier.model.labels
    # strict top-1: an in-scope row whose best label is out_of_scope counts as wrong
    top = [labels[int(np.argmax(row))] for row in proba]
    answered = [classifier.decide(row).intent is not None for row in proba]
    per_lang: dict[str, Scores] = {}
    langs = sorted({r.lang or "?" for r in rows})
    for lang in langs:
        idx = [i for i, r in enumerate(rows) if (r.lang or "?") == lang]
        per_lang[lang] = score(
            [rows[i] for i in idx], [top[i] for i in idx], [answered[i] for i in idx]
        )
    return per_lang, score(rows, top, answered)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the assistant's intent classifier.")
    parser.add_argument("path", type=Path, help="CSV with text,category[,lang]")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    per_lang, overall = evaluate(args.path, IntentClassifier.load())
    for lang, scores in per_lang.items():
        print(f"lang={lang} {scores.line()}")
    print(overall.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
