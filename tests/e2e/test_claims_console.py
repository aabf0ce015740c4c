"""Claims handlers in the employee console (/agent/claims) and the customer's view of the status.

Each journey creates its own claim directly in the server's SQLite database through the claims
service (the same calls the widget makes). A handler searches and filters, opens the claim with
a reason (audited), sees answers once and previews of the documents, takes the claim or gives
it to a colleague, and moves its status — never without an explicit choice, and accept/refuse
only after a confirmation. The customer sees the new status in the widget.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import jwt
import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Locator, Page, expect

from chat_widget import agents
from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.agents.records import Role
from chat_widget.claims import attachments, service, transcript
from chat_widget.claims.records import submit_claim
from chat_widget.customers import attach_identity
from chat_widget.files import UploadLimits
from tests.e2e import test_live_chat
from tests.e2e.conftest import WidgetServer, axe_violations, describe, open_widget
from tests.e2e.test_live_chat import PASSWORD, new_context
from tests.unit.files import samples

pytestmark = pytest.mark.e2e

# The live-chat tests' server fixture: migrated, demo agents seeded with PASSWORD.
live_server = test_live_chat.live_server

SUB = "cust-console-1"
CLAIMS = "/agent/claims"
PREVIEW_REASON = "document preview shown in the claims console"


def brussels_today() -> date:
    """The claims console filters by the bank's calendar day (Brussels), not the server's."""
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def submitted_glass_claim(
    server: WidgetServer, *, with_pdf: bool = False
) -> tuple[str, str, list[str]]:
    """(claim id, reference, file ids) of a car-glass claim with a photo (and a PDF), sent by SUB."""
    engine = make_engine(f"sqlite:///{server.db_path}")
    store = LocalFileStore(server.data_dir / "files")
    try:
        with session_scope(engine) as s:
            customer = attach_identity(session=s, anonymous_id=None, external_ref=SUB).id
            conversation = transcript.start_claim_conversation(
                session=s, customer_id=customer, locale="en"
            )
            claim = service.begin_claim(
                session=s,
                customer_id=customer,
                claim_type="car_glass",
                locale="en",
                conversation_id=conversation,
            ).claim
            claim_id = claim.id
        uploads = [("windscreen.jpg", samples.jpeg(640, 480))]
        if with_pdf:
            uploads.append(("repair-quote.pdf", samples.pdf_document(pages=2)))
        files = []
        for name, data in uploads:
            with session_scope(engine) as s:
                files.append(
                    attachments.add_claim_file(
                        session=s,
                        store=store,
                        customer_id=customer,
                        claim_id=claim_id,
                        filename=name,
                        data=data,
                        limits=UploadLimits(),
                    ).id
                )
        today = brussels_today()
        for raw in (
            "123-4567890-02",
            "1-abc-123",
            today.isoformat(),
            "Rue de la Loi 16, 1000 Bruxelles",
            "windscreen",
            "chip",
            "",
            files,
        ):
            with session_scope(engine) as s:
                asked = service.resume_claim(session=s, customer_id=customer)
                assert asked is not None
                question_id = asked.step.state["current"]
                step = service.answer_current(
                    session=s, customer_id=customer, claim_id=claim_id, raw=raw, today=today
                )
                assert step.step.error is None, (raw, step.step.error)
                transcript.record_answer(
                    session=s, claim=step.claim, question_id=question_id, edited=False
                )
        with session_scope(engine) as s:
            reference = submit_claim(session=s, customer_id=customer, claim_id=claim_id).reference
        assert reference
        return claim_id, reference, files
    finally:
        engine.dispose()


def add_employee(server: WidgetServer, username: str, name: str, roles: tuple[str, ...]) -> None:
    engine = make_engine(f"sqlite:///{server.db_path}")
    try:
        with session_scope(engine) as s:
            if agents.get_agent_by_username(session=s, username=username) is None:
                agents.create_agent(
                    session=s, username=username, display_name=name, password=PASSWORD, roles=roles
                )
    finally:
        engine.dispose()


def login(page: Page, server: WidgetServer, username: str, lands: str = r"/agent/?$") -> None:
    page.goto(f"{server.origin}/agent/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(lands))


def status_of(page: Page, url: str) -> int:
    result: int = page.evaluate(
        "(u) => fetch(u, {credentials: 'same-origin'}).then(r => r.status)", url
    )
    return result


def audit_rows(server: WidgetServer, action: str, target: str) -> list[Any]:
    with sqlite3.connect(server.db_path) as db:
        return db.execute(
            "SELECT actor_id, reason FROM auditevent WHERE action = ? AND target_id = ?",
            (action, target),
        ).fetchall()


def customer_claims(page: Page, server: WidgetServer) -> Frame:
    key = server.env["CW_IDENTITY_JWT_KEY"]
    token = jwt.encode({"sub": SUB, "aud": "contact-widget", "exp": int(time.time()) + 600}, key)
    frame = open_widget(page, server)
    page.evaluate("cw('setLocale', 'en')")
    page.evaluate(f"cw('identify', () => Promise.resolve({token!r}))")
    expect(frame.locator("#cw-signed-in")).to_be_visible()
    frame.get_by_role("button", name=re.compile("Declare a claim with myBo")).click()
    frame.get_by_role("button", name="My claims").click()
    return frame


def nav_links(page: Page) -> list[str]:
    nav = page.get_by_role("navigation", name="Sections de la console")
    expect(nav.get_by_role("link").first).to_be_visible()
    return [t.strip() for t in nav.get_by_role("link").all_inner_texts()]


def open_claim(page: Page, server: WidgetServer, reference: str, why: str) -> Locator:
    """From the list: search the reference, open it with a reason; the detail section."""
    if CLAIMS not in page.url:
        page.goto(f"{server.origin}{CLAIMS}")
    page.get_by_label("Rechercher").fill(reference)
    page.get_by_role("button", name="Filtrer").click()
    row = page.get_by_role("row").filter(has_text=reference)
    row.get_by_role("button", name=re.compile("Ouvrir")).click()
    page.get_by_label("Motif de consultation").fill(why)
    page.get_by_role("button", name="Afficher").click()
    detail = page.locator(".cl-detail")
    expect(detail).to_contain_text(reference)
    return detail


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def test_nav_offers_each_role_its_own_pages(browser: Browser, live_server: WidgetServer) -> None:
    add_employee(live_server, "claire", "Claire Claims", (Role.CLAIMS_HANDLER,))
    add_employee(live_server, "victor", "Victor Sup", (Role.SUPERVISOR, Role.AGENT))
    chat, claims, meetings, supervision = (
        "Console des conseillers",
        "Console sinistres",
        "Rendez-vous vidéo",
        "Vue superviseur",
    )
    expected = {
        "sophie": (r"/agent/?$", [chat, meetings], chat),
        "marc": (r"/agent/?$", [chat, claims, meetings], chat),
        "victor": (r"/agent/?$", [chat, meetings, supervision], chat),
        "admin": (r"/agent/?$", [chat, claims, meetings, supervision], chat),
        "claire": (r"/agent/claims/?$", [claims], claims),
    }
    contexts: list[BrowserContext] = []
    try:
        for username, (lands, links, current) in expected.items():
            ctx = new_context(browser)
            contexts.append(ctx)
            page = ctx.new_page()
            login(page, live_server, username, lands)
            assert nav_links(page) == links, username
            here = page.get_by_role("navigation").get_by_role("link", name=current)
            expect(here).to_have_attribute("aria-current", "page")
        # The agent without the claims role moves between their own pages only.
        sophie = contexts[0].pages[0]
        sophie.get_by_role("link", name=meetings).click()
        sophie.wait_for_url(re.compile(r"/agent/meetings"))
        assert nav_links(sophie) == [chat, meetings]
        here = sophie.get_by_role("navigation").get_by_role("link", name=meetings)
        expect(here).to_have_attribute("aria-current", "page")
    finally:
        for ctx in contexts:
            ctx.close()


def test_handler_searches_filters_and_sees_the_claim_at_a_glance(
    browser: Browser, live_server: WidgetServer
) -> None:
    claim_id, reference, _ = submitted_glass_claim(live_server)
    handler_ctx, other_ctx, anon_ctx = (new_context(browser) for _ in range(3))
    try:
        # Logged out: the page sends to the login page.
        anon = anon_ctx.new_page()
        anon.goto(f"{live_server.origin}{CLAIMS}")
        anon.wait_for_url(re.compile(r"/agent/login/?(\?(next=[/a-z]*|signed_out=1))?$"))
        # An agent without the claims role asking for the page goes back to their own console.
        other = other_ctx.new_page()
        login(other, live_server, "sophie")
        other.goto(f"{live_server.origin}{CLAIMS}")
        other.wait_for_url(re.compile(r"/agent/?$"))
        expect(other.get_by_text("Connecté :")).to_be_visible()

        page = handler_ctx.new_page()
        login(page, live_server, "marc")
        page.get_by_role("link", name="Console sinistres").click()
        page.wait_for_url(re.compile(CLAIMS))
        row = page.get_by_role("row").filter(has_text=reference)
        expect(row).to_be_visible(timeout=10000)
        for shown in ("Bris de vitre (voiture)", "Envoyée", SUB, "123-4567890-02", "1-ABC-123"):
            expect(row).to_contain_text(shown)
        expect(row).to_contain_text("Personne")  # no owner yet
        expect(row).to_contain_text(re.compile(r"\d+ (min|h)"))  # its age
        violations = axe_violations(page)
        assert violations == [], describe(violations)

        # Search by what the customer reads out on the phone, typed any way.
        for typed in ("1abc123", "1234567890 02", reference.lower(), "CUST-CONSOLE"):
            page.get_by_label("Rechercher").fill(typed)
            page.get_by_role("button", name="Filtrer").click()
            expect(row).to_be_visible()
            expect(page.get_by_role("status").first).to_contain_text("déclaration")
        page.get_by_label("Rechercher").fill("no-such-claim-here")
        page.get_by_role("button", name="Filtrer").click()
        expect(page.get_by_text("Aucune déclaration ne correspond.")).to_be_visible()
        page.get_by_label("Rechercher").fill("")

        page.get_by_label("Type").select_option("home_fire")
        page.get_by_role("button", name="Filtrer").click()
        expect(page.get_by_text("Aucune déclaration ne correspond.")).to_be_visible()
        page.get_by_label("Type").select_option("car_glass")
        page.get_by_label("Statut", exact=True).select_option("submitted")
        page.get_by_label("Envoyée à partir du").fill(brussels_today().isoformat())
        page.get_by_label("Envoyée jusqu'au").fill(brussels_today().isoformat())
        page.get_by_label("Responsable").select_option("none")
        page.get_by_label("Ordre").select_option("newest")
        page.get_by_role("button", name="Filtrer").click()
        expect(row).to_be_visible()
        page.get_by_label("Envoyée à partir du").fill("2099-01-01")
        page.get_by_role("button", name="Filtrer").click()
        expect(page.get_by_text("Aucune déclaration ne correspond.")).to_be_visible()
        page.get_by_label("Envoyée à partir du").fill("")
        page.get_by_label("Envoyée jusqu'au").fill("")
        page.get_by_role("button", name="Filtrer").click()
        expect(row).to_be_visible()

        with sqlite3.connect(live_server.db_path) as db:
            searched = db.execute(
                "SELECT details FROM auditevent WHERE action = 'claim.list' AND details LIKE ?",
                ('%"search": "1abc123"%',),
            ).fetchall()
        assert len(searched) == 1 and claim_id in searched[0][0]  # what the list showed
        assert audit_rows(live_server, "claim.view", claim_id) == []
    finally:
        for ctx in (handler_ctx, other_ctx, anon_ctx):
            ctx.close()


def test_open_claim_shows_answers_once_folded_transcript_and_document_previews(
    browser: Browser, live_server: WidgetServer
) -> None:
    claim_id, reference, (photo, pdf) = submitted_glass_claim(live_server, with_pdf=True)
    handler_ctx, other_ctx = new_context(browser), new_context(browser)
    try:
        page = handler_ctx.new_page()
        login(page, live_server, "marc")
        detail = open_claim(page, live_server, reference, "Dossier SIN à traiter")
        views = audit_rows(live_server, "claim.view", claim_id)
        assert len(views) == 1 and views[0][1] == "Dossier SIN à traiter"
        answers = detail.locator(".cl-answers")
        expect(answers).to_contain_text("Rue de la Loi 16")
        expect(answers).to_contain_text("Pare-brise")
        expect(detail.locator(".cl-history")).to_contain_text("Envoyée")
        # The conversation that collected the answers is there, folded: read once, not twice.
        folded = detail.locator("details.cl-transcript")
        expect(folded).not_to_have_attribute("open", "")
        expect(detail.get_by_text("Which glass is damaged?")).to_be_hidden()
        folded.locator("summary").click()
        expect(detail.get_by_text("Which glass is damaged?")).to_be_visible()
        folded.locator("summary").click()

        # Documents are previews from the audited, cookie-checked routes; they open large.
        photo_link = detail.get_by_role("link", name=re.compile("windscreen.jpg"))
        pdf_link = detail.get_by_role("link", name=re.compile("repair-quote.pdf"))
        assert photo_link.get_attribute("href") == f"/api/claims/handler-files/{photo}"
        assert pdf_link.get_attribute("href") == f"/api/claims/handler-files/{pdf}"
        expect(pdf_link).to_contain_text("aperçu de la 1re page")
        for link, file_id in ((photo_link, photo), (pdf_link, pdf)):
            thumb = link.locator("img")
            assert thumb.get_attribute("src") == f"/api/claims/handler-previews/{file_id}"
            page.wait_for_function(
                "(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
            )
            assert thumb.evaluate("(img) => img.naturalWidth") <= 480
            previews = audit_rows(live_server, "claim_file.view", file_id)
            assert previews and {reason for _, reason in previews} == {PREVIEW_REASON}
        with page.expect_popup() as popup:
            photo_link.click()
        large = popup.value
        large.wait_for_load_state()
        assert large.evaluate("document.images[0].naturalWidth") == 640
        large.close()
        # Nobody else gets the previews or the files.
        other = other_ctx.new_page()
        login(other, live_server, "sophie")
        for prefix in ("handler-previews", "handler-files"):
            assert status_of(other, f"/api/claims/{prefix}/{photo}") == 404
        violations = axe_violations(page)
        assert violations == [], describe(violations)

        # The console language: the open claim is shown again in English (not a new view).
        page.locator("#cl-lang").select_option("en")
        expect(answers).to_contain_text("Windscreen")
        expect(page).to_have_title("Claims console")
        expect(detail.locator(".cl-history")).to_contain_text("Submitted")
        page.locator("#cl-lang").select_option("fr")
        expect(answers).to_contain_text("Pare-brise")
        expect(page).to_have_title("Console sinistres")
        assert len(audit_rows(live_server, "claim.view", claim_id)) == 1
    finally:
        handler_ctx.close()
        other_ctx.close()


def test_status_is_never_saved_without_an_explicit_choice(
    browser: Browser, live_server: WidgetServer
) -> None:
    """Fails on the console before issue 15, whose select preselected "Acceptée"."""
    claim_id, reference, _ = submitted_glass_claim(live_server)
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        login(page, live_server, "marc")
        detail = open_claim(page, live_server, reference, "Vérification du statut")
        # One click on "save" straight away: nothing may be decided for the handler.
        page.get_by_role("button", name="Enregistrer le statut").click()
        page.wait_for_timeout(1500)
        expect(page.locator("#cl-current-status")).to_have_text("Envoyée")
        assert audit_rows(live_server, "claim.set_status", claim_id) == []
        expect(page.get_by_label("Nouveau statut")).to_have_value("")
        assert page.get_by_label("Nouveau statut").evaluate("(s) => !s.checkValidity()")
        expect(detail).not_to_contain_text("Statut enregistré.")
    finally:
        ctx.close()


def test_accept_and_refuse_ask_for_a_confirmation(
    browser: Browser, live_server: WidgetServer
) -> None:
    claim_id, reference, _ = submitted_glass_claim(live_server)
    handler_ctx, customer_ctx = new_context(browser), new_context(browser)
    try:
        page = handler_ctx.new_page()
        login(page, live_server, "marc")
        detail = open_claim(page, live_server, reference, "Décision sur le dossier")
        # Refuse, then think again: nothing changes.
        page.get_by_label("Nouveau statut").select_option("rejected")
        page.get_by_role("button", name="Enregistrer le statut").click()
        question = detail.get_by_role("group", name=re.compile("Refuser la déclaration"))
        expect(question).to_contain_text(reference)
        expect(question.get_by_role("button", name="Oui, refuser")).to_be_focused()
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        question.get_by_role("button", name="Non, revenir").click()
        expect(question).to_be_hidden()
        expect(page.locator("#cl-current-status")).to_have_text("Envoyée")
        assert audit_rows(live_server, "claim.set_status", claim_id) == []

        # A review needs no confirmation; its note goes into the history.
        page.get_by_label("Nouveau statut").select_option("in_review")
        page.get_by_label("Note (facultatif)").fill("Expert mandaté")
        page.get_by_role("button", name="Enregistrer le statut").click()
        expect(page.get_by_text("Statut enregistré.")).to_be_visible()
        expect(page.locator("#cl-current-status")).to_have_text("En cours d’examen")
        expect(detail.locator(".cl-history")).to_contain_text("Expert mandaté")

        # Accept, confirmed: saved with its note.
        page.get_by_label("Nouveau statut").select_option("accepted")
        page.get_by_label("Note (facultatif)").fill("Franchise appliquée")
        page.get_by_role("button", name="Enregistrer le statut").click()
        confirm = detail.get_by_role("group", name=re.compile("Accepter la déclaration"))
        confirm.get_by_role("button", name="Oui, accepter").click()
        expect(page.locator("#cl-current-status")).to_have_text("Acceptée")
        expect(detail.locator(".cl-history")).to_contain_text("Franchise appliquée")
        assert len(audit_rows(live_server, "claim.set_status", claim_id)) == 2

        customer = customer_ctx.new_page()
        frame = customer_claims(customer, live_server)
        mine = frame.locator(".cw-summary li", has_text=reference)
        expect(mine).to_contain_text("Status: Accepted")
    finally:
        handler_ctx.close()
        customer_ctx.close()


def test_handler_takes_a_claim_and_gives_it_to_a_colleague(
    browser: Browser, live_server: WidgetServer
) -> None:
    claim_id, reference, _ = submitted_glass_claim(live_server)
    handler_ctx, admin_ctx = new_context(browser), new_context(browser)
    try:
        page = handler_ctx.new_page()
        login(page, live_server, "marc")
        detail = open_claim(page, live_server, reference, "Prise en charge")
        detail.get_by_role("button", name="Prendre en charge").click()
        expect(detail.locator("#cl-owner-now")).to_contain_text("Marc Claes")
        expect(detail.get_by_role("button", name="Prendre en charge")).to_be_hidden()
        detail.get_by_role("button", name="Retour à la liste").click()
        page.get_by_label("Rechercher").fill("")
        page.get_by_label("Responsable").select_option("mine")
        page.get_by_role("button", name="Filtrer").click()
        row = page.get_by_role("row").filter(has_text=reference)
        expect(row).to_contain_text("Marc Claes")

        detail = open_claim(page, live_server, reference, "Transfert à un collègue")
        detail.get_by_label("Confier à un collègue").select_option(label="Admin Demo")
        detail.get_by_role("button", name="Confier", exact=True).click()
        expect(detail.locator("#cl-owner-now")).to_contain_text("Admin Demo")
        expect(page.get_by_text("Responsable enregistré.")).to_be_visible()
        moves = audit_rows(live_server, "claim.assign", claim_id)
        assert len(moves) == 2

        admin = admin_ctx.new_page()
        login(admin, live_server, "admin")
        admin.goto(f"{live_server.origin}{CLAIMS}")
        admin.get_by_label("Responsable").select_option("mine")
        admin.get_by_role("button", name="Filtrer").click()
        expect(admin.get_by_role("row").filter(has_text=reference)).to_contain_text("Admin Demo")
    finally:
        handler_ctx.close()
        admin_ctx.close()


def test_claims_console_works_at_320_px(browser: Browser, live_server: WidgetServer) -> None:
    _, reference, _ = submitted_glass_claim(live_server, with_pdf=True)
    ctx = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = ctx.new_page()
        login(page, live_server, "marc")
        page.goto(f"{live_server.origin}{CLAIMS}")
        title = page.locator(".cw-brand")
        expect(title).to_have_text("Console sinistres")
        assert title.evaluate("(e) => e.scrollWidth <= e.clientWidth")  # not cut
        row = page.get_by_role("row").filter(has_text=reference)
        expect(row).to_be_visible(timeout=10000)
        no_horizontal_scroll(page)
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        detail = open_claim(page, live_server, reference, "Contrôle sur téléphone")
        expect(detail.get_by_role("link", name=re.compile("repair-quote.pdf"))).to_be_visible()
        no_horizontal_scroll(page)
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        ctx.close()
