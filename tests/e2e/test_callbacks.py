"""Live chat closed: the customer leaves a callback request; an agent sees it at opening.

The opening hours are switched by rewriting the schedule file the server reads, as in
test_live_chat (closed: a closure from yesterday until the day after tomorrow 09:00).
"""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import Browser, Frame, Page, expect

from tests.e2e import test_live_chat
from tests.e2e.conftest import WidgetServer, axe_violations, describe, open_widget
from tests.e2e.test_live_chat import (
    LIVE,
    agent_login,
    customer_start_chat,
    new_context,
    write_hours,
)

#: The live chat module's migrated, seeded server (its fixture, registered here under its name).
live_server = test_live_chat.live_server

PHONE = "+32470123456"


def _axe_at_both_widths(page: Page, frame: Frame) -> None:
    """Axe at 320 and 1280 px, light and dark (the widget follows prefers-color-scheme)."""
    for scheme in ("light", "dark"):
        # No colour transition under way while axe measures contrast.
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")  # type: ignore[arg-type]
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            violations = axe_violations(frame)
            assert violations == [], f"{width}px {scheme}: {describe(violations)}"
    page.emulate_media(color_scheme="light")


def test_closed_leave_a_callback_request_agent_takes_it_at_opening(
    browser: Browser, live_server: WidgetServer
) -> None:
    write_hours(live_server.hours_path, open_now=False)
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        page = customer_ctx.new_page()
        frame = open_widget(page, live_server)
        frame.get_by_role("button", name=LIVE).click()
        closed = frame.locator("#cw-live-closed")
        # One date format: the same "mercredi 25 novembre, 09:00" style as the home view.
        expect(closed).to_contain_text(re.compile(r"Réouverture le \S+ \d+ \S+, 09:00"))
        phone = closed.get_by_role("link", name="+32 2 222 11 11")
        expect(phone).to_have_attribute("href", "tel:+3222221111")
        _axe_at_both_widths(page, frame)

        # A wrong number: said in French, the field marked, nothing typed is lost.
        contact = frame.get_by_label("Votre numéro de téléphone")
        message = frame.locator("#cw-cb-message")
        contact.fill("12")
        message.fill("Ma carte est bloquée, rappelez-moi svp")
        frame.get_by_role("button", name="Envoyer ma demande").click()
        expect(frame.locator("#cw-cb-error")).to_contain_text("ne semble pas valide")
        expect(contact).to_have_attribute("aria-invalid", "true")
        expect(message).to_have_value("Ma carte est bloquée, rappelez-moi svp")
        _axe_at_both_widths(page, frame)

        # A PIN in the message is refused before anything is sent; the text stays to correct.
        message.fill("Mon code PIN est 4821, rappelez-moi")
        contact.fill("0470 12 34 56")
        frame.get_by_role("button", name="Envoyer ma demande").click()
        expect(frame.locator(".cw-guard")).to_be_visible()
        expect(message).to_have_value("Mon code PIN est 4821, rappelez-moi")
        message.fill("Ma carte est bloquée, rappelez-moi svp")

        # By e-mail the label and the check follow the choice.
        frame.get_by_label("Par e-mail").check()
        expect(frame.get_by_label("Votre adresse e-mail")).to_be_visible()
        frame.get_by_label("Par téléphone").check()
        contact = frame.get_by_label("Votre numéro de téléphone")
        contact.fill("0470 12 34 56")
        frame.get_by_role("button", name="Envoyer ma demande").click()
        status = frame.locator("#cw-cb-status")
        expect(status).to_contain_text("Votre demande est envoyée")
        expect(status).to_contain_text(PHONE)
        expect(status).to_contain_text(re.compile(r"à partir de \S+ \d+ \S+, 09:00"))
        expect(frame.locator('.cw-cb-step[aria-current="step"]')).to_have_text("Envoyée")
        _axe_at_both_widths(page, frame)
        with sqlite3.connect(live_server.db_path) as db:
            stored = db.execute("SELECT contact, status, language FROM callback_request").fetchall()
        assert stored == [(PHONE, "sent", "fr")]

        # While closed, the request is not in the agents' queue yet.
        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        panel = agent.locator("#ag-callbacks")
        expect(panel).to_contain_text("Aucune demande de rappel.")

        # Opening time: it lands in the queue as a callback request.
        write_hours(live_server.hours_path, open_now=True)
        expect(panel).to_contain_text(PHONE, timeout=20_000)
        expect(panel).to_contain_text("Ma carte est bloquée, rappelez-moi svp")
        violations = axe_violations(agent)
        assert violations == [], describe(violations)

        panel.get_by_role("button", name="Je m'en occupe").click()
        expect(frame.locator('.cw-cb-step[aria-current="step"]')).to_have_text(
            "Prise en charge", timeout=20_000
        )
        expect(status).to_contain_text("Un conseiller a pris votre demande en charge")

        panel.get_by_role("button", name="Marquer comme traitée").click()
        expect(panel).to_contain_text("Aucune demande de rappel.")
        expect(status).to_contain_text("Votre demande a été traitée", timeout=20_000)
        _axe_at_both_widths(page, frame)
    finally:
        write_hours(live_server.hours_path, open_now=True)
        customer_ctx.close()
        agent_ctx.close()


