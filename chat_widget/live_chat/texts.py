"""Customer-facing live chat texts: the ``live_chat`` gettext domain (chat_widget.i18n.translations;
canned replies: ``live_chat.canned``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chat_widget import i18n
from chat_widget.i18n import pick_locale as pick_locale
from chat_widget.i18n import translations
from chat_widget.live_chat.hours.schedule import OpenStatus

DOMAIN = "live_chat"


def text(key: str, locale: str | None, **params: Any) -> str:
    if not translations.has(DOMAIN, key):
        raise KeyError(key)
    return translations.gettext(DOMAIN, locale, key, **params)


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
    return translations.raw(DOMAIN, locale, key) or ""
