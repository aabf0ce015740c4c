"""The one exception an upload check raises, and its translated reason."""

from __future__ import annotations

from chat_widget.i18n import translations

#: The ``files`` gettext domain (chat_widget.i18n.translations: French is the one fallback).
DOMAIN = "files"


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


def codes() -> list[str]:
    """Every rejection code that has a message."""
    return translations.msgids(DOMAIN)


def rejection_message(code: str, locale: str, **params: object) -> str:
    """Unknown codes fall back to a generic sentence rather than leaking the code to a customer."""
    key = code if translations.has(DOMAIN, code) else "unreadable"
    return translations.gettext(DOMAIN, locale, key, **params)
