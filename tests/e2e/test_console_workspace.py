"""The agent chat workspace (/agent) in real browsers: a customer in the widget, an agent in
the console (two browser contexts, one production server)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import WidgetServer, axe_violations, describe
from tests.e2e.test_live_chat import (  # noqa: F401  (live_server is a fixture)
    PASSWORD,
    agent_login,
    close_open_chats,
    customer_send,
    customer_start_chat,
    live_server,
    log_texts,
    new_context,
)

pytestmark = pytest.mark.e2e

NEVER_SHARE = (
    "Pour votre sécurité, ne communiquez jamais vos codes, votre PIN ou les réponses de votre "
    "lecteur de carte, pas même à nous."
)


WIDER_THAN = """(width) => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id)"""


def assert_fits(page: Page, width: int) -> None:
    """Nothing sticks out sideways (WCAG 1.4.10 reflow at 320 CSS px)."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, (scroll_width, page.evaluate(WIDER_THAN, width))


def accept_first(agent: Page) -> None:
    """Accept the first waiting "Cartes" chat and wait until it is the open one (a second
    accepted chat only adds a tab: the side panel already said "Cartes" for the first)."""
    tabs = agent.locator(".ag-chat-tab")
    held = tabs.count()
    row = agent.get_by_role("row").filter(has_text="Cartes")
    expect(row).to_be_visible(timeout=5000)
    row.get_by_role("button", name="Accepter").first.click()
    expect(tabs).to_have_count(held + 1, timeout=5000)
    # Tabs come in the order the chats were accepted: the new one is last, and open.
    expect(tabs.nth(held)).to_have_attribute("aria-current", "true")
    expect(agent.locator(".ag-side")).to_contain_text("Cartes")


def test_canned_replies_by_slash_guard_and_internal_notes(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
) -> None:
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        frame = customer_start_chat(customer_ctx.new_page(), live_server)
        accept_first(agent)

        # "/" opens the listbox; focus stays in the field, aria-activedescendant follows.
        box = agent.get_by_label("Votre réponse")
        listbox = agent.get_by_role("listbox", name="Réponses types")
        expect(listbox).to_be_hidden()
        box.press_sequentially("/")
        expect(listbox).to_be_visible()
        first = listbox.get_by_role("option").first
        expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
        # The anonymous customer: no gap where the first name would be; the agent's name is in.
        expect(
            listbox.get_by_role("option", name=re.compile("^Bonjour, je suis Sophie"))
        ).to_be_visible()

        # Typing narrows it, accents and case ignored.
        box.press_sequentially("SECURITE")
        options = listbox.get_by_role("option").filter(visible=True)  # type: ignore[call-arg]
        expect(options).to_have_count(1)
        option_id = options.first.get_attribute("id") or ""
        expect(box).to_have_attribute("aria-activedescendant", option_id)
        expect(options.first).to_have_attribute("aria-selected", "true")
        box.press("Enter")  # inserts, does not send
        expect(listbox).to_be_hidden()
        expect(box).to_have_value(NEVER_SHARE)
        assert NEVER_SHARE not in log_texts(agent)
        box.press("Enter")  # sends
        expect(frame.locator(".cw-log")).to_contain_text(NEVER_SHARE, timeout=5000)

        # Arrow keys move; Escape closes and keeps what was typed.
        box.press_sequentially("/merci")
        visible = listbox.get_by_role("option").filter(visible=True)  # type: ignore[call-arg]
        expect(visible).to_have_count(2)
        ids = [visible.nth(i).get_attribute("id") for i in range(2)]
        box.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", ids[1] or "")
        box.press("ArrowDown")
        expect(box).to_have_attribute("aria-activedescendant", ids[0] or "")
        box.press("Escape")
        expect(listbox).to_be_hidden()
        expect(box).to_have_value("/merci")
        box.fill("")

        # The privacy guard applies to agents too: not sent, explained, the text kept.
        box.fill("Votre carte 4111 1111 1111 1111 est bloquée")
        box.press("Enter")
        alert = agent.locator(".ag-conversation .cw-guard")
        expect(alert).to_contain_text("Pour votre sécurité, ce message n'a pas été envoyé.")
        expect(alert).to_contain_text("numéro complet de votre carte")
        expect(box).to_have_value("Votre carte 4111 1111 1111 1111 est bloquée")
        agent.wait_for_timeout(800)
        assert not any("4111" in t for t in log_texts(frame))
        assert not any("4111" in t for t in log_texts(agent))

        # Internal notes: labelled and set apart, never shown to the customer.
        box.fill("")
        agent.get_by_label("Nouvelle note interne").fill("Client déjà appelé hier")
        agent.get_by_role("button", name="Ajouter la note").click()
        note = agent.locator(".ag-note").filter(has_text="Client déjà appelé hier")
        expect(note).to_be_visible()
        expect(note.locator(".ag-note-badge")).to_have_text("Note interne")
        assert "Client déjà appelé hier" not in frame.locator("body").inner_text()

        # axe with the listbox open, at desktop width and at 320 px.
        box.press_sequentially("/")
        expect(listbox).to_be_visible()
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
        box.press("Escape")
        agent.set_viewport_size({"width": 320, "height": 800})
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
        assert_fits(agent, 320)
    finally:
        customer_ctx.close()
        agent_ctx.close()
        close_open_chats(live_server)


