"""One-off: convert the JSON text catalogs to gettext ``.po`` files (issue #18).

Message ids are the current keys; plural entries are written for texts with a count.
Run once from the repository root: ``.venv/bin/python scripts/json_to_po.py``.
"""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "chat_widget"
OUT = PKG / "i18n" / "locale"
LOCALES = ("fr", "nl", "en", "de")
CONVERTED = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
#: gettext's classic rules: French puts 0 and 1 in the singular, the others only 1.
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "nl": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
    "de": "nplurals=2; plural=(n != 1);",
}
HEADER = "# Texts of the chat widget and the agent console (docs/architecture.md, Translations).\n#"

# (domain, key) -> {locale: (text in the current catalog, singular part, plural part)}
PLURALS: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {
    ("widget", "claims.count"): {
        "fr": ("déclaration(s)", "déclaration", "déclarations"),
        "nl": ("aangifte(s)", "aangifte", "aangiftes"),
        "en": ("claim(s)", "claim", "claims"),
        "de": ("Meldung(en)", "Meldung", "Meldungen"),
    },
    ("widget", "claims.transcript_fold"): {
        "fr": ("{n} messages", "{n} message", "{n} messages"),
        "nl": ("{n} berichten", "{n} bericht", "{n} berichten"),
        "en": ("{n} messages", "{n} message", "{n} messages"),
        "de": ("{n} Nachrichten", "{n} Nachricht", "{n} Nachrichten"),
    },
    ("widget", "agent.login_wait"): {
        "fr": ("} secondes", "} seconde", "} secondes"),
        "nl": ("} seconden", "} seconde", "} seconden"),
        "en": ("} seconds", "} second", "} seconds"),
        "de": ("} Sekunden", "} Sekunde", "} Sekunden"),
    },
    ("claims", "ui.files_count"): {
        "fr": ("fichier(s)", "fichier", "fichiers"),
        "nl": ("bestand(en)", "bestand", "bestanden"),
        "en": ("file(s)", "file", "files"),
        "de": ("Datei(en)", "Datei", "Dateien"),
    },
    ("claims", "errors.files_too_few"): {
        "fr": ("fichier(s)", "fichier", "fichiers"),
        "nl": ("bestand(en)", "bestand", "bestanden"),
        "en": ("file(s)", "file", "files"),
        "de": ("Datei(en)", "Datei", "Dateien"),
    },
    ("claims", "errors.files_too_many"): {
        "fr": ("fichiers", "fichier", "fichiers"),
        "nl": ("bestanden", "bestand", "bestanden"),
        "en": ("files", "file", "files"),
        "de": ("Dateien", "Datei", "Dateien"),
    },
    ("claims", "errors.text_too_short"): {
        "fr": ("caractères", "caractère", "caractères"),
        "nl": ("tekens", "teken", "tekens"),
        "en": ("characters", "character", "characters"),
        "de": ("Zeichen", "Zeichen", "Zeichen"),
    },
    ("claims", "errors.text_too_long"): {
        "fr": ("caractères", "caractère", "caractères"),
        "nl": ("tekens", "teken", "tekens"),
        "en": ("characters", "character", "characters"),
        "de": ("Zeichen", "Zeichen", "Zeichen"),
    },
    ("files", "too_many_files"): {
        "fr": ("} fichiers", "} fichier", "} fichiers"),
        "nl": ("} bestanden", "} bestand", "} bestanden"),
        "en": ("} files", "} file", "} files"),
        "de": ("} Dateien", "} Datei", "} Dateien"),
    },
}


def _json(path: str) -> Any:
    return json.loads((PKG / path).read_text(encoding="utf-8"))


def _per_key(data: dict[str, dict[str, str]], prefix: str = "") -> dict[str, dict[str, str]]:
    """``{key: {locale: text}}`` → ``{prefix+key: {locale: text}}``."""
    return {prefix + key: dict(entry) for key, entry in data.items()}


def _per_locale(data: dict[str, Any], prefix: str = "") -> dict[str, dict[str, str]]:
    """``{locale: {key: text | {sub: text} | [text]}}`` → ``{key: {locale: text}}``."""
    out: dict[str, dict[str, str]] = {}

    def walk(locale: str, key: str, value: Any) -> None:
        if isinstance(value, dict):
            for sub, inner in value.items():
                walk(locale, f"{key}.{sub}" if key else sub, inner)
        elif isinstance(value, list):
            for index, inner in enumerate(value, 1):
                walk(locale, f"{key}.{index}", inner)
        else:
            out.setdefault(prefix + key, {})[locale] = str(value)

    for locale in LOCALES:
        walk(locale, "", data[locale])
    return out


def domains() -> dict[str, dict[str, dict[str, str]]]:
    widget = {loc: _json(f"i18n/catalogs/{loc}.json") for loc in LOCALES}
    claims = _json("claims/messages.json")
    notice = _json("meetings/notice.json")
    privacy = _json("privacy/texts.json")
    meetings = _per_locale(_json("meetings/messages.json"))
    meetings.update(_per_locale(notice["texts"], "notice."))
    meetings["notice.privacy_charter_url"] = dict(notice["privacy_charter_url"])
    for key, topic in _json("meetings/topics.json")["topics"].items():
        meetings[f"topic.{key}"] = dict(topic["labels"])
    privacy_texts: dict[str, dict[str, str]] = {}
    for category, entry in privacy["categories"].items():
        privacy_texts.update(_per_locale(entry, f"category.{category}."))
    privacy_texts["readme"] = dict(privacy["readme"])
    device = {loc: privacy["device_notice"][loc] for loc in LOCALES}
    privacy_texts.update(_per_locale(device, "device_notice."))
    return {
        "widget": _per_locale(widget),
        "live_chat": _per_key(_json("live_chat/strings.json")),
        "canned": _per_key(_json("live_chat/canned_replies.json")),
        "claims": {
            **_per_key(claims["errors"], "errors."),
            **_per_key(claims["ui"], "ui."),
            **_per_key(_json("claims/summary_labels.json"), "summary."),
        },
        "files": _per_key(_json("files/messages.json")),
        "guard": _per_locale(_json("guard/messages.json")),
        "meetings": meetings,
        "privacy": privacy_texts,
    }


def write(domain: str, texts: dict[str, dict[str, str]]) -> None:
    for locale in LOCALES:
        catalog = Catalog(
            locale=locale,
            domain=domain,
            project="chat_widget",
            msgid_bugs_address="",
            copyright_holder="the bank",
            fuzzy=False,
            creation_date=CONVERTED,
            revision_date=CONVERTED,
            header_comment=HEADER,
            last_translator="the bank's translators",
            language_team=f"{locale} <translations@bank.example>",
        )
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[locale])]
        for key, entry in texts.items():
            text = entry[locale]
            plural = PLURALS.get((domain, key))
            if plural:
                old, one, other = plural[locale]
                assert old in text, (domain, key, locale, text)
                count = next(f for _, f, _, _ in string.Formatter().parse(entry["en"]) if f)
                catalog.add(
                    (key, key),
                    (text.replace(old, one), text.replace(old, other)),
                    auto_comments=[f"count: {count}"],
                )
            else:
                catalog.add(key, text)
        path = OUT / locale / "LC_MESSAGES" / f"{domain}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, sort_output=False)


def main() -> None:
    for domain, texts in domains().items():
        write(domain, texts)
        print(domain, len(texts))


if __name__ == "__main__":
    main()
