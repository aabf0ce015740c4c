"""Greetings, thanks and fillers around a question are peeled off before classification."""

from __future__ import annotations

import pytest

from chat_widget.assistant.nlu.segment import segment


@pytest.mark.parametrize(
    ("text", "core"),
    [
        (
            "Hallo, guten Tag, ich möchte eine Lastschrift widerrufen, danke im Voraus!",
            "ich möchte eine Lastschrift widerrufen",
        ),
        (
            "Bonjour madame, j'ai une question : comment payer une facture ? Cordialement",
            "comment payer une facture ?",
        ),
        (
            "Bonjour, j'aimerais savoir quel est mon solde merci beaucoup",
            "j'aimerais savoir quel est mon solde",
        ),
        (
            "Goeiemorgen, ik heb een vraagje: hoe zet ik een domiciliëring stop? Alvast bedankt, mvg",
            "hoe zet ik een domiciliëring stop?",
        ),
        (
            "Hi there! What's my ATM withdrawal limit? Thanks in advance",
            "What's my ATM withdrawal limit?",
        ),
        (
            "Sehr geehrte Damen und Herren, meine Karte ist weg. Mit freundlichen Grüßen",
            "meine Karte ist weg.",
        ),
        ("dear sir or madam, i lost my card", "i lost my card"),
        ("Beste, mijn kaart werkt niet meer. Groetjes", "mijn kaart werkt niet meer."),
    ],
)
def test_the_question_is_kept_and_what_surrounds_it_goes(text: str, core: str) -> None:
    parts = segment(text)
    assert parts.core == core
    assert parts.leading or parts.trailing


@pytest.mark.parametrize(
    "text",
    [
        "bonjour",
        "Bonjour madame",
        "merci beaucoup !",
        "Dank u wel",
        "goeiemorgen allemaal",
        "Guten Morgen zusammen",
        "Tschüss",
        "hello, thanks, bye",
        "Thank you so much",
    ],
)
def test_small_talk_alone_leaves_no_question(text: str) -> None:
    parts = segment(text)
    assert not parts.has_question
    assert parts.core_words <= 1


def test_words_inside_other_words_are_not_peeled() -> None:
    # "ty" (thank you) and "dag" (hello) only count as whole words
    assert segment("property tax").core == "property tax"
    assert segment("vandaag nog betalen").core == "vandaag nog betalen"
    assert segment("daguitgave limiet").core == "daguitgave limiet"


def test_a_long_question_never_counts_as_small_talk() -> None:
    text = "Bonjour, je voudrais savoir comment je peux bloquer ma carte parce que je l'ai perdue hier soir"
    assert segment(text).has_question


def test_a_question_without_greeting_is_untouched() -> None:
    text = "comment bloquer ma carte"
    assert segment(text).core == text
    assert segment(text).leading == "" and segment(text).trailing == ""


@pytest.mark.parametrize(
    ("text", "core"),
    [
        (
            "oui bonjour euh je je je voudrais savoir euh combien j'ai sur mon compte",
            "je voudrais savoir combien j'ai sur mon compte",
        ),
        (
            "Guten Tag äh guten Tag ja ich wollte wissen ich wollte wissen wie viel ich abheben darf",
            "ich wollte wissen wie viel ich abheben darf",
        ),
        ("ja hallo also ähm meine Karte ist weg", "meine Karte ist weg"),
        (
            "Goeiemiddag euh allee ik ik wil een domi domiciliëring stoppen",
            "ik wil een domi domiciliëring stoppen",
        ),
        ("um, so my card, my card was stolen", "my card was stolen"),
    ],
)
def test_spoken_hesitations_and_false_starts_go(text: str, core: str) -> None:
    assert segment(text).core == core


def test_words_that_merely_contain_a_hesitation_stay() -> None:
    # "euh"/"um"/"er" only count as whole words; "Museum", "Ähre", "super" are untouched
    text = "ich war im Museum und meine Karte ist super alt"
    assert segment(text).core == text
