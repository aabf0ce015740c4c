"""Canned replies: variables, the anonymous customer, the ``/`` search."""

from __future__ import annotations

import pytest

from chat_widget.live_chat.canned import canned_for, expand, fold, search


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Bonjour {first_name}, je suis {agent}.", "Bonjour, je suis Sophie."),
        ("Merci pour votre patience, {first_name}.", "Merci pour votre patience."),
        ("{first_name}, un instant.", "Un instant."),
        ("Hello {first_name} — {agent}", "Hello — Sophie"),
    ],
)
def test_an_anonymous_customer_leaves_no_gap(template: str, expected: str) -> None:
    assert expand(template, first_name="", agent="Sophie") == expected
    assert expand(template, first_name="   ", agent="Sophie") == expected


def test_a_known_first_name_and_the_agent_are_filled() -> None:
    text = expand("Bonjour {first_name}, je suis {agent}.", first_name="Léa", agent="Sophie")
    assert text == "Bonjour Léa, je suis Sophie."


def test_unknown_or_empty_placeholders_stay_visible() -> None:
    assert expand("Sujet : {topic}", first_name="", agent="A") == "Sujet : {topic}"
    assert expand("Sujet : {topic}", first_name="", agent="A", topic="") == "Sujet : {topic}"
    assert expand("Sujet : {topic}", first_name="", agent="A", topic="Cartes") == "Sujet : Cartes"


@pytest.mark.parametrize("locale", ["fr", "nl", "en", "de", "de-BE", "xx"])
def test_every_language_has_every_reply_expanded(locale: str) -> None:
    replies = canned_for(locale, first_name="", agent="Pieter", topic="Cartes")
    assert len(replies) >= 6
    for reply in replies:
        assert "{" not in reply.text, reply
        assert " ," not in reply.text and "  " not in reply.text, reply
    greeting = next(r for r in replies if r.key == "greeting")
    assert "Pieter" in greeting.text


def test_greeting_matches_what_customers_saw_before() -> None:
    replies = {r.key: r.text for r in canned_for("nl", first_name="", agent="Pieter")}
    assert replies["greeting"] == "Goedendag, ik ben Pieter. Hoe kan ik u helpen?"
    named = {r.key: r.text for r in canned_for("fr", first_name="Léa", agent="Sophie")}
    assert named["greeting"] == "Bonjour Léa, je suis Sophie. Comment puis-je vous aider ?"


def test_search_ignores_case_accents_order_and_the_slash() -> None:
    replies = canned_for("fr", first_name="", agent="Sophie")
    assert [r.key for r in search(replies, "/securite")] == ["never_share_codes"]
    assert [r.key for r in search(replies, "/PIN codes")] == ["never_share_codes"]
    assert [r.key for r in search(replies, "/goodbye")] == ["goodbye"]
    assert search(replies, "/") == replies
    assert search(replies, "/zzz") == []
    assert fold("Réponse Über") == "reponse uber"
