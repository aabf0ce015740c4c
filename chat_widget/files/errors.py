"""The one exception an upload check raises, and its translated reason."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

#: A message missing in the customer's language is shown in English (not the bank's default).
FALLBACK_LOCALE = "en"


class FileRejected(Exception):
    """A file that will not be stored. ``code`` keys the message catalog; ``params`` fill it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, locale: str) -> str:
        return rejection_message(self.code, locale, **self.params)

    def __repr__(self) -> str:
        return f"FileRejected({self.code!r}, {self.params!r})"


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    text = resources.files("chat_widget.files").joinpath("messages.json").read_text("utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return data


def rejection_message(code: str, locale: str, **params: object) -> str:
    """Unknown codes fall back to a generic sentence rather than leaking the code to a customer."""
    entry = catalog().get(code) or catalog()["unreadable"]
    template = entry.get(locale) or entry[FALLBACK_LOCALE]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
