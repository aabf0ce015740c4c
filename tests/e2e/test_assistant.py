"""The digital assistant in the browser: languages, unsure answers, hand-over, notice, privacy."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.e2e.conftest import WidgetServer, axe_violations, describe, open_widget

pytestmark = pytest.mark.e2e

COMPOSER = {"fr": "Votre message", "nl": "Uw bericht", "en": "Your message", "de": "Ihre Nachricht"}
SEND = {"fr": "Envoyer", "nl": "Versturen", "en": "Send", "de": "Senden"}
TITLE = {
    "fr": "Assistant digital",
    "nl": "Digitale assistent",
    "en": "Digital assistant",
    "de": "Digitaler Assistent",
}


def open_assistant(page: Page, server: WidgetServer, locale: str = "fr") -> Frame:
    frame = open_widget(page, server)
    if locale != "fr":
        page.evaluate(f"cw('setLocale', {locale!r})")
    frame.get_by_role("button", name=re.compile(TITLE[locale])).click()
    expect(frame.get_by_role("heading", level=1, name=TITLE[locale])).to_be_focused()
    return frame


def ask(frame: Frame, text: str, locale: str = "fr") -> None:
    before = frame.locator(".cw-msg--other").count()
    box = frame.get_by_label(COMPOSER[locale])
    box.fill(text)
    box.press("Enter")
    expect(frame.locator(".cw-msg--other")).to_have_count(before + 1, timeout=45000)


def last_answer(frame: Frame) -> str:
    return frame.locator(".cw-msg--other").last.inner_text()


@pytest.mark.parametrize(
    ("locale", "question"),
    [
        ("fr", "j'ai perdu ma carte bancaire"),
        ("nl", "ik ben mijn bankkaart kwijt"),
        ("en", "I lost my card, what should I do?"),
        ("de", "Ich habe meine Bankkarte verloren"),
    ],
)
def test_lost_card_is_answered_in_the_customers_language(
    page: Page, widget_server: WidgetServer, locale: str, question: str
) -> None:
    frame = open_assistant(page, widget_server, locale)
    ask(frame, question, locale)
    answer = last_answer(frame)
    assert "078 170 170" in answer  # Card Stop, from the reviewed answer
    # Composer keeps the focus for the next question.
    expect(frame.get_by_label(COMPOSER[locale])).to_be_focused()


def test_ai_notice_shows_once_and_answers_are_labelled_automated(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_assistant(page, widget_server)
    ask(frame, "comment activer le paiement sans contact ?")
    ask(frame, "j'ai perdu ma carte bancaire")
    expect(frame.locator(".cw-ai-notice")).to_have_count(1)
    expect(frame.locator(".cw-ai-notice")).to_contain_text("IA et peuvent être inexactes")
    labels = frame.locator(".cw-msg--other .cw-visually-hidden").all_inner_texts()
    assert labels and all("réponse automatique" in label for label in labels)


def test_unsure_question_gets_options_instead_of_a_guess(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_assistant(page, widget_server, "en")
    ask(frame, "what will the weather be like in Ostend on Sunday", "en")
    answer = last_answer(frame)
    assert (
        "not sure" in answer.lower()
        or "didn't understand" in answer.lower()
        or "did not understand" in answer.lower()
    ), answer
    expect(
        frame.get_by_role(
            "button", name=re.compile("Chat with|Book a video|Rephrase|None of these", re.I)
        ).first
    ).to_be_visible()


def test_handover_is_offered_when_a_person_is_needed(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_assistant(page, widget_server, "en")
    ask(frame, "there is a payment on my card that I did not make, someone used my card", "en")
    offer = frame.get_by_role(
        "button", name=re.compile("Chat with an employee|Chat with a bank employee", re.I)
    )
    expect(offer.first).to_be_visible()
    offer.first.click()
    expect(frame.get_by_role("heading", level=1, name="Chat with a bank employee")).to_be_visible()


def test_pin_is_blocked_in_the_browser_and_never_stored(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_assistant(page, widget_server)
    box = frame.get_by_label(COMPOSER["fr"])
    box.fill("mon code pin est 4821, pouvez-vous le débloquer ?")
    frame.get_by_role("button", name=SEND["fr"]).click()
    expect(frame.get_by_role("alert").first).to_contain_text("n'a pas été envoyé")
    # The text is still there to be edited, and nothing reached the server.
    expect(box).to_have_value(re.compile("4821"))
    with sqlite3.connect(widget_server.db_path) as db:
        leaked = db.execute("SELECT count(*) FROM message WHERE body LIKE '%4821%'").fetchone()
    assert leaked == (0,)


def test_quick_reply_and_feedback(page: Page, widget_server: WidgetServer) -> None:
    frame = open_assistant(page, widget_server, "en")
    ask(frame, "I lost my card", "en")
    # The answer offers follow-up questions; picking one is answered without typing.
    chips = (
        frame.locator(".cw-msg--other")
        .last.get_by_role("group", name="Suggestions")
        .get_by_role("button")
    )
    expect(chips.first).to_be_visible()
    picked = chips.first.inner_text()
    chips.first.click()
    expect(frame.locator(".cw-msg--customer").last).to_contain_text(picked)
    expect(frame.locator(".cw-msg--other")).to_have_count(2, timeout=15000)
    # "This didn't help" gets an apology and the answer is kept for review.
    frame.get_by_role("button", name=re.compile("^No", re.I)).click()
    expect(frame.locator(".cw-msg--other").last).to_contain_text(re.compile("sorry", re.I))
    with sqlite3.connect(widget_server.db_path) as db:
        reviewed = db.execute("SELECT count(*) FROM assistant_review_item").fetchone()
    assert reviewed[0] >= 1


def test_conversation_resumes_after_reload(page: Page, widget_server: WidgetServer) -> None:
    frame = open_assistant(page, widget_server, "en")
    ask(frame, "How do I top up my account?", "en")
    count = frame.locator(".cw-msg").count()
    page.reload()
    frame = open_assistant(page, widget_server, "en")
    expect(frame.locator(".cw-msg")).to_have_count(count)


def test_assistant_view_has_no_axe_violations(page: Page, widget_server: WidgetServer) -> None:
    frame = open_assistant(page, widget_server)
    ask(frame, "j'ai perdu ma carte bancaire")
    violations = axe_violations(frame)
    assert violations == [], describe(violations)


def test_a_question_in_another_language_is_answered_in_it_and_the_widget_can_follow(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_assistant(page, widget_server, "fr")
    ask(frame, "Goeiemorgen, ik ben mijn bankkaart kwijt, wat moet ik doen?", "fr")
    answer = last_answer(frame)
    assert "078 170 170" in answer and "kaart" in answer.lower()  # Dutch, not French
    switch = frame.get_by_role("button", name="Widget in het Nederlands tonen")
    expect(switch).to_be_visible()
    switch.click()
    expect(frame.get_by_role("heading", level=1, name=TITLE["nl"])).to_be_visible()
    expect(frame.get_by_label(COMPOSER["nl"])).to_be_visible()
