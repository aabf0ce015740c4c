"""Customer-facing sentences of the claim flow, read from ``messages.json``."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

#: A label missing in the customer's language is shown in English (not the bank's default).
FALLBACK_LOCALE = "en"


@lru_cache(maxsize=1)
def _catalog() -> dict[str, dict[str, dict[str, str]]]:
    text = resources.files("chat_widget.claims").joinpath("messages.json").read_text("utf-8")
    data: dict[str, dict[str, dict[str, str]]] = json.loads(text)
    return data


def error_codes() -> list[str]:
    return sorted(_catalog()["errors"])


def ui_keys() -> list[str]:
    return sorted(_catalog()["ui"])


def pick(labels: dict[str, str], locale: str) -> str:
    """The label in ``locale``, or English when a locale is unknown to us."""
    return labels.get(locale) or labels[FALLBACK_LOCALE]


def _fill(template: str, params: dict[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def error_message(code: str, locale: str, **params: Any) -> str:
    return _fill(pick(_catalog()["errors"][code], locale), params)


def ui_text(key: str, locale: str, **params: Any) -> str:
    return _fill(pick(_catalog()["ui"][key], locale), params)


def status_label(status: str, locale: str) -> str:
    """A claim status as the customer reads it in the widget."""
    return ui_text(f"status_{status}", locale)
