"""The message's language decides the reply's; short or unclear text keeps the widget's."""

from __future__ import annotations

import pytest

from chat_widget.assistant.nlu.language import detect, fallback_locale


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bonjour, j'aimerais savoir comment bloquer ma carte bancaire", "fr"),
        ("Goedemiddag, ik wil graag weten hoe ik mijn kaart kan blokkeren", "nl"),
        ("Hello, I would like to know how to block my bank card", "en"),
        ("Guten Tag, ich möchte wissen, wie ich meine Bankkarte sperren kann", "de"),
        ("hoe zet ik een domiciliëring stop", "nl"),
        ("wie hoch ist mein Limit am Geldautomaten", "de"),
    ],
)
def test_a_full_sentence_is_detected_whatever_the_widget_shows(text: str, lang: str) -> None:
    for widget in ("fr", "nl", "en", "de"):
        found = detect(text, widget)
        assert found.lang == lang
        assert found.detected


@pytest.mark.parametrize("text", ["ok", "merci", "thanks", "Bancontact ?", "top merci"])
def test_short_text_keeps_the_widget_locale(text: str) -> None:
    assert detect(text, "nl").lang == "nl"
    assert not detect(text, "nl").detected
    assert detect(text, "de").lang == "de"


def test_fallback_is_normalised() -> None:
    assert fallback_locale("nl-BE") == "nl"
    assert fallback_locale("es") == "fr"
    assert fallback_locale(None) == "fr"
    assert detect("ok", "EN_gb").lang == "en"
