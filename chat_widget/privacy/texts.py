"""Customer-facing privacy texts (fr/nl/en/de), kept as data in ``texts.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from chat_widget.i18n import LOCALES, pick_locale


@cache
def _texts() -> dict[str, Any]:
    raw = resources.files(__package__).joinpath("texts.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def categories() -> tuple[str, ...]:
    return tuple(_texts()["categories"])


def category_text(category: str, locale: str | None) -> tuple[str, str]:
    """``(title, text)`` of one erasure category."""
    entry = _texts()["categories"][category][pick_locale(locale)]
    return str(entry["title"]), str(entry["text"])


def readme(locale: str | None) -> str:
    """The archive's README: the customer's language first, then the other three."""
    first = pick_locale(locale)
    order = [first, *(code for code in LOCALES if code != first)]
    return "\n---\n\n".join(str(_texts()["readme"][code]) for code in order)


@dataclass(frozen=True, slots=True)
class DeviceNotice:
    """What the customer is shown before any device data is kept; ``version`` goes into the
    consent record so a changed notice can be asked again."""

    version: str
    locale: str
    title: str
    text: str
    accept: str
    decline: str


def device_notice(locale: str | None) -> DeviceNotice:
    raw = _texts()["device_notice"]
    code = pick_locale(locale)
    entry = raw[code]
    return DeviceNotice(
        version=str(raw["version"]),
        locale=code,
        title=str(entry["title"]),
        text=str(entry["text"]),
        accept=str(entry["accept"]),
        decline=str(entry["decline"]),
    )
