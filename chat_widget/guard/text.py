"""Normalisation, tokens and digit chains: the guard's view of a message.

Everything here is mirrored line for line in ``guard.template.js``. Character classes are explicit
lists from ``rules.json`` (never ``\\w``/``\\b``/``isdigit``), because Python and JavaScript
disagree on what those mean outside ASCII; explicit classes keep both runtimes' decisions equal.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import NamedTuple

from chat_widget.guard.rules import Rules

WORD, NUM, PUNCT = "w", "n", "p"


class Token(NamedTuple):
    """One word (letters, maybe digits), number (digits only) or punctuation character."""

    kind: str
    text: str
    start: int
    end: int


class Chain(NamedTuple):
    """Digit groups joined by short separators, e.g. ``4111 1111-1111.1111``."""

    first: int
    last: int
    groups: tuple[int, ...]
    joins: tuple[str, ...]

    def digits(self, tokens: list[Token], i: int = 0, j: int | None = None) -> str:
        """Digits of groups ``i..j`` (inclusive)."""
        sel = self.groups[i : (len(self.groups) if j is None else j + 1)]
        return "".join(tokens[g].text for g in sel)


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", ch.lower()) if not "\u0300" <= c <= "\u036f"
    )


def normalize(text: str) -> tuple[str, list[int] | None]:
    """Lower-case and strip accents, returning a map from normalised to original offsets.

    Done per character (lower, NFD, drop U+0300-U+036F) so both runtimes agree exactly; the map
    is ``None`` when it is the identity (every character folds to exactly one, the common case).
    """
    if text.isascii():
        return text.lower(), None
    folded = [_fold(ch) for ch in text]
    norm = "".join(folded)
    if len(norm) == len(text) and "" not in folded:  # then every fold is one character
        return norm, None
    index = [i for i, f in enumerate(folded) for _ in f]
    return norm, index


def tokenize(norm: str, rules: Rules) -> list[Token]:
    """Split normalised text into word, number and punctuation tokens."""
    kinds = (PUNCT, NUM, WORD, PUNCT)  # indexed by the regex group that matched
    return [
        Token(kinds[m.lastindex or 0], m.group(), m.start(), m.end())
        for m in rules.token_re.finditer(norm)
    ]


def has_newline(norm: str, start: int, end: int, rules: Rules) -> bool:
    """Whether the text between two offsets crosses a line break."""
    nl = rules.chars["newline"]
    return any(c in nl for c in norm[start:end])


def _spaces_ok(gap: str, most: int, rules: Rules) -> bool:
    if len(gap) > most:
        return False
    nl = rules.chars["newline"]
    return all(c not in nl for c in gap)


def chains(tokens: list[Token], norm: str, rules: Rules) -> list[Chain]:
    """Group number tokens joined by 1-2 spaces or one of ``-./`` (optionally spaced)."""
    joiners = rules.chars["joiners"]
    found: list[Chain] = []
    n = len(tokens)
    i = 0
    while i < n:
        if tokens[i].kind != NUM:
            i += 1
            continue
        groups = [i]
        joins: list[str] = []
        j = i
        while True:
            k = j + 1
            if k >= n:
                break
            cur, nxt = tokens[j], tokens[k]
            if nxt.kind == NUM:
                gap = norm[cur.end : nxt.start]
                if gap and _spaces_ok(gap, 2, rules):
                    joins.append(gap)
                    groups.append(k)
                    j = k
                    continue
                break
            if (
                nxt.kind == PUNCT
                and nxt.text in joiners
                and k + 1 < n
                and tokens[k + 1].kind == NUM
                and _spaces_ok(norm[cur.end : nxt.start], 1, rules)
                and _spaces_ok(norm[nxt.end : tokens[k + 1].start], 1, rules)
            ):
                joins.append(norm[cur.end : tokens[k + 1].start])
                groups.append(k + 1)
                j = k + 1
                continue
            break
        found.append(Chain(i, j, tuple(groups), tuple(joins)))
        i = j + 1
    return found
