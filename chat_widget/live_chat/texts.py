"""Customer-facing live chat texts, read from JSON catalogs in fr/nl/en/de (canned replies:
``live_chat.canned``). The language is chosen as everywhere else (``i18n.pick_locale``:
an unknown or missing one falls back to French)."""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from chat_widget import i18n
from chat_widget.i18n import pick_locale
from chat_widget.live_chat.hours.schedule import OpenStatus

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=4)
def _catalog(name: str) -> dict[str, dict[str, str]]:
    with open(_HERE / name, encoding="utf-8") as handle:
        data: dict[str, dict[str, str]] = json.load(handle)
    return data


class _Keep(dict[str, Any]):
    """format_map helper: unknown placeholders stay visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, params: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Keep(params))


def text(key: str, locale: str | None, **params: Any) -> str:
    entry = _catalog("strings.json")[key]
    return _fill(entry[pick_locale(locale)], params)


def format_when(moment: datetime, locale: str | None, timezone: str = "Europe/Brussels") -> str:
    """The next opening as the home view says it ('mercredi 25 novembre, 08:00'): one format
    for closed-state dates everywhere, so the same moment never reads two ways."""
    return i18n.format_when(moment, pick_locale(locale), tz=timezone)


def describe_closed(status: OpenStatus, locale: str | None) -> list[str]:
    """Lines for a closed chat: the reason, the next opening, the other channels (never a dead end)."""
    if status.open:
        return []
    lines: list[str] = []
    if status.reason == "holiday":
        detail = _lookup(f"holiday.{status.detail}", locale)
        lines.append(text("closed.holiday", locale, detail=detail))
    elif status.reason == "closure":
        detail = _lookup(f"closure.{status.detail}", locale) or _lookup("closure.closure", locale)
        lines.append(text("closed.closure", locale, detail=detail))
    else:
        lines.append(text("closed.outside_hours", locale))
    if status.next_open is not None:
        lines.append(text("closed.next_open", locale, when=format_when(status.next_open, locale)))
    lines.append(text("closed.other_channels", locale))
    return lines


def _lookup(key: str, locale: str | None) -> str:
    entry = _catalog("strings.json").get(key)
    return entry[pick_locale(locale)] if entry else ""
