from __future__ import annotations

import pytest

from chat_widget.i18n import LOCALES, pick_locale
from chat_widget.privacy import unhandled_customer_tables
from chat_widget.privacy.erasure import ERASED_ORDER, KEPT_ORDER
from chat_widget.privacy.texts import categories, category_text, readme


@pytest.mark.parametrize("locale", LOCALES)
def test_every_category_and_the_readme_exist_in_every_language(locale: str) -> None:
    assert set(categories()) == set(ERASED_ORDER) | set(KEPT_ORDER)
    for category in categories():
        title, text = category_text(category, locale)
        assert title.strip() and text.strip()
    assert "data.json" in readme(locale) and "files/" in readme(locale)


def test_texts_differ_between_languages() -> None:
    for category in categories():
        assert len({category_text(category, code)[1] for code in LOCALES}) == 4, category


def test_locale_fallback() -> None:
    assert pick_locale("de-BE") == "de"
    assert pick_locale("es") == "fr"
    assert pick_locale(None) == "fr"


def test_every_table_pointing_at_customers_is_handled_by_export_and_erasure() -> None:
    from chat_widget import tables  # noqa: F401  (loads every table)

    assert unhandled_customer_tables() == set()


@pytest.mark.parametrize("locale", LOCALES)
def test_device_notice_names_the_fields_in_every_language(locale: str) -> None:
    from chat_widget.privacy import device_notice

    notice = device_notice(locale)
    assert notice.locale == locale and notice.version
    assert notice.title and notice.text and notice.accept and notice.decline
    assert "12" in notice.text
