"""Claims handlers in the employee console (/agent/claims) and the customer's view of the status.

The claim is created directly in the server's SQLite database through the claims service (the
same calls the widget makes), then a handler filters, opens it with a reason (audited), reads
the documents and moves its status; the customer sees the new status in the widget.
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
from playwright.sync_api import Browser, Frame, Page, expect

from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.adapters.file_store import LocalFileStore
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


def brussels_today() -> date:
    """The claims console filters by the bank's calendar day (Brussels), not the server's."""
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


CLAIMS = "/agent/claims"


def submitted_glass_claim(server: WidgetServer) -> tuple[str, str, str]:
    """(claim id, reference, file id) of a car-glass claim with one photo, sent by SUB."""
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
        with session_scope(engine) as s:
            photo = attachments.add_claim_file(
                session=s,
                store=store,
                customer_id=customer,
                claim_id=claim_id,
                filename="windscreen.jpg",
                data=samples.jpeg(),
                limits=UploadLimits(),
            ).id
        today = brussels_today()
        for raw in (
            "123-4567890-02",
            "1-abc-123",
            today.isoformat(),
            "Rue de la Loi 16, 1000 Bruxelles",
            "windscreen",
            "chip",
            "",
            [photo],
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
        return claim_id, reference, photo
    finally:
        engine.dispose()


def login(page: Page, server: WidgetServer, username: str) -> None:
    page.goto(f"{server.origin}/agent/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/agent/?$"))


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


def test_handler_lists_filters_opens_and_moves_a_claim(
    browser: Browser, live_server: WidgetServer
) -> None:
    claim_id, reference, file_id = submitted_glass_claim(live_server)
    file_url = f"/api/claims/handler-files/{file_id}"
    handler_ctx, other_ctx, anon_ctx, admin_ctx, customer_ctx = (
        new_context(browser) for _ in range(5)
    )
    try:
        # Logged out: the page sends to the login, the file is not served.
        anon = anon_ctx.new_page()
        anon.goto(f"{live_server.origin}{CLAIMS}")
        anon.wait_for_url(re.compile(r"/agent/login/?(\?(next=[/a-z]*|signed_out=1))?$"))
        assert status_of(anon, file_url) == 404

        # An agent without the claims role: same.
        other = other_ctx.new_page()
        login(other, live_server, "sophie")
        other.goto(f"{live_server.origin}{CLAIMS}")
        # Sent to the login page, which passes a signed-in agent on to their own console.
        other.wait_for_url(re.compile(r"/agent/?$"))
        expect(other.get_by_text("Connecté :")).to_be_visible()
        assert any(c["name"] == "cw_console" and c["value"] for c in other_ctx.cookies())
        assert status_of(other, file_url) == 404
        assert audit_rows(live_server, "claim_file.view", file_id) == []

        # The claims handler: list and filters.
        page = handler_ctx.new_page()
        login(page, live_server, "marc")
        page.goto(f"{live_server.origin}{CLAIMS}")
        row = page.get_by_role("row").filter(has_text=reference)
        expect(row).to_be_visible(timeout=10000)
        expect(row).to_contain_text("Bris de vitre (voiture)")
        expect(row).to_contain_text("Envoyée")
        violations = axe_violations(page)
        assert violations == [], describe(violations)

        page.get_by_label("Type").select_option("home_fire")
        page.get_by_role("button", name="Filtrer").click()
        expect(page.get_by_text("Aucune déclaration ne correspond.")).to_be_visible()
        page.get_by_label("Type").select_option("car_glass")
        page.get_by_label("Statut", exact=True).select_option("submitted")
        page.get_by_label("Envoyée à partir du").fill(brussels_today().isoformat())
        page.get_by_label("Envoyée jusqu'au").fill(brussels_today().isoformat())
        page.get_by_role("button", name="Filtrer").click()
        expect(row).to_be_visible()
        page.get_by_label("Envoyée à partir du").fill("2099-01-01")
        page.get_by_label("Envoyée jusqu'au").fill("")
        page.get_by_role("button", name="Filtrer").click()
        expect(page.get_by_text("Aucune déclaration ne correspond.")).to_be_visible()
        page.get_by_label("Envoyée à partir du").fill("")
        page.get_by_role("button", name="Filtrer").click()

        listed = audit_rows(live_server, "claim.list", "*")
        assert listed and all(actor == listed[0][0] for actor, _ in listed)

        # Opening asks for a reason first; the view is audited with it.
        row.get_by_role("button", name=re.compile("Ouvrir")).click()
        reason = page.get_by_label("Motif de consultation")
        expect(reason).to_be_visible()
        assert audit_rows(live_server, "claim.view", claim_id) == []
        reason.fill("Dossier SIN à traiter")
        page.get_by_role("button", name="Afficher").click()
        detail = page.locator(".cl-detail")
        expect(detail).to_contain_text(reference)
        expect(detail.locator(".cl-answers")).to_contain_text("Rue de la Loi 16")
        expect(detail.locator(".cl-answers")).to_contain_text("Pare-brise")
        expect(detail.locator(".cl-history")).to_contain_text("Envoyée")
        expect(detail.locator(".cl-transcript")).to_contain_text("Which glass is damaged?")
        views = audit_rows(live_server, "claim.view", claim_id)
        assert len(views) == 1 and views[0][1] == "Dossier SIN à traiter"
        violations = axe_violations(page)
        assert violations == [], describe(violations)

        # The document: served to the handler (audited), still not to the others.
        link = detail.get_by_role("link", name="windscreen.jpg")
        assert link.get_attribute("href") == file_url
        assert status_of(page, file_url) == 200
        assert len(audit_rows(live_server, "claim_file.view", file_id)) == 1
        assert status_of(other, file_url) == 404
        assert status_of(anon, file_url) == 404

        # The console language: the open claim is shown again in English (not a new view).
        page.locator("#cl-lang").select_option("en")
        expect(detail.locator(".cl-answers")).to_contain_text("Windscreen")
        expect(detail.locator(".cl-history")).to_contain_text("Submitted")
        page.locator("#cl-lang").select_option("fr")
        expect(detail.locator(".cl-answers")).to_contain_text("Pare-brise")
        assert len(audit_rows(live_server, "claim.view", claim_id)) == 1

        # Status change with a note.
        page.get_by_label("Nouveau statut").select_option("in_review")
        page.get_by_label("Note (facultatif)").fill("Expert mandaté")
        page.get_by_role("button", name="Enregistrer le statut").click()
        expect(page.get_by_text("Statut enregistré.")).to_be_visible()
        expect(page.locator("#cl-current-status")).to_have_text("En cours d’examen")
        expect(detail.locator(".cl-history")).to_contain_text("Expert mandaté")
        assert audit_rows(live_server, "claim.set_status", claim_id)

        # An admin may handle claims too.
        admin = admin_ctx.new_page()
        login(admin, live_server, "admin")
        admin.goto(f"{live_server.origin}{CLAIMS}")
        expect(admin.get_by_role("row").filter(has_text=reference)).to_contain_text(
            "En cours d’examen"
        )

        # The customer sees it in the widget.
        customer = customer_ctx.new_page()
        frame = customer_claims(customer, live_server)
        mine = frame.locator(".cw-summary li", has_text=reference)
        expect(mine).to_contain_text("Status: Being reviewed")
    finally:
        for ctx in (handler_ctx, other_ctx, anon_ctx, admin_ctx, customer_ctx):
            ctx.close()
