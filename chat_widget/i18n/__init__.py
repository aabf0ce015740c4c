"""UI text in fr/nl/en/de from JSON catalogs, and locale-aware date formatting (Babel).

No customer-facing string lives in code: components look keys up in the catalog of the
conversation's locale. A test keeps the four catalogs on the same keys.
"""

from __future__ import annotations

import json
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
    return data


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
