"""The guard's rule set, loaded once from ``rules.json``.

The JSON file is the single source for both runtimes: this module compiles it for Python and
``build_js`` embeds the very same file into ``assets/guard.js``. Word lists in the file are
already normalised (lower case, accents stripped) because both runtimes normalise the text the
same way before matching.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

RULES_FILE = "rules.json"

Phrase = tuple[tuple[str, ...], str]


def load_json(name: str) -> dict[str, Any]:
    """Read one of the package's JSON data files."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _words(values: list[str]) -> frozenset[str]:
    return frozenset(values)


@dataclass(frozen=True)
class Rules:
    """Compiled, immutable view of ``rules.json``."""

    kinds: dict[str, str]
    kind_order: dict[str, int]
    digit_ranges: dict[str, tuple[int, int]]
    placeholders: dict[str, str]
    exact_phrases: dict[str, list[Phrase]]
    prefix_phrases: dict[str, list[Phrase]]
    copula: frozenset[str]
    introducers: frozenset[str]
    filler: frozenset[str]
    preps: frozenset[str]
    reverse_links: frozenset[str]
    negators: frozenset[str]
    units: frozenset[str]
    prev_units: frozenset[str]
    digit_words: frozenset[str]
    password_stop: frozenset[str]
    kind_links: dict[str, frozenset[str]]
    any_kind_link: frozenset[str]
    password_lead: tuple[tuple[str, ...], ...]
    change_verbs: frozenset[str]
    change_links: frozenset[str]
    clause_words: frozenset[str]
    weak_triggers: frozenset[str]
    participle_suffixes: tuple[str, ...]
    participle_prefixes: tuple[str, ...]
    participle_min_len: int
    limits: dict[str, int]
    chars: dict[str, str]
    token_re: re.Pattern[str]
    punct_re: re.Pattern[str]
    wordchar_re: re.Pattern[str]
    cards: list[tuple[str, str, frozenset[int]]]
    nn_patterns: frozenset[tuple[int, ...]]
    iban_bban: dict[str, str]
    iban_length: dict[str, int]


PREFIX_KEY = 3  # prefix patterns ("kaartlezer*") are indexed by their first three letters


def _phrase_index(
    triggers: dict[str, dict[str, list[str]]],
) -> tuple[dict[str, list[Phrase]], dict[str, list[Phrase]]]:
    """Index phrases by first word (exact) or by its first letters (prefix patterns)."""
    exact: dict[str, list[Phrase]] = {}
    prefix: dict[str, list[Phrase]] = {}
    for kind, by_lang in triggers.items():
        for phrases in by_lang.values():
            for phrase in phrases:
                words = tuple(phrase.split())
                if words[0].endswith("*"):
                    prefix.setdefault(words[0][:PREFIX_KEY], []).append((words, kind))
                else:
                    exact.setdefault(words[0], []).append((words, kind))
    # Longest phrase first (stable), so "one time password" beats "password".
    for index in (exact, prefix):
        for entries in index.values():
            entries.sort(key=lambda e: -len(e[0]))
    return exact, prefix


def _bban_length(structure: str) -> int:
    return sum(int(n) for n in re.findall(r"(\d+)!?[nac]", structure))


def token_pattern(chars: dict[str, str]) -> str:
    """Group 1: a number (ASCII digits not followed by a letter); 2: a word; 3: punctuation."""
    word = f"[^{chars['space']}{chars['punct']}]"
    return f"([0-9]+)(?!{word})|({word}+)|([{chars['punct']}])"


@cache
def get_rules() -> Rules:
    """Return the compiled rule set (built on first use)."""
    raw = load_json(RULES_FILE)
    chars: dict[str, str] = raw["chars"]
    exact, prefix = _phrase_index(raw["triggers"])
    part = raw["participle"]
    change = raw["password_change"]
    kind_links = {k: _words(v) for k, v in raw["kind_links"].items()}
    kinds: dict[str, str] = raw["kinds"]
    bban: dict[str, str] = raw["iban_bban"]
    return Rules(
        kinds=kinds,
        kind_order={k: i for i, k in enumerate(kinds)},
        digit_ranges={k: (v[0], v[1]) for k, v in raw["digit_ranges"].items()},
        placeholders=raw["placeholders"],
        exact_phrases=exact,
        prefix_phrases=prefix,
        copula=_words(raw["copula"]),
        introducers=_words(raw["introducers"]),
        # Copulas and introducers are harmless between a trigger and its value too.
        filler=_words(raw["filler"] + raw["copula"] + raw["introducers"]),
        preps=_words(raw["preps"]),
        reverse_links=_words(raw["reverse_links"]),
        negators=_words(raw["negators"]),
        units=_words(raw["units"]),
        prev_units=_words(raw["prev_units"]),
        digit_words=_words(raw["digit_words"]),
        password_stop=_words(raw["password_stop"]),
        kind_links=kind_links,
        any_kind_link=frozenset().union(*kind_links.values()),
        # Longest first, so "nog steeds" is skipped whole rather than as "nog".
        password_lead=tuple(
            sorted((tuple(p.split()) for p in raw["password_lead"]), key=lambda p: -len(p))
        ),
        change_verbs=_words(change["verbs"]),
        change_links=_words(change["links"]),
        clause_words=_words(change["clause_words"]),
        weak_triggers=_words(raw["weak_triggers"]),
        participle_suffixes=tuple(part["suffixes"]),
        participle_prefixes=tuple(part["prefixes"]),
        participle_min_len=int(part["min_len"]),
        limits=raw["limits"],
        chars=chars,
        token_re=re.compile(token_pattern(chars)),
        punct_re=re.compile(f"[{chars['punct']}]"),
        wordchar_re=re.compile(f"[^{chars['space']}{chars['punct']}]"),
        cards=[(lo, hi, frozenset(lengths)) for lo, hi, lengths in raw["cards"]],
        nn_patterns=frozenset(tuple(p) for p in raw["nn_patterns"]),
        iban_bban=bban,
        iban_length={cc: 4 + _bban_length(s) for cc, s in bban.items()},
    )
