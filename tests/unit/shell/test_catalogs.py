"""Every gettext catalog is complete in fr/nl/en/de (issue #18): the same message ids, no empty
text, the same placeholders, plural entries with the language's plural rule. Replaces the
per-loader completeness tests of the former JSON catalogs."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from chat_widget.i18n import translations
from chat_widget.i18n.translations import DOMAINS, LOCALES, po_path

PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "nl": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
    "de": "nplurals=2; plural=(n != 1);",
}


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _read(domain: str, locale: str):  # type: ignore[no-untyped-def]
    with po_path(domain, locale).open("rb") as handle:
        return read_po(handle, locale=locale, domain=domain)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_four_languages_have_the_same_ids_and_no_empty_text(domain: str) -> None:
    ids = {locale: [m.id for m in _read(domain, locale) if m.id] for locale in LOCALES}
    assert ids["fr"], domain
    for locale in LOCALES:
        assert ids[locale] == ids["fr"], (domain, locale)
        for message in _read(domain, locale):
            if not message.id:
                continue
            forms = message.string if message.pluralizable else (message.string,)
            assert all(form and form.strip() for form in forms), (domain, locale, message.id)
            assert not message.fuzzy, (domain, locale, message.id)


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_id_appears_once(domain: str) -> None:
    """A plural entry must not reuse a singular id (Babel would silently keep one of them)."""
    for locale in LOCALES:
        text = po_path(domain, locale).read_text(encoding="utf-8")
        ids = re.findall(r'^msgid "(.+)"$', text, flags=re.MULTILINE)
        assert len(ids) == len(set(ids)), (
            domain,
            locale,
            sorted({i for i in ids if ids.count(i) > 1}),
        )


@pytest.mark.parametrize("domain", DOMAINS)
def test_placeholders_are_identical_across_languages(domain: str) -> None:
    french = {m.id: m.string for m in _read(domain, "fr") if m.id}
    for locale in LOCALES:
        for message in _read(domain, locale):
            if not message.id:
                continue
            reference = french[message.id]
            expected = (
                set().union(*map(_fields, reference))
                if message.pluralizable
                else _fields(reference)
            )
            forms = message.string if message.pluralizable else (message.string,)
            for form in forms:
                assert _fields(form) == expected, (domain, locale, message.id, form)


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_entries_use_the_language_rule_and_name_their_count(locale: str) -> None:
    plurals = 0
    for domain in DOMAINS:
        catalog = _read(domain, locale)
        assert catalog.plural_forms == PLURAL_FORMS[locale], (domain, locale)
        for message in catalog:
            if message.id and message.pluralizable:
                plurals += 1
                assert len(message.string) == catalog.num_plurals, (domain, message.id)
                count = translations.load(domain, "fr").counts.get(message.id[0])
                assert count and count in _fields(message.string[0]), (domain, message.id)
    assert plurals >= 9  # claims, messages, seconds, files: every text with a count


def test_plural_forms_follow_the_count() -> None:
    say = translations.gettext
    assert say("claims", "fr", "ui.files_count", count=1) == "1 fichier"
    assert say("claims", "fr", "ui.files_count", count=0) == "0 fichier"
    assert say("claims", "fr", "ui.files_count", count=2) == "2 fichiers"
    assert say("claims", "nl", "ui.files_count", count=0) == "0 bestanden"
    assert say("claims", "de", "ui.files_count", count=1) == "1 Datei"
    assert say("widget", "en", "claims.transcript_fold", n=1) == "Claim conversation (1 message)"
    assert say("files", "en", "too_many_files", max_files=1, name="a.pdf").startswith(
        "You can attach at most 1 file."
    )


def test_one_fallback_rule_french_then_the_key() -> None:
    assert translations.resolve_locale("xx") == "fr"
    assert translations.resolve_locale("nl-BE") == "nl"
    assert translations.gettext("guard", "es", "outro") == translations.gettext(
        "guard", "fr", "outro"
    )
    assert translations.gettext("widget", "en", "no.such.key") == "no.such.key"
    assert (
        translations.gettext("widget", "en", "channel.live_chat.closed") == "Closed. Reopens {when}"
    )
