"""The one loader of every text a customer or an agent reads: gettext catalogs (``.po``).

Catalogs live in ``chat_widget/i18n/locale/<lang>/LC_MESSAGES/<domain>.po``, one domain per
channel package (``DOMAINS``). They are read directly with Babel's ``.po`` parser when first
used, so a clean checkout needs no compile step and translators edit only ``.po`` files
(docs/architecture.md, "Translations").

Message ids are stable keys (``closed.next_open``), not English sentences: a changed English
wording never orphans the other three languages. Placeholders are ``str.format`` fields
(``{name}``); an unknown placeholder stays visible instead of raising, so a translator's typo
never breaks a screen (the completeness test catches it first).

The fallback rule, the same for every domain: an unknown or missing locale means French (the
bank's default and the widget's language for an unknown browser locale, so one screen never
mixes two languages); a message missing or empty in a locale is taken from French, then the
key itself is shown.
"""

from __future__ import annotations

import gettext as _gettext
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from chat_widget.i18n.typography import french_spacing

LOCALES: tuple[str, ...] = ("fr", "nl", "en", "de")
FALLBACK_LOCALE = "fr"
DOMAINS: tuple[str, ...] = (
    "widget",
    "live_chat",
    "canned",
    "claims",
    "files",
    "guard",
    "meetings",
    "privacy",
)
LOCALE_DIR = Path(__file__).parent / "locale"
_COUNT_COMMENT = "count:"
#: Domains whose French text is kept as written: canned replies become message bodies, stored
#: as the customer saw them; the chat view applies the typography when it renders any message.
_AS_WRITTEN = frozenset({"canned"})


@dataclass(frozen=True, slots=True)
class Catalog:
    """One domain in one language: singular texts, plural forms, and the plural rule."""

    locale: str
    singular: Mapping[str, str]
    plural: Mapping[str, tuple[str, ...]]
    plural_index: Callable[[int], int]
    #: plural msgid -> the placeholder that holds its count (``#. count: min`` in the .po)
    counts: Mapping[str, str]


def po_path(domain: str, locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po"


@cache
def load(domain: str, locale: str) -> Catalog:
    """Parse one ``.po`` file once per process (the catalogs are small: well under a second)."""
    if domain not in DOMAINS or locale not in LOCALES:
        raise KeyError(f"no catalog {domain!r} for {locale!r}")
    with po_path(domain, locale).open("rb") as handle:
        parsed = read_po(handle, locale=locale, domain=domain)
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    counts: dict[str, str] = {}
    for message in parsed:
        if not message.id or message.fuzzy:
            continue  # the header; a "fuzzy" guess is not used, as gettext does (French instead)
        if isinstance(message.id, tuple | list):
            forms = message.string if isinstance(message.string, tuple | list) else ()
            plural[str(message.id[0])] = tuple(str(form) for form in forms)
            for comment in message.auto_comments:
                if comment.startswith(_COUNT_COMMENT):
                    counts[str(message.id[0])] = comment.removeprefix(_COUNT_COMMENT).strip()
        else:
            singular[str(message.id)] = str(message.string or "")
    if locale == "fr" and domain not in _AS_WRITTEN:
        singular = {key: french_spacing(text) for key, text in singular.items()}
        plural = {key: tuple(map(french_spacing, forms)) for key, forms in plural.items()}
    return Catalog(
        locale=locale,
        singular=singular,
        plural=plural,
        plural_index=_gettext.c2py(parsed.plural_expr),
        counts=counts,
    )


def normalize_locale(value: object) -> str | None:
    """'nl-BE', 'NL', 'de_DE' → 'nl'/'de'; anything else → None. Host data is never trusted."""
    if not isinstance(value, str) or not 2 <= len(value) <= 35:
        return None
    base = value.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LOCALES else None


def resolve_locale(locale: object) -> str:
    """``'nl-BE'`` → ``'nl'``; anything unknown → the fallback locale (French)."""
    return normalize_locale(locale) or FALLBACK_LOCALE


class _Keep(dict[str, Any]):
    """``format_map`` helper: an unknown placeholder stays visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, params: Mapping[str, Any]) -> str:
    if not params:
        return template
    try:
        return string.Formatter().vformat(template, (), _Keep(params))
    except (IndexError, ValueError, AttributeError):
        return template


def has(domain: str, msgid: str) -> bool:
    """Whether the (French) catalog defines ``msgid``, singular or plural."""
    french = load(domain, FALLBACK_LOCALE)
    return msgid in french.singular or msgid in french.plural


def raw(domain: str, locale: object, msgid: str) -> str | None:
    """The unformatted text, with the fallback rule; ``None`` when no language has it."""
    for code in dict.fromkeys((resolve_locale(locale), FALLBACK_LOCALE)):
        catalog = load(domain, code)
        text = catalog.singular.get(msgid) or (catalog.plural.get(msgid) or ("",))[-1]
        if text:
            return text
    return None


def gettext(domain: str, locale: object, msgid: str, **params: Any) -> str:
    """The text of ``msgid`` in ``locale`` (fallback rule in the module docstring), filled.

    A plural entry picks its form from the placeholder its ``.po`` comment names
    (``#. count: min``), so callers need not know which texts have plural forms."""
    count_param = load(domain, FALLBACK_LOCALE).counts.get(msgid)
    if count_param is not None and isinstance(params.get(count_param), int):
        return ngettext(domain, locale, msgid, params[count_param], **params)
    return fill(raw(domain, locale, msgid) or msgid, params)


def ngettext(domain: str, locale: object, msgid: str, n: int, /, **params: Any) -> str:
    """The plural form of ``msgid`` for the count ``n`` (the language's own plural rule).

    ``n`` is also available to the text as ``{n}`` unless ``params`` name it otherwise."""
    params = {"n": n, **params}
    for code in dict.fromkeys((resolve_locale(locale), FALLBACK_LOCALE)):
        catalog = load(domain, code)
        forms = catalog.plural.get(msgid)
        if forms:
            index = catalog.plural_index(abs(int(n)))
            text = forms[min(index, len(forms) - 1)]
            if text:
                return fill(text, params)
    return fill(raw(domain, locale, msgid) or msgid, params)


def messages(domain: str, locale: object) -> dict[str, str]:
    """Every singular text of a domain in one language (fallback applied per message); plural
    entries appear under their key with their last (\"many\") form, for screens that only
    need a label."""
    code = resolve_locale(locale)
    french = load(domain, FALLBACK_LOCALE)
    own = load(domain, code)
    out = {key: own.singular.get(key) or text for key, text in french.singular.items()}
    for key, forms in french.plural.items():
        chosen = own.plural.get(key) or forms
        out[key] = chosen[-1]
    return out


def msgids(domain: str, locale: str = FALLBACK_LOCALE) -> list[str]:
    """The keys of a domain in file order (singular and plural)."""
    catalog = load(domain, locale)
    return [*catalog.singular, *catalog.plural]
