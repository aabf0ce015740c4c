"""Customer-facing reasons, in the customer's language, for what the guard decided."""

from __future__ import annotations

from collections.abc import Iterable

from chat_widget.guard.rules import get_rules
from chat_widget.i18n import pick_locale, translations

#: The ``guard`` gettext domain (chat_widget.i18n.translations: French is the one fallback).
DOMAIN = "guard"


def explain(kinds: Iterable[str], locale: str | None = None) -> str:
    """One short paragraph telling the customer why the message was held or masked.

    When anything blocks, only the blocking reasons are given (the message is not sent, so
    masking is moot); otherwise the masking notes. Unknown kinds are ignored; no kinds -> "".
    """
    rules = get_rules()
    loc = pick_locale(locale)

    def say(key: str) -> str:
        return translations.gettext(DOMAIN, loc, key)

    known = sorted({k for k in kinds if k in rules.kinds}, key=rules.kind_order.__getitem__)
    blocking = [k for k in known if rules.kinds[k] == "block"]
    if blocking:
        return " ".join([say("intro"), *(say(f"kinds.{k}") for k in blocking), say("outro")])
    return " ".join(say(f"kinds.{k}") for k in known)


def messages_by_locale() -> dict[str, dict[str, object]]:
    """The reasons in every language, shaped for the browser runtime (``build_js``), so the
    client-side guard says exactly what the server says."""
    out: dict[str, dict[str, object]] = {}
    for loc in translations.LOCALES:
        texts = translations.messages(DOMAIN, loc)
        kinds = {
            key.removeprefix("kinds."): texts[key]
            for key in translations.msgids(DOMAIN)
            if key.startswith("kinds.")
        }
        out[loc] = {"intro": texts["intro"], "outro": texts["outro"], "kinds": kinds}
    return out
