"""Word and character n-grams as scikit-learn's ``TfidfVectorizer`` makes them, without it.

Training fits the TF-IDF classifier with scikit-learn; answering only needs its vocabulary,
weights and these few lines. Importing scikit-learn costs a process ~70 MB (scipy's stats,
optimize, linalg… come with ``sklearn.base``), a sixth of the assistant's memory budget, so the
saved model holds plain tables and the analysers below. They follow scikit-learn 1.9's
``_preprocess``, ``strip_accents_unicode``, ``_word_ngrams`` and ``_char_wb_ngrams``
(``sklearn/feature_extraction/text.py``) for ``lowercase=True``, ``strip_accents="unicode"``,
the default ``token_pattern`` and no stop words; ``tests/unit/assistant_nlu/test_fit.py``
holds them equal to scikit-learn's on every validation text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")


def preprocess(text: str) -> str:
    """Lower case, then accents removed (NFKD, combining marks dropped) unless plain ASCII."""
    text = text.lower()
    try:
        text.encode("ASCII", errors="strict")
    except UnicodeEncodeError:
        normalized = unicodedata.normalize("NFKD", text)
        return "".join(c for c in normalized if not unicodedata.combining(c))
    return text


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """Tokens of two or more word characters, joined by one space into ``low``…``high``-grams."""
    tokens = _TOKEN.findall(text)
    if high == 1:
        return tokens
    out: list[str] = list(tokens) if low == 1 else []
    start = max(low, 2)
    for n in range(start, min(high + 1, len(tokens) + 1)):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams inside each word padded with one space on each side; a word shorter
    than ``n`` gives itself once."""
    text = _WHITE_SPACES.sub(" ", text)
    out: list[str] = []
    for word in text.split():
        padded = " " + word + " "
        length = len(padded)
        for n in range(low, high + 1):
            offset = 0
            out.append(padded[offset : offset + n])
            while offset + n < length:
                offset += 1
                out.append(padded[offset : offset + n])
            if offset == 0:
                break
    return out


@dataclass(frozen=True)
class Analyzer:
    """One vectorizer's text → n-grams (picklable, unlike scikit-learn's closures)."""

    kind: Literal["word", "char_wb"]
    low: int
    high: int

    def __call__(self, text: str) -> list[str]:
        clean = preprocess(text)
        if self.kind == "word":
            return word_ngrams(clean, self.low, self.high)
        return char_wb_ngrams(clean, self.low, self.high)
