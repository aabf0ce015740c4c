from __future__ import annotations

from datetime import UTC, datetime

from chat_widget.i18n import LOCALES, catalog, format_when, pick_locale, t


def test_placeholders_match_across_languages() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for key, text in catalog("fr").items():
        for locale in LOCALES:
            assert fields(catalog(locale)[key]) == fields(text), (key, locale)


def test_locale_choice_order_loader_then_browser_then_french() -> None:
    assert pick_locale("nl", ["de-DE"]) == "nl"
    assert pick_locale(None, ["es-ES", "de-AT"]) == "de"
    assert pick_locale("xx", ["es"]) == "fr"


def test_dates_are_formatted_per_locale_in_brussels_time() -> None:
    moment = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 08:00 in Brussels
    assert format_when(moment, "fr") == "mercredi 25 novembre, 08:00"
    assert format_when(moment, "nl") == "woensdag 25 november, 08:00"
    assert format_when(moment, "de") == "Mittwoch, 25. November, 08:00"
    assert t("en", "channel.live_chat.closed", when="x") == "Closed. Reopens x"
