"""Customer-facing reasons, in the customer's language, for what the guard decided."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from chat_widget.guard.rules import MESSAGES_FILE, get_rules, load_json
from chat_widget.i18n import normalize_locale

#: Unlike the widget's texts, the guard's reasons fall back to English for an unknown locale.
FALLBACK_LOCALE = "en"


@cache
def _messages() -> dict[str, Any]:
    return load_json(MESSAGES_FILE)


def pick_locale(locale: str | None) -> str:
    """``fr-BE`` -> ``fr``; anything unknown falls back to English."""
    return normalize_locale(locale) or FALLBACK_LOCALE


def explain(kinds: Iterable[str], locale: str | None = None) -> str:
    """One short paragraph telling the customer why the message was held or masked.

    When anything blocks, only the blocking reasons are given (the message is not sent, so
    masking is moot); otherwise the masking notes. Unknown kinds are ignored; no kinds -> "".
    """
    rules = get_rules()
    msgs = _messages()[pick_locale(locale)]
    known = sorted({k for k in kinds if k in rules.kinds}, key=rules.kind_order.__getitem__)
    blocking = [k for k in known if rules.kinds[k] == "block"]
    if blocking:
        return " ".join([msgs["intro"], *(msgs["kinds"][k] for k in blocking), msgs["outro"]])
    return " ".join(msgs["kinds"][k] for k in known)