def test_transfer_to_a_colleague_then_to_a_queue_with_notes(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
) -> None:
    customer_ctx, agent_ctx, colleague_ctx = (new_context(browser) for _ in range(3))
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        colleague = colleague_ctx.new_page()
        agent_login(colleague, live_server, "pieter")
        frame = customer_start_chat(customer_ctx.new_page(), live_server)
        accept_first(agent)

        # To a colleague, with a note: the colleague gets the chat and reads the note first.
        agent.get_by_label("Transférer à").select_option(label="Pieter Janssens")
        agent.get_by_label(re.compile("^Note pour la personne qui reprend")).fill(
            "Carte bloquée à l'étranger, client vérifié"
        )
        agent.get_by_role("button", name="Transférer", exact=True).click()
        expect(frame.locator(".cw-log")).to_contain_text("Pieter a rejoint", timeout=5000)
        expect(agent.locator(".ag-conversation")).to_have_count(0)
        handover = colleague.locator(".ag-note--handover")
        expect(handover).to_contain_text("Carte bloquée à l'étranger, client vérifié", timeout=5000)
        expect(handover).to_contain_text("Note de transfert")
        expect(handover).to_contain_text("Sophie Dubois")
        assert "client vérifié" not in frame.locator("body").inner_text()

        # Back to the French queue with a note: the customer waits again, anyone can take it.
        colleague.get_by_label("Transférer à").select_option("queue:fr")
        colleague.get_by_label(re.compile("^Note pour la personne qui reprend")).fill(
            "Ne parle pas néerlandais"
        )
        colleague.get_by_role("button", name="Transférer", exact=True).click()
        expect(frame.locator(".cw-log")).to_contain_text("Pieter a quitté", timeout=5000)
        expect(frame.get_by_role("heading", name="En attente d'un conseiller")).to_be_visible()
        accept_first(agent)
        expect(frame.locator(".cw-log")).to_contain_text("Sophie a rejoint", timeout=5000)
        notes = agent.locator(".ag-note--handover")
        expect(notes).to_have_count(2, timeout=5000)
        expect(notes.nth(1)).to_contain_text("Ne parle pas néerlandais")
        expect(notes.nth(1)).to_contain_text("Pieter Janssens")
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
    finally:
        for ctx in (customer_ctx, agent_ctx, colleague_ctx):
            ctx.close()
        close_open_chats(live_server)


