"""Loads the JSON data shipped inside the package, once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

LOCALES: tuple[str, ...] = ("fr", "nl", "en", "de")
DEFAULT_LOCALE = "fr"


@cache
def load(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def pick_locale(locale: str) -> str:
    """Falls back to the bank's default language rather than failing on an unknown one."""
    short = (locale or "").replace("-", "_").split("_")[0].lower()
    return short if short in LOCALES else DEFAULT_LOCALE
