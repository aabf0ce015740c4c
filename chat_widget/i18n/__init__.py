"""UI text in fr/nl/en/de, and locale-aware date formatting (Babel).

No customer-facing string lives in code: components look keys up in the catalog of the
conversation's locale. Every text comes from the gettext catalogs read by
``chat_widget.i18n.translations`` (one loader, one fallback rule); this module is the widget's
own domain (``widget.po``) and the shared locale helpers. A test keeps the four languages of
every domain complete (tests/unit/shell/test_catalogs.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache, lru_cache

from babel.dates import format_datetime, format_time

from chat_widget.i18n import translations
from chat_widget.i18n.translations import FALLBACK_LOCALE
from chat_widget.i18n.translations import LOCALES as LOCALES
from chat_widget.i18n.translations import normalize_locale as normalize_locale
from chat_widget.i18n.typography import french_spacing as french_spacing

#: The bank's default language, also the one fallback of every catalog (translations.py).
DEFAULT_LOCALE = FALLBACK_LOCALE
WIDGET_DOMAIN = "widget"


def catalog(locale: str) -> dict[str, str]:
    """The widget's texts in one language, as the states pass them to the browser."""
    return _catalog(translations.resolve_locale(locale))


@cache
def _catalog(locale: str) -> dict[str, str]:
    return translations.messages(WIDGET_DOMAIN, locale)


def t(locale: str, key: str, **params: object) -> str:
    """The message for ``key``; a missing key falls back to French, then to the key itself."""
    return translations.gettext(WIDGET_DOMAIN, locale, key, **params)


def tn(locale: str, key: str, n: int, **params: object) -> str:
    """The plural form of ``key`` for the count ``n`` (``{n}`` in the text)."""
    return translations.ngettext(WIDGET_DOMAIN, locale, key, n, **params)


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
    """The time of day of a chat message, '14:05' in the bank's zone (a naive ``moment`` is
    UTC, as Babel reads it). The four languages all write it as Babel's "HH:mm" with Latin
    digits, so it is formatted directly: Babel's pattern machinery cost a tenth of a chat
    message's CPU under load (``tests/unit/shell/test_format_clock.py`` holds the two to the
    same output)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _clock(int(moment.timestamp()) // 60, tz)


@lru_cache(maxsize=4096)
def _clock(minute: int, tz: str) -> str:
    """One minute's time of day (the bank's zone has kept whole-minute offsets since 1970)."""
    return datetime.fromtimestamp(minute * 60, _tz(tz)).strftime("%H:%M")


@cache
def _tz(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