EMPTY_MESSAGE = {
    "fr": "à quel sujet devons-nous vous recontacter",
    "nl": "waarover mogen we u contacteren",
    "en": "what should we contact you about",
    "de": "Worum sollen wir Sie kontaktieren",
}


def test_an_empty_message_is_explained_in_each_language_and_the_contact_kept(
    browser: Browser, live_server: WidgetServer
) -> None:
    write_hours(live_server.hours_path, open_now=False)
    customer_ctx = new_context(browser)
    stored = "SELECT COUNT(*) FROM callback_request"
    with sqlite3.connect(live_server.db_path) as db:
        before = db.execute(stored).fetchone()
    try:
        page = customer_ctx.new_page()
        frame = open_widget(page, live_server)
        frame.get_by_role("button", name=LIVE).click()
        contact = frame.get_by_label("Votre numéro de téléphone")
        message = frame.locator("#cw-cb-message")
        contact.fill("0470 12 34 56")
        message.fill("   ")
        frame.get_by_role("button", name="Envoyer ma demande").click()

        # Not silently ignored: said, the message field marked and focused, the number kept.
        error = frame.locator("#cw-cb-error")
        expect(error).to_contain_text(EMPTY_MESSAGE["fr"])
        expect(message).to_have_attribute("aria-invalid", "true")
        expect(message).to_be_focused()
        expect(contact).to_have_attribute("aria-invalid", "false")
        expect(contact).to_have_value("0470 12 34 56")
        _axe_at_both_widths(page, frame)
        with sqlite3.connect(live_server.db_path) as db:
            assert db.execute(stored).fetchone() == before

        # The same error in the widget's other languages; the number is still there.
        for lang in ("nl", "en", "de"):
            frame.locator("#cw-lang").select_option(lang)
            expect(error).to_contain_text(EMPTY_MESSAGE[lang])
            expect(frame.locator("#cw-cb-contact")).to_have_value("0470 12 34 56")
        frame.locator("#cw-lang").select_option("fr")

        # Written: sent with the number typed before the refusal.
        message.fill("Ma carte est bloquée, rappelez-moi svp")
        frame.get_by_role("button", name="Envoyer ma demande").click()
        expect(frame.locator("#cw-cb-status")).to_contain_text(PHONE)
        expect(error).to_have_count(0)  # the form gave way to the status
    finally:
        write_hours(live_server.hours_path, open_now=True)
        customer_ctx.close()


def test_long_queue_offers_a_callback_instead_of_waiting(
    browser: Browser, live_server: WidgetServer
) -> None:
    write_hours(live_server.hours_path, open_now=True)
    with sqlite3.connect(live_server.db_path) as db:
        # Nobody available for French: the expected wait is unknown, so too long.
        db.execute("UPDATE agent SET presence = 'offline'")
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        frame = customer_start_chat(page, live_server)
        offer = frame.locator("#cw-cb-offer")
        expect(offer).to_contain_text("L'attente est longue")
        _axe_at_both_widths(page, frame)
        frame.get_by_label("Par e-mail").check()
        frame.get_by_label("Votre adresse e-mail").fill("marie.dupont@example.be")
        frame.locator("#cw-cb-message").fill("Question sur mon prêt, merci de me répondre")
        frame.get_by_role("button", name="Envoyer ma demande").click()
        expect(frame.get_by_text("Merci. Votre message nous est parvenu")).to_be_visible()
        status = frame.locator("#cw-cb-status")
        expect(status).to_contain_text("Un conseiller vous recontacte bientôt")
        expect(status).to_contain_text("marie.dupont@example.be")
        _axe_at_both_widths(page, frame)
        with sqlite3.connect(live_server.db_path) as db:
            stored = db.execute(
                "SELECT contact_kind, status FROM callback_request WHERE contact = ?",
                ("marie.dupont@example.be",),
            ).fetchall()
            left = db.execute(
                "SELECT r.left_message FROM chatrequest r JOIN message m"
                " ON m.conversation_id = r.conversation_id"
                " WHERE m.body = 'Question sur mon prêt, merci de me répondre'"
            ).fetchall()
        assert stored == [("email", "sent")]
        assert left == [(1,)]  # out of the chat queue: the callback replaces the wait
    finally:
        ctx.close()
