"""Customer-facing sentences of the claim flow: the ``claims`` gettext domain
(chat_widget.i18n.translations: one loader, French as the one fallback)."""

from __future__ import annotations

from typing import Any

from chat_widget.i18n import translations

DOMAIN = "claims"
#: The questionnaires' own labels (data files) follow the catalogs' fallback rule.
FALLBACK_LOCALE = translations.FALLBACK_LOCALE


def _keys(prefix: str) -> list[str]:
    return sorted(
        key.removeprefix(prefix) for key in translations.msgids(DOMAIN) if key.startswith(prefix)
    )


def error_codes() -> list[str]:
    return _keys("errors.")


def ui_keys() -> list[str]:
    return _keys("ui.")


def pick(labels: dict[str, str], locale: str) -> str:
    """A questionnaire label in ``locale``, or in French (the catalogs' one fallback)."""
    return labels.get(translations.resolve_locale(locale)) or labels[FALLBACK_LOCALE]


def error_message(code: str, locale: str, **params: Any) -> str:
    if not translations.has(DOMAIN, f"errors.{code}"):
        raise KeyError(code)
    return translations.gettext(DOMAIN, locale, f"errors.{code}", **params)


def ui_text(key: str, locale: str, **params: Any) -> str:
    if not translations.has(DOMAIN, f"ui.{key}"):
        raise KeyError(key)
    return translations.gettext(DOMAIN, locale, f"ui.{key}", **params)


def status_label(status: str, locale: str) -> str:
    """A claim status as the customer reads it in the widget."""
    return ui_text(f"status_{status}", locale)