def _add_claim_and_meeting(server: WidgetServer) -> None:
    """The waiting customer filed a claim and booked a meeting earlier (written straight to the
    server's database, as another channel of the app would)."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session, col, select

    from chat_widget.adapters.db import make_engine
    from chat_widget.claims.records import Claim
    from chat_widget.live_chat.records import ChatRequest
    from chat_widget.meetings.records import MeetingAppointment

    engine = make_engine(f"sqlite:///{server.db_path}")
    try:
        with Session(engine) as session:
            request = session.exec(
                select(ChatRequest)
                .where(col(ChatRequest.closed_at).is_(None), col(ChatRequest.agent_id).is_(None))
                .order_by(col(ChatRequest.requested_at).desc())
            ).first()
            assert request is not None
            start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
            session.add(
                Claim(
                    customer_id=request.customer_id,
                    reference="E2E-PANE-0001",
                    type="car_glass",
                    status="submitted",
                    submitted_at=start,
                )
            )
            session.add(
                MeetingAppointment(
                    customer_id=request.customer_id,
                    topic="daily_banking",
                    locale="fr",
                    customer_name="Léa Martin",
                    start_utc=start,
                    end_utc=start + timedelta(minutes=30),
                    staff_id="staff-e2e",
                    advisor_first_name="Anne",
                    status="booked",
                )
            )
            session.commit()
    finally:
        engine.dispose()


def test_three_panes_with_the_customers_claims_and_meetings(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
) -> None:
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        frame = customer_start_chat(customer_ctx.new_page(), live_server)
        _add_claim_and_meeting(live_server)
        accept_first(agent)

        side = agent.get_by_role("complementary", name="Contexte client")
        expect(side).to_contain_text("Anonyme (non identifié)")
        expect(side.locator(".ag-records").first).to_contain_text(
            "E2E-PANE-0001 · Bris de vitre (voiture) · Envoyée"
        )
        expect(side.locator(".ag-records").nth(1)).to_contain_text("Banque au quotidien · Confirmé")
        # The customer who booked gave the bank a first name: the greeting uses it.
        listbox = agent.get_by_role("listbox", name="Réponses types")
        agent.get_by_label("Votre réponse").press_sequentially("/")
        expect(
            listbox.get_by_role("option", name=re.compile("^Bonjour Léa, je suis Sophie"))
        ).to_be_visible()
        agent.get_by_label("Votre réponse").press("Escape")
        my_chats = agent.get_by_role("navigation", name="Mes conversations")
        expect(my_chats).to_contain_text("attribuée à moi")

        # Three panes side by side at 1280 px: lists | conversation | customer.
        boxes = [
            agent.locator(sel).bounding_box() for sel in (".ag-col", ".ag-conversation", ".ag-side")
        ]
        assert all(boxes), boxes
        xs = [b["x"] for b in boxes if b]
        assert xs == sorted(xs) and len(set(xs)) == 3, xs
        assert frame.locator(".cw-log").count() == 1
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
        agent.set_viewport_size({"width": 320, "height": 800})
        assert_fits(agent, 320)
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
    finally:
        customer_ctx.close()
        agent_ctx.close()
        close_open_chats(live_server)


def test_my_conversations_show_how_long_the_customer_has_waited_for_an_answer(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
) -> None:
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        agent = agent_login_page(agent_ctx, live_server)
        frame = customer_start_chat(customer_ctx.new_page(), live_server)
        accept_first(agent)
        tab = agent.get_by_role("navigation", name="Mes conversations").locator(".ag-chat-tab")
        wait = tab.locator(".ag-wait")
        # Nothing said yet: no wait.
        expect(wait).to_have_count(0)

        customer_send(frame, "Vous êtes là ?")
        expect(wait).to_have_text(" · attend une réponse depuis moins d'une minute", timeout=5000)
        # The agent answers: the wait is gone; the customer asks again: a new one starts.
        agent.get_by_label("Votre réponse").fill("Oui, je regarde votre dossier.")
        agent.get_by_label("Votre réponse").press("Enter")
        expect(wait).to_have_count(0, timeout=5000)
        customer_send(frame, "Merci, et pour ma carte ?")
        expect(wait).to_have_count(1, timeout=5000)
        for width in (1280, 320):
            agent.set_viewport_size({"width": width, "height": 800})
            violations = axe_violations(agent)
            assert violations == [], f"{width}px: {describe(violations)}"
        assert_fits(agent, 320)
        agent.set_viewport_size({"width": 1280, "height": 900})

        # Time passes (the browser's clock, 2.5 minutes on): the wait is counted on in the
        # page, without any news from the server.
        later = agent.evaluate("Date.now()") / 1000 + 150  # seconds, as set_fixed_time takes
        agent.clock.set_fixed_time(later)
        expect(wait).to_have_text(" · attend une réponse depuis 2 min")
        expect(tab).to_contain_text("attend une réponse depuis 2 min")
    finally:
        customer_ctx.close()
        agent_ctx.close()
        close_open_chats(live_server)


def test_the_queue_counts_each_customers_wait_on(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
) -> None:
    """The queue's wait column grows in the page without news from the server (the moment
    each customer asked, counted on by agent-console.js)."""
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        agent = agent_login_page(agent_ctx, live_server)
        customer_start_chat(customer_ctx.new_page(), live_server)
        waits = agent.locator("#ag-queue .ag-qwait")
        expect(waits.filter(has_text=re.compile(r"^0 min$")).first).to_be_visible(timeout=5000)
        later = agent.evaluate("Date.now()") / 1000 + 150
        agent.clock.set_fixed_time(later)
        expect(waits.filter(has_text=re.compile(r"^0 min$"))).to_have_count(0)
        expect(waits.filter(has_text=re.compile(r"^2 min$")).first).to_be_visible()
        assert axe_violations(agent) == []
        accept_first(agent)  # held, so close_open_chats leaves the queue empty for the others
    finally:
        customer_ctx.close()
        agent_ctx.close()
        close_open_chats(live_server)


def agent_login_page(ctx: BrowserContext, server: WidgetServer) -> Page:
    agent = ctx.new_page()
    agent_login(agent, server)
    return agent


SPY_NOTIFICATIONS = """
(() => {
  const Native = window.Notification;
  if (!Native) { return; }
  window.__notes = [];
  function Spy(title, options) {
    window.__notes.push([title, options && options.body]);
    return new Native(title, options);
  }
  Object.defineProperty(Spy, "permission", { get: () => Native.permission });
  Spy.requestPermission = (...args) => Native.requestPermission(...args);
  window.Notification = Spy;
})();
"""


def _set_presence(server: WidgetServer, username: str, presence: str) -> None:
    from sqlmodel import Session

    from chat_widget.adapters.db import make_engine
    from chat_widget.agents import get_agent_by_username, set_presence

    engine = make_engine(f"sqlite:///{server.db_path}")
    try:
        with Session(engine) as session:
            agent = get_agent_by_username(session=session, username=username)
            assert agent is not None
            set_presence(session=session, agent_id=agent.id, presence=presence)
            session.commit()
    finally:
        engine.dispose()


def test_login_is_available_new_assignment_alerts_and_unread_title(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
) -> None:
    contexts = [new_context(browser) for _ in range(4)]
    first_ctx, second_ctx, agent_ctx, lena_ctx = contexts
    try:
        # Lena was offline; opening the console makes her available, without touching anything.
        _set_presence(live_server, "lena", "offline")
        lena_ctx.grant_permissions(["notifications"], origin=live_server.origin)
        lena_ctx.add_init_script(SPY_NOTIFICATIONS)
        lena = lena_ctx.new_page()
        lena.goto(f"{live_server.origin}/agent/login")
        lena.get_by_label("Identifiant").fill("lena")
        lena.get_by_label("Mot de passe").fill(PASSWORD)
        lena.get_by_role("button", name="Se connecter").click()
        lena.wait_for_url(re.compile(r"/agent/?$"))
        expect(lena.get_by_label("Disponibilité")).to_have_value("available", timeout=5000)
        # Alerts already allowed: no button asking for them.
        expect(lena.locator("#ag-notify")).to_be_hidden()

        # Sophie's browser has not been asked yet: the header offers the (click-started) prompt.
        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        expect(agent.get_by_role("button", name="Activer les alertes de bureau")).to_be_visible()

        # Two customers; Sophie takes both, the first one open.
        first = customer_start_chat(first_ctx.new_page(), live_server)
        accept_first(agent)
        second = customer_start_chat(second_ctx.new_page(), live_server)
        accept_first(agent)
        agent.get_by_role("button", name=re.compile("Ouvrir la conversation 1")).click()
        # The tab title is the console's, in its language (and follows it), unread count first.
        expect(agent).to_have_title("Console des conseillers")
        second.get_by_label("Votre message", exact=True).fill("Vous êtes là ?")
        second.get_by_label("Votre message", exact=True).press("Enter")
        unread = r"^\(\d+\) Console des conseillers$"
        expect(agent).to_have_title(re.compile(unread), timeout=5000)
        agent.locator("#ag-lang").select_option("en")
        expect(agent).to_have_title(re.compile(r"^\(\d+\) Agent console$"), timeout=5000)
        agent.locator("#ag-lang").select_option("fr")
        expect(agent).to_have_title(re.compile(unread), timeout=5000)
        agent.get_by_role("button", name=re.compile("Ouvrir la conversation 2")).click()
        expect(agent).to_have_title("Console des conseillers", timeout=5000)

        # Sophie hands the second chat to Lena: tone, desktop notification, status line.
        agent.get_by_label("Transférer à").select_option(label="Lena Schmitz")
        agent.get_by_role("button", name="Transférer", exact=True).click()
        expect(lena.locator(".ag-assigned")).to_contain_text(
            "Nouvelle conversation qui vous est attribuée", timeout=5000
        )
        lena.wait_for_function("(window.__notes || []).length >= 1", timeout=5000)
        notes = lena.evaluate("window.__notes")
        assert "Nouvelle conversation qui vous est attribuée" in notes[0][1]
        assert notes[0][0] == "Console des conseillers"  # the title, without the unread count
        assert lena.evaluate("window.__agTones || 0") >= 1
        assert first.locator(".cw-log").count() == 1
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
    finally:
        for ctx in contexts:
            ctx.close()
        close_open_chats(live_server)


def test_keyboard_shortcuts_and_their_help_dialog(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
) -> None:
    first_ctx, second_ctx, agent_ctx = (new_context(browser) for _ in range(3))
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        customer_start_chat(first_ctx.new_page(), live_server)
        accept_first(agent)
        customer_start_chat(second_ctx.new_page(), live_server)
        accept_first(agent)
        tabs = agent.locator(".ag-chat-tab")
        expect(tabs).to_have_count(2)
        tabs.first.click()
        expect(tabs.first).to_have_attribute("aria-current", "true")

        # "?" outside a field opens the help, a modal dialog; Escape closes it.
        agent.locator("body").press("?")
        dialog = agent.get_by_role("dialog", name="Raccourcis clavier")
        expect(dialog).to_be_visible()
        expect(
            dialog.get_by_role("row", name=re.compile("Alt\\+N Conversation suivante"))
        ).to_be_visible()
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
        agent.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        # The header's "?" button opens it too; its Close button closes it.
        agent.get_by_role("button", name="Raccourcis clavier").click()
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Fermer").click()
        expect(dialog).to_be_hidden()

        # Alt+N: next conversation (wraps); Alt+R: reply field; Alt+T / Alt+E: transfer, end.
        agent.keyboard.press("Alt+KeyN")
        expect(tabs.nth(1)).to_have_attribute("aria-current", "true", timeout=5000)
        agent.keyboard.press("Alt+KeyN")
        expect(tabs.first).to_have_attribute("aria-current", "true", timeout=5000)
        agent.keyboard.press("Alt+KeyR")
        expect(agent.get_by_label("Votre réponse")).to_be_focused()
        # "?" typed in the reply is text, not the help.
        agent.keyboard.type("Une question ?")
        expect(dialog).to_be_hidden()
        agent.keyboard.press("Alt+KeyT")
        expect(agent.get_by_label("Transférer à")).to_be_focused()
        agent.keyboard.press("Alt+KeyE")
        expect(agent.get_by_label("Motif de clôture")).to_be_focused()
        agent.keyboard.press("Alt+KeyR")
        agent.keyboard.press("Enter")
        expect(agent.locator(".ag-log")).to_contain_text("Une question ?", timeout=5000)
    finally:
        for ctx in (first_ctx, second_ctx, agent_ctx):
            ctx.close()
        close_open_chats(live_server)


def test_agent_sends_files_with_the_customers_checks_and_sees_previews(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    from PIL import Image

    photo = tmp_path / "plan d'accès.png"
    Image.new("RGB", (64, 48), (20, 120, 200)).save(photo, format="PNG")
    pdf = tmp_path / "conditions.pdf"
    Image.new("RGB", (200, 280), (250, 250, 250)).save(pdf, format="PDF")
    fake = tmp_path / "notes.png"
    fake.write_text("ceci n'est pas une image")
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        frame = customer_start_chat(customer_ctx.new_page(), live_server)
        accept_first(agent)
        expect(agent.get_by_label("Envoyer un fichier au client")).to_have_count(1)
        upload = agent.locator("#ag-upload input[type=file]")
        log = agent.locator(".ag-log")

        upload.set_input_files(str(photo))
        expect(log.locator(".cw-file-chip")).to_have_count(1, timeout=30000)
        upload.set_input_files(str(pdf))
        expect(log.locator(".cw-file-chip")).to_have_count(2, timeout=30000)
        # The customer gets both, through their own capability links.
        chips = frame.locator(".cw-log .cw-file-chip")
        expect(chips).to_have_count(2, timeout=10000)
        expect(chips.first).to_contain_text("plan d'accès.png")
        expect(chips.nth(1)).to_contain_text("conditions.pdf")
        assert re.match(
            r"^/api/chat/files/[0-9a-f]{32}\?t=", chips.first.get_attribute("href") or ""
        )

        # The console shows a server-rendered thumbnail for the photo and the PDF's first page.
        thumbs = log.locator("img.ag-thumb")
        expect(thumbs).to_have_count(2)
        for i in range(2):
            thumbs.nth(i).scroll_into_view_if_needed()
            agent.wait_for_function(
                "(img) => img.complete && img.naturalWidth > 0", arg=thumbs.nth(i).element_handle()
            )
        # Same refusal as for customers, in the console's language; nothing posted.
        upload.set_input_files(str(fake))
        expect(agent.locator("#ag-attach-error")).to_contain_text("notes.png", timeout=30000)
        expect(log.locator(".cw-file-chip")).to_have_count(2)
        expect(chips).to_have_count(2)
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
    finally:
        customer_ctx.close()
        agent_ctx.close()
        close_open_chats(live_server)
