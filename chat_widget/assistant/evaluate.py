"""Evaluate the intent classifier on a labelled CSV, the way customers get it.

    python -m chat_widget.assistant.evaluate PATH.csv [--predictions OUT.csv] [--locale fr]

The CSV has ``text,category`` and optionally ``lang``; ``out_of_scope`` marks utterances the
assistant must not answer, and so does any category that is not one of our intents (such rows
are still predicted). Each row goes through the production path: language detection (with
``--locale``, the widget's locale, as the fallback; the ``lang`` column is never given to the
model), greeting/thanks handling, then the classifier. ``--predictions`` writes one row per
input row, in order: ``text,lang,predicted,confidence,answered`` (``lang`` is the detected
language, ``predicted`` the top label, ``answered`` 1 when the assistant would answer with it).

Prints one line per language (the CSV's ``lang`` column), then, last, the overall line::

    accuracy=0.XXXX answered=0.XXXX accuracy_on_answered=0.XXXX oos_answered=0.XXXX n=N

accuracy is top-1 over in-scope rows (threshold ignored); answered is the share of in-scope
rows the assistant would answer (confident and in scope); accuracy_on_answered is how many of
those answers are right; oos_answered is the share of out-of-scope rows it wrongly answers.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chat_widget.assistant.nlu.artefact import EMBEDDINGS_FILE
from chat_widget.assistant.nlu.classifier import IntentClassifier, Prediction
from chat_widget.assistant.nlu.dataset import Example, read_csv
from chat_widget.assistant.nlu.embeddings import EmbeddingCache
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE, all_intents
from chat_widget.assistant.nlu.language import DEFAULT_LOCALE
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


def _known(rows: Sequence[Example]) -> list[Example]:
    """Rows labelled with a category we do not have count as out-of-scope."""
    known = set(all_intents())
    return [r if r.category in known else Example(r.text, OUT_OF_SCOPE, r.lang) for r in rows]


def predict_rows(
    rows: Sequence[Example], classifier: IntentClassifier, locale: str | None = DEFAULT_LOCALE
) -> list[Prediction]:
    """Production predictions for ``rows`` (embeddings batched through the model's cache)."""
    cache = EmbeddingCache(model_dir() / EMBEDDINGS_FILE)
    return classifier.analyse([r.text for r in rows], [locale] * len(rows), cache=cache)


def write_predictions(
    path: Path, rows: Sequence[Example], predictions: Sequence[Prediction]
) -> None:
    """``text,lang,predicted,confidence,answered``, one line per input row, same order."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "lang", "predicted", "confidence", "answered"])
        for row, p in zip(rows, predictions, strict=True):
            writer.writerow(
                [
                    row.text,
                    p.lang or "",
                    p.top or "",
                    f"{p.confidence:.4f}",
                    int(p.intent is not None),
                ]
            )


def evaluate(
    path: Path,
    classifier: IntentClassifier,
    *,
    locale: str | None = DEFAULT_LOCALE,
    predictions_out: Path | None = None,
) -> tuple[dict[str, Scores], Scores]:
    """Per-language and overall scores for the CSV at ``path``."""
    raw = read_csv(path)
    predictions = predict_rows(raw, classifier, locale)
    if predictions_out is not None:
        write_predictions(predictions_out, raw, predictions)
    rows = _known(raw)
    # strict top-1: an in-scope row whose best label is out_of_scope counts as wrong
    top = [p.top or OUT_OF_SCOPE for p in predictions]
    answered = [p.intent is not None for p in predictions]
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
    parser.add_argument(
        "--predictions",
        type=Path,
        default=None,
        help="write text,lang,predicted,confidence,answered",
    )
    parser.add_argument(
        "--locale",
        default=DEFAULT_LOCALE,
        help="the widget's locale, used when a message's language is unclear (default: fr)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    per_lang, overall = evaluate(
        args.path, IntentClassifier.load(), locale=args.locale, predictions_out=args.predictions
    )
    for lang, scores in per_lang.items():
        print(f"lang={lang} {scores.line()}")
    print(overall.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
