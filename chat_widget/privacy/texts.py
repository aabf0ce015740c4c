"""Customer-facing privacy texts (fr/nl/en/de): the ``privacy`` gettext domain
(chat_widget.i18n.translations: one loader, French as the one fallback)."""

from __future__ import annotations

from dataclasses import dataclass

from chat_widget.i18n import LOCALES, pick_locale, translations

DOMAIN = "privacy"
#: Stored with each device-data consent: bump it whenever a ``device_notice.*`` text changes.
DEVICE_NOTICE_VERSION = "2026-11-1"


def _t(key: str, locale: str | None) -> str:
    if not translations.has(DOMAIN, key):
        raise KeyError(key)
    return translations.gettext(DOMAIN, pick_locale(locale), key)


def categories() -> tuple[str, ...]:
    """The erasure categories, in the catalog's order (``category.<name>.title``)."""
    return tuple(
        key.removeprefix("category.").removesuffix(".title")
        for key in translations.msgids(DOMAIN)
        if key.startswith("category.") and key.endswith(".title")
    )


def category_text(category: str, locale: str | None) -> tuple[str, str]:
    """``(title, text)`` of one erasure category."""
    return _t(f"category.{category}.title", locale), _t(f"category.{category}.text", locale)


def readme(locale: str | None) -> str:
    """The archive's README: the customer's language first, then the other three."""
    first = pick_locale(locale)
    order = [first, *(code for code in LOCALES if code != first)]
    return "\n---\n\n".join(_t("readme", code) for code in order)


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
    code = pick_locale(locale)
    return DeviceNotice(
        version=DEVICE_NOTICE_VERSION,
        locale=code,
        title=_t("device_notice.title", code),
        text=_t("device_notice.text", code),
        accept=_t("device_notice.accept", code),
        decline=_t("device_notice.decline", code),
    )
