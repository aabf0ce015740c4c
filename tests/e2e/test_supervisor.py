"""The supervisor view (/agent/supervisor) in a real browser.

Figures for a past period are written straight into the server's database with instants on
known bank days (20 and 19 days ago, Brussels), far from what the other e2e tests create
"now"; the live figures are checked relative to what was there before, since those tests share
the server.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from chat_widget.adapters.db import make_engine
from chat_widget.domain.clock import BANK_ZONE
from tests.e2e import test_live_chat
from tests.e2e.conftest import WidgetServer, axe_violations, describe
from tests.e2e.test_claims_console import login, status_of
from tests.e2e.test_console_session import record_frames, sign_in, stolen_tab
from tests.e2e.test_live_chat import customer_start_chat, new_context
from tests.integration.supervision import seed

pytestmark = pytest.mark.e2e

live_server = test_live_chat.live_server

PAGE = "/agent/supervisor"
QUESTION = "Comment bloquer ma carte <script>alert(1)</script> ?"


def bank(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANK_ZONE).astimezone(UTC)


def seeded_days(server: WidgetServer) -> tuple[date, date]:
    """Two bank days of activity with exact figures (see the CSV expected below)."""
    today = datetime.now(BANK_ZONE).date()
    first, second = today - timedelta(days=20), today - timedelta(days=19)
    engine = make_engine(f"sqlite:///{server.db_path}")
    try:
        who = seed.customer(engine)
        a1 = seed.conversation(engine, who, "assistant", bank(first, 9, 10))
        seed.conversation(engine, who, "assistant", bank(first, 9, 40))
        seed.chat(
            engine,
            who,
            bank(first, 9, 20),
            accepted=bank(first, 9, 21),
            closed=bank(first, 9, 31),
            rating=5,
            source=a1,
        )
        seed.chat(
            engine,
            who,
            bank(second, 14, 0),
            accepted=bank(second, 14, 3),
            closed=bank(second, 14, 13),
            rating=4,
        )
        for minute in (11, 12):
            seed.review(engine, QUESTION, "fr", "below_threshold", bank(first, 9, minute))
        seed.claim(engine, who, "car_glass", "submitted", bank(first, 10))
        seed.meeting(engine, who, "booked", bank(second, 11))
    finally:
        engine.dispose()
    return first, second


def figure(page: Page, label: str) -> Any:
    return page.locator(".sv-live .sv-figures > div", has=page.get_by_text(label, exact=True))


def audit(server: WidgetServer) -> list[Any]:
    with sqlite3.connect(server.db_path) as db:
        return db.execute(
            "SELECT target_id, details FROM auditevent WHERE action = 'supervisor.export'"
        ).fetchall()


def test_agent_without_the_role_is_refused_page_and_csv(
    browser: Browser, live_server: WidgetServer
) -> None:
    csv_url = f"{PAGE.replace('/agent', '/api/agent')}/export/queue.csv?lang=fr"
    anon_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        anon = anon_ctx.new_page()
        anon.goto(f"{live_server.origin}{PAGE}")
        anon.wait_for_url(re.compile(r"/agent/login/?\?next=/agent/supervisor/?$"))
        assert status_of(anon, csv_url) == 404

        agent = agent_ctx.new_page()
        login(agent, live_server, "sophie")
        # The agent's console links do not include the supervisor view...
        expect(agent.get_by_role("link", name="Vue superviseur")).to_have_count(0)
        # ...and asking for it sends them back to their own console.
        agent.goto(f"{live_server.origin}{PAGE}")
        agent.wait_for_url(re.compile(r"/agent/?$"))
        expect(agent.get_by_text("Connecté :")).to_be_visible()
        assert status_of(agent, csv_url) == 404
        assert audit(live_server) == []
    finally:
        anon_ctx.close()
        agent_ctx.close()


def test_supervisor_sees_live_figures_period_charts_and_downloads_csv(
    browser: Browser, live_server: WidgetServer
) -> None:
    first, second = seeded_days(live_server)
    sup_ctx, customer_ctx, admin_ctx = (
        new_context(browser),
        new_context(browser),
        new_context(browser),
    )
    try:
        page = sup_ctx.new_page()
        login(page, live_server, "nadia")
        page.goto(f"{live_server.origin}{PAGE}")
        expect(page.get_by_role("heading", name="En direct")).to_be_visible(timeout=15000)
        nav = page.get_by_role("navigation", name="Sections de la console")
        expect(nav.get_by_role("link", name="Vue superviseur")).to_have_attribute(
            "aria-current", "page"
        )
        expect(nav.get_by_role("link", name="Console sinistres")).to_have_count(0)

        # Live: a customer starts a chat, the waiting figure goes up without a reload.
        waiting = figure(page, "Clients en attente").locator("dd")
        expect(waiting).to_have_text(re.compile(r"^\d+$"))
        before = int(waiting.inner_text())
        customer_start_chat(customer_ctx.new_page(), live_server)
        expect(waiting).to_have_text(str(before + 1), timeout=10000)
        queue = page.get_by_role("table", name="File d'attente par langue")
        expect(queue.get_by_role("row", name=re.compile("^Français"))).to_be_visible()
        expect(page.get_by_role("heading", name="Conseillers et charge")).to_be_visible()

        # A reversed period is refused with a reason; then the two seeded days.
        page.get_by_label("Du", exact=True).fill(second.isoformat())
        page.get_by_label("Au", exact=True).fill(first.isoformat())
        page.get_by_role("button", name="Afficher").click()
        expect(page.get_by_role("alert")).to_contain_text("la seconde après la première")
        page.get_by_label("Du", exact=True).fill(first.isoformat())
        page.get_by_label("Au", exact=True).fill(second.isoformat())
        page.get_by_role("button", name="Afficher").click()
        expect(page.get_by_role("alert")).to_have_text("")
        expect(page.locator("#sv-period-shown")).to_have_text(
            f"Période affichée : du {first.isoformat()} au {second.isoformat()}"
        )
        glance = page.locator(".sv-period > .sv-figures")
        expect(glance).to_contain_text("Conversations4")
        expect(glance).to_contain_text("Attente médiane (min:s)1:00")
        expect(glance).to_contain_text("Note moyenne (sur 5)4,50")
        expect(glance).to_contain_text("Résolu par l'assistant50,0 %")
        volume = page.get_by_role("img", name=re.compile("^Conversations par heure et par canal"))
        expect(volume).to_be_visible()
        expect(volume.locator("rect")).to_have_count(3)  # 09h assistant + chat, 14h chat
        expect(
            page.get_by_role("img", name=re.compile("^Temps d'attente par jour"))
        ).to_be_visible()
        times = page.get_by_role("table", name="Temps d'attente et de traitement du chat")
        expect(times.get_by_role("row", name=re.compile("^Toute la période"))).to_have_text(
            re.compile("Toute la période\\s*2\\s*2\\s*0\\s*1:00\\s*3:00\\s*10:00\\s*10:00")
        )
        questions = page.get_by_role("table", name="Questions les plus souvent mal comprises")
        expect(questions).to_contain_text(QUESTION)  # shown as text...
        assert page.locator("main script").count() == 0  # ...never as markup

        # CSV of one table: what the table shows, audited.
        with page.expect_download() as download:
            page.get_by_role(
                "link", name="Télécharger en CSV : Temps d'attente et de traitement du chat"
            ).click()
        assert download.value.suggested_filename == f"times_{first}_{second}.csv"
        raw = Path(download.value.path()).read_bytes()
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert rows == [
            [
                "Jour",
                "Demandes",
                "Prises en charge",
                "Sans réponse",
                "Attente p50 (s)",
                "Attente p90 (s)",
                "Traitement p50 (s)",
                "Traitement p90 (s)",
            ],
            [first.isoformat(), "1", "1", "0", "60", "60", "600", "600"],
            [second.isoformat(), "1", "1", "0", "180", "180", "600", "600"],
            ["Toute la période", "2", "2", "0", "60", "180", "600", "600"],
        ]
        assert [target for target, _ in audit(live_server)] == ["times"]

        violations = axe_violations(page)
        assert violations == [], describe(violations)
        page.set_viewport_size({"width": 320, "height": 800})
        expect(volume).to_be_attached()
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        page.set_viewport_size({"width": 1280, "height": 900})

        # Another language: the same figures, translated.
        page.locator("#sv-lang").select_option("en")
        expect(page.get_by_role("heading", name="Live", exact=True)).to_be_visible()
        expect(page.get_by_role("table", name="Chat wait and handle times")).to_contain_text(
            "Whole period"
        )

        # An admin may open it too, and sees the claims link as well.
        admin = admin_ctx.new_page()
        login(admin, live_server, "admin")
        admin.goto(f"{live_server.origin}{PAGE}")
        admin_nav = admin.get_by_role("navigation", name="Sections de la console")
        expect(admin_nav.get_by_role("link", name="Console sinistres")).to_be_visible()
    finally:
        for ctx in (sup_ctx, customer_ctx, admin_ctx):
            ctx.close()


def test_a_leaked_tab_token_without_the_cookie_shows_no_figures(
    browser: Browser, live_server: WidgetServer
) -> None:
    victim_ctx = new_context(browser)
    try:
        victim = victim_ctx.new_page()
        sign_in(victim, live_server, "nadia", PAGE)
        victim.wait_for_url(re.compile(PAGE + r"/?$"))
        expect(victim.locator("#sv-period-shown")).to_contain_text("Période affichée : du 20")
        token = victim.evaluate("window.sessionStorage.getItem('token')")
        victim.close()  # closed without logging out: the session stays valid
        thief_ctx = stolen_tab(browser, token)
        try:
            thief = thief_ctx.new_page()
            frames: list[str] = []
            thief.on("websocket", lambda ws: record_frames(ws, frames))
            thief.goto(f"{live_server.origin}{PAGE}")
            thief.wait_for_url(re.compile(r"/agent/login/?\?next="), timeout=15000)
            thief.wait_for_timeout(1500)
            seen = "\n".join(frames)
            assert "Nadia Peeters" not in seen
            assert "Période affichée : du 20" not in seen
            assert "/api/agent/supervisor/export/" not in seen
        finally:
            thief_ctx.close()
    finally:
        victim_ctx.close()
