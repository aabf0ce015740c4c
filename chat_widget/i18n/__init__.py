"""UI text in fr/nl/en/de from JSON catalogs, and locale-aware date formatting (Babel).

No customer-facing string lives in code: components look keys up in the catalog of the
conversation's locale. A test keeps the four catalogs on the same keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path

from babel.dates import format_datetime, format_time

LOCALES: tuple[str, ...] = ("fr", "nl", "en", "de")
DEFAULT_LOCALE = "fr"
_CATALOG_DIR = Path(__file__).parent / "catalogs"


@cache
def catalog(locale: str) -> dict[str, str]:
    locale = normalize_locale(locale) or DEFAULT_LOCALE
    with (_CATALOG_DIR / f"{locale}.json").open(encoding="utf-8") as fh:
        data: dict[str, str] = json.load(fh)
    if locale == "fr":
        data = {key: french_spacing(text) for key, text in data.items()}
    return data


_FR_BEFORE = re.compile(r"[ \u00a0\u202f]*([:;?!»])")
_FR_AFTER = re.compile(r"«[ \u00a0\u202f]*")


def french_spacing(text: str) -> str:
    """French typography: a no-break space before ":" and "»", a narrow one before ";", "?"
    and "!", so a phone never starts a line with "?". Applied once, where French text is
    loaded or rendered, so the catalogs stay easy to edit.

    Only a space that is already there is replaced (or a missing one added before ``?!;``
    after a word): ``https://``, ``10:30`` and ``!important`` are left alone."""

    def before(match: re.Match[str]) -> str:
        mark = match.group(1)
        spaced = match.group(0) != mark
        start = match.start()
        after_word = start > 0 and match.string[start - 1].isalnum()
        if not spaced and not (after_word and mark in "?!;" and _ends_sentence(match)):
            return match.group(0)
        if not spaced and mark == ";":
            return match.group(0)
        return ("\u00a0" if mark in ":»" else "\u202f") + mark

    return _FR_AFTER.sub("«\u00a0", _FR_BEFORE.sub(before, text))


def _ends_sentence(match: re.Match[str]) -> bool:
    """``?``/``!`` followed by the end, a space or a closing mark (not ``!important``)."""
    end = match.end()
    return end == len(match.string) or match.string[end] in " \n\"')»"


def t(locale: str, key: str, **params: object) -> str:
    """The message for ``key``; a missing key falls back to French, then to the key itself."""
    text = catalog(locale).get(key) or catalog(DEFAULT_LOCALE).get(key) or key
    return text.format(**params) if params else text


def normalize_locale(value: object) -> str | None:
    """'nl-BE', 'NL', 'de_DE' → 'nl'/'de'; anything else → None. Host data is never trusted."""
    if not isinstance(value, str) or not 2 <= len(value) <= 35:
        return None
    base = value.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LOCALES else None


def pick_locale(*candidates: object) -> str:
    """The first supported locale among loader setting, browser languages…; else French."""
    for candidate in candidates:
        if isinstance(candidate, list | tuple):
            found = next((loc for loc in map(normalize_locale, candidate) if loc), None)
        else:
            found = normalize_locale(candidate)
        if found:
            return found
    return DEFAULT_LOCALE


_BABEL_LOCALE = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB", "de": "de_BE"}


def format_when(moment: datetime, locale: str, *, tz: str = "Europe/Brussels") -> str:
    """'mercredi 25 novembre, 08:00' style, in the customer's language and the bank's zone."""
    babel_locale = _BABEL_LOCALE.get(locale, "fr_BE")
    zone = _tz(tz)
    pattern = "EEEE, d. MMMM" if locale == "de" else "EEEE d MMMM"
    day = format_datetime(moment, pattern, tzinfo=zone, locale=babel_locale)
    return f"{day}, {format_time(moment, 'HH:mm', tzinfo=zone, locale=babel_locale)}"


def format_clock(moment: datetime, locale: str, *, tz: str = "Europe/Brussels") -> str:
    return format_time(moment, "HH:mm", tzinfo=_tz(tz), locale=_BABEL_LOCALE.get(locale, "fr_BE"))


def _tz(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def missing_keys(locales: Iterable[str] = LOCALES) -> dict[str, set[str]]:
    """Keys present in some catalog but absent from a locale's (for the consistency test)."""
    all_keys = set().union(*(catalog(loc).keys() for loc in locales))
    return {
        loc: all_keys - catalog(loc).keys() for loc in locales if all_keys - catalog(loc).keys()
    }
