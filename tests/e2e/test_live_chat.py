"""Live chat in real browsers: a customer in the widget and an employee in the agent console.

Two browser contexts against one production server; the opening hours are switched by
rewriting the schedule file the server reads (``CW_OPENING_HOURS_PATH``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect

from tests.e2e.conftest import ROOT, WidgetServer, axe_violations, describe, open_widget

pytestmark = pytest.mark.e2e

PASSWORD = "e2e-demo-password-1234"
ALL_DAY = [["00:00", "23:59"]]
LIVE = re.compile("Chatter avec un collaborateur")


def write_hours(path: Path, *, open_now: bool) -> None:
    schedule: dict[str, object] = {
        "timezone": "Europe/Brussels",
        "public_holidays": False,
        "weekly": {day: ALL_DAY for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        "closures": [],
    }
    if not open_now:
        now = datetime.now(ZoneInfo("Europe/Brussels")).replace(
            tzinfo=None, second=0, microsecond=0
        )
        schedule["closures"] = [
            {
                "id": "e2e",
                "start": (now - timedelta(days=1)).isoformat(timespec="minutes"),
                "end": (now + timedelta(days=2))
                .replace(hour=9, minute=0)
                .isoformat(timespec="minutes"),
                "reason": "closure",
            }
        ]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(schedule))
    os.replace(tmp, path)


@pytest.fixture(scope="module")
def live_server(widget_server: WidgetServer) -> Iterator[WidgetServer]:
    env = {**widget_server.env, "CW_DATABASE_URL": f"sqlite:///{widget_server.db_path}"}
    env["CW_DEMO_PASSWORD"] = PASSWORD
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True}
    # With REDIS_URL, Reflex starts several workers that migrate the same SQLite file at
    # start-up; an upgrade racing them fails once and is a no-op afterwards.
    for attempt in range(6):
        migrate = subprocess.run(
            [sys.executable, "-m", "chat_widget.adapters.migrate", "upgrade"],
            **{**run, "check": False},  # type: ignore[arg-type]
        )
        if migrate.returncode == 0:
            break
        time.sleep(1 + attempt)
    else:
        raise RuntimeError(migrate.stderr.decode()[-2000:])
    subprocess.run([sys.executable, "-m", "chat_widget.agents", "seed-demo"], **run)  # type: ignore[call-overload]
    # Every module that shares the server starts with an empty queue: a chat another module
    # left waiting would be a second "Cartes" row here (strict locators fail on two).
    close_open_chats(widget_server)
    original = widget_server.hours_path.read_text()
    write_hours(widget_server.hours_path, open_now=True)
    yield widget_server
    widget_server.hours_path.write_text(original)
    close_open_chats(widget_server)


def close_open_chats(server: WidgetServer) -> None:
    """Leave the shared server as found: the demo agents' capacity is small, the other
    live-chat modules log in as the same agents and expect one "Cartes" row in the queue.
    Held chats are closed; waiting ones end as when their customer turns to the assistant."""
    from sqlmodel import Session, col, select

    from chat_widget import live_chat
    from chat_widget.adapters.db import make_engine
    from chat_widget.domain.models import Conversation
    from chat_widget.live_chat.records import ChatRequest

    engine = make_engine(f"sqlite:///{server.db_path}")
    try:
        with Session(engine) as session:
            held = session.exec(
                select(ChatRequest).where(
                    col(ChatRequest.closed_at).is_(None), col(ChatRequest.agent_id).is_not(None)
                )
            ).all()
            for request in [(r.conversation_id, r.agent_id) for r in held]:
                live_chat.close(
                    session=session,
                    conversation_id=request[0],
                    agent_id=request[1] or "",
                    reason="other",
                )
            queued = session.exec(
                select(Conversation.id, Conversation.customer_id)
                .join(ChatRequest, col(ChatRequest.conversation_id) == col(Conversation.id))
                .where(col(ChatRequest.closed_at).is_(None), col(ChatRequest.agent_id).is_(None))
            ).all()
            for conversation_id, customer_id in queued:
                live_chat.switch_to_assistant(
                    session=session, customer_id=customer_id, conversation_id=conversation_id
                )
                session.commit()
    finally:
        engine.dispose()


def new_context(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)


def agent_login(page: Page, server: WidgetServer, username: str = "sophie") -> None:
    page.goto(f"{server.origin}/agent/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/agent/?$"))
    expect(page.get_by_text("Connecté :")).to_be_visible()
    page.get_by_label("Disponibilité").select_option("available")


def customer_start_chat(page: Page, server: WidgetServer, *, queued: bool = True) -> Frame:
    """Open the widget and request a chat; with ``queued`` the customer must see the queue
    (manual routing), otherwise an agent may be assigned before the queue view shows."""
    frame = open_widget(page, server)
    frame.get_by_role("button", name=LIVE).click()
    frame.get_by_label("Votre question porte sur (facultatif)").select_option("cards")
    frame.get_by_role("button", name="Démarrer le chat").click()
    if queued:
        expect(frame.get_by_role("heading", name="En attente d'un conseiller")).to_be_visible()
        expect(frame.locator("#cw-queue")).to_contain_text("dans la file d'attente")
    return frame


def customer_send(frame: Frame, text: str) -> None:
    box = frame.get_by_label("Votre message", exact=True)
    box.fill(text)
    box.press("Enter")


def log_texts(target: Page | Frame) -> list[str]:
    return [t.strip() for t in target.locator(".cw-msg-text").all_inner_texts()]


def test_queue_accept_messages_typing_reconnect_close_and_rating(
    browser: Browser, live_server: WidgetServer
) -> None:
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        customer = customer_ctx.new_page()
        frame = customer_start_chat(customer, live_server)

        # Queue → accept: the waiting customer shows up live in the console.
        row = agent.get_by_role("row").filter(has_text="Cartes")
        expect(row).to_be_visible(timeout=5000)
        row.get_by_role("button", name="Accepter").click()
        expect(frame.locator(".cw-msg--system")).to_contain_text(
            "Sophie a rejoint la conversation."
        )
        expect(frame.get_by_role("heading", name="En attente d'un conseiller")).to_have_count(0)
        expect(agent.locator(".ag-side")).to_contain_text("Cartes")

        # Messages both ways, live.
        customer_send(frame, "Bonjour, ma carte est bloquée <b>depuis hier</b>")
        expect(agent.locator(".ag-log")).to_contain_text(
            "Bonjour, ma carte est bloquée <b>depuis hier</b>", timeout=3000
        )
        assert agent.locator(".ag-log b").count() == 0  # text, never HTML
        agent.get_by_role("button", name=re.compile("^Bonjour, je suis Sophie")).click()
        expect(frame.locator(".cw-log")).to_contain_text(
            "Bonjour, je suis Sophie. Comment puis-je vous aider ?", timeout=3000
        )
        expect(agent.locator("#ag-read")).to_have_text("Lu par le client", timeout=3000)
        expect(frame.locator("#cw-read")).to_have_text("Lu par le conseiller", timeout=3000)

        # Typing, both ways.
        # The browser sends at most one "typing" event a second (leading edge), so type for longer
        # than that: the last Enter may have opened the throttle window.
        agent.get_by_label("Votre réponse").press_sequentially("Je regarde cela", delay=90)
        expect(frame.get_by_text("Le conseiller écrit…")).to_be_visible(timeout=3000)
        frame.get_by_label("Votre message", exact=True).press_sequentially(
            "Merci beaucoup", delay=90
        )
        expect(agent.get_by_text("Le client écrit…")).to_be_visible(timeout=3000)
        frame.get_by_label("Votre message", exact=True).fill("")
        agent.get_by_label("Votre réponse").fill("")

        # The customer's connection drops: what the agent sends meanwhile arrives once, in order.
        customer_ctx.set_offline(True)
        customer.wait_for_timeout(1500)
        for text in ("Premier message pendant la coupure", "Second message pendant la coupure"):
            box = agent.get_by_label("Votre réponse")
            box.fill(text)
            box.press("Enter")
            expect(agent.locator(".ag-log")).to_contain_text(text)
        customer.wait_for_timeout(1500)
        # Really offline: nothing reached the customer yet.
        assert "Premier message pendant la coupure" not in log_texts(frame)
        customer_ctx.set_offline(False)
        expect(frame.locator(".cw-log")).to_contain_text(
            "Second message pendant la coupure", timeout=15000
        )
        texts = log_texts(frame)
        first = texts.index("Premier message pendant la coupure")
        assert texts[first + 1] == "Second message pendant la coupure"
        assert texts.count("Premier message pendant la coupure") == 1
        # And the customer's own message after the reconnect goes through exactly once.
        customer_send(frame, "Merci, je suis de retour")
        expect(agent.locator(".ag-log")).to_contain_text("Merci, je suis de retour", timeout=3000)
        assert log_texts(agent).count("Merci, je suis de retour") == 1
        customer.wait_for_timeout(500)
        assert log_texts(frame).count("Merci, je suis de retour") == 1

        violations = axe_violations(frame)
        assert violations == [], describe(violations)
        violations = axe_violations(agent)
        assert violations == [], describe(violations)

        # Internal note stays internal.
        agent.get_by_label("Nouvelle note interne").fill("Note interne: carte bloquée")
        agent.get_by_role("button", name="Ajouter la note").click()
        expect(agent.locator(".ag-notes")).to_contain_text("Note interne: carte bloquée")

        # A message that arrives while the widget is hidden is announced to the host page.
        customer.evaluate("window.__unread = []; cw('on', 'unread', n => window.__unread.push(n))")
        customer.evaluate("cw('close')")
        customer.wait_for_timeout(500)
        box = agent.get_by_label("Votre réponse")
        box.fill("Êtes-vous toujours là ?")
        box.press("Enter")
        customer.wait_for_function("window.__unread.includes(1)", timeout=5000)
        customer.evaluate("cw('open')")
        expect(frame.locator(".cw-log")).to_contain_text("Êtes-vous toujours là ?")

        # A reload continues the same conversation, history included, without a click: the
        # chat is the customer's, not the tab's (issue #19).
        customer.reload()
        frame = open_widget(customer, live_server)
        expect(frame.locator(".cw-log")).to_contain_text("Êtes-vous toujours là ?")
        assert log_texts(frame).count("Merci, je suis de retour") == 1

        # Close with a reason → the customer sees the end, downloads the transcript, rates.
        agent.get_by_label("Motif de clôture").select_option("resolved")
        agent.get_by_role("button", name="Clôturer la conversation").click()
        expect(frame.get_by_text("Le chat est terminé.")).to_be_visible(timeout=3000)
        expect(frame.locator(".cw-log")).to_contain_text("Sophie a quitté la conversation.")
        with customer.expect_download() as download_info:
            frame.get_by_role("button", name="Télécharger la conversation").click()
        transcript = Path(download_info.value.path()).read_text(encoding="utf-8")
        assert "Bonjour, je suis Sophie" in transcript
        assert "Merci, je suis de retour" in transcript
        assert "Note interne" not in transcript
        frame.get_by_role("button", name="4 sur 5").click()
        expect(frame.get_by_text("Merci pour votre avis (4 sur 5).")).to_be_visible()
        with sqlite3.connect(live_server.db_path) as db:
            ratings = db.execute(
                "SELECT rating, close_reason FROM chatrequest WHERE rating IS NOT NULL"
            ).fetchall()
        assert (4, "resolved") in ratings
    finally:
        customer_ctx.close()
        agent_ctx.close()


def test_closed_hours_show_next_opening_and_other_channels(
    browser: Browser, live_server: WidgetServer
) -> None:
    write_hours(live_server.hours_path, open_now=False)
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        frame = open_widget(page, live_server)
        frame.get_by_role("button", name=LIVE).click()
        closed = frame.locator("#cw-live-closed")
        expect(closed).to_contain_text("Le chat est exceptionnellement fermé")
        expect(closed).to_contain_text(re.compile(r"Réouverture le .+ 09:00"))
        nav = frame.get_by_role("navigation", name="Autres moyens de contact")
        expect(nav.get_by_role("button", name="Assistant digital")).to_be_visible()
        expect(frame.get_by_role("button", name="Démarrer le chat")).to_have_count(0)
        violations = axe_violations(frame)
        assert violations == [], describe(violations)
    finally:
        write_hours(live_server.hours_path, open_now=True)
        ctx.close()


def test_agent_login_failures_and_no_console_without_login(
    browser: Browser, live_server: WidgetServer
) -> None:
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        # A customer (or anyone) opening the console lands on the login page.
        page.goto(f"{live_server.origin}/agent")
        page.wait_for_url(re.compile(r"/agent/login/?(\?(next=[/a-z]*|signed_out=1))?$"))
        expect(page.get_by_role("heading", name="Connexion conseiller")).to_be_visible()
        expect(page.get_by_text("Clients en attente")).to_have_count(0)
        violations = axe_violations(page)
        assert violations == [], describe(violations)

        page.get_by_label("Identifiant").fill("sophie")
        page.get_by_label("Mot de passe").fill("not-the-password")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect")
        page.get_by_label("Identifiant").fill("nobody")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect")
        assert not [c for c in ctx.cookies() if c["name"] == "cw_console" and c["value"]]

        # A forged cookie is no session either.
        ctx.add_cookies([{"name": "cw_console", "value": "forged", "url": live_server.origin}])
        page.goto(f"{live_server.origin}/agent")
        page.wait_for_url(re.compile(r"/agent/login/?(\?(next=[/a-z]*|signed_out=1))?$"))

        # A real login survives a reload, and logging out ends it.
        agent_login(page, live_server, "pieter")
        page.reload()
        expect(page.get_by_text("Connecté : Pieter Janssens")).to_be_visible()
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(re.compile(r"/agent/login/?(\?(next=[/a-z]*|signed_out=1))?$"))
        page.goto(f"{live_server.origin}/agent")
        page.wait_for_url(re.compile(r"/agent/login/?(\?(next=[/a-z]*|signed_out=1))?$"))
    finally:
        ctx.close()


CAPTURE_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__cwSockets = [];
  function Capturing(url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    window.__cwSockets.push(socket);
    return socket;
  }
  Capturing.prototype = Native.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) { Capturing[k] = Native[k]; }
  window.WebSocket = Capturing;
})();
"""


def state_names() -> tuple[str, str]:
    from chat_widget.ui.agent.state import AgentState
    from chat_widget.ui.live_chat_state import LiveChatState

    return LiveChatState.get_full_name(), AgentState.get_full_name()


def forge(page: Page, name: str, payload: dict[str, object]) -> None:
    """Send a hand-made event on the page's own websocket, as a tampering client would."""
    frame = json.dumps(
        ["event", {"name": name, "payload": payload, "router_data": {"pathname": "/widget"}}]
    )
    page.evaluate(
        "f => window.__cwSockets.filter(s => s.readyState === 1).at(-1).send('42/_event,' + f)",
        frame,
    )


def test_customer_cannot_read_or_post_to_another_conversation(
    browser: Browser, live_server: WidgetServer
) -> None:
    victim_ctx, agent_ctx, attacker_ctx = (new_context(browser) for _ in range(3))
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, live_server, "lena")
        victim = victim_ctx.new_page()
        frame = customer_start_chat(victim, live_server)
        agent.get_by_role("row").filter(has_text="Cartes").get_by_role(
            "button", name="Accepter"
        ).click()
        expect(frame.locator(".cw-msg--system")).to_contain_text("Lena a rejoint", timeout=5000)
        customer_send(frame, "Texte secret du client A 1234")
        expect(agent.locator(".ag-log")).to_contain_text("Texte secret du client A", timeout=3000)
        with sqlite3.connect(live_server.db_path) as db:
            (victim_id,) = db.execute(
                "SELECT conversation_id FROM message WHERE body LIKE 'Texte secret du client A%'"
            ).fetchone()

        # The attacker: a genuine widget page of their own, plus hand-made websocket events.
        attacker_ctx.add_init_script(CAPTURE_SOCKETS)
        attacker = attacker_ctx.new_page()
        received: list[str] = []
        attacker.on(
            "websocket", lambda ws: ws.on("framereceived", lambda f: received.append(str(f)))
        )
        attacker.goto(f"{live_server.origin}/widget?mode=app&locale=fr")
        attacker.wait_for_selector(".cw-app[data-booted='true']")
        attacker.get_by_role("button", name=LIVE).click()
        expect(attacker.get_by_role("button", name="Démarrer le chat")).to_be_visible()
        live, console = state_names()
        # Control: the forging channel works (a harmless event of the attacker's own state).
        forge(attacker, f"{live}.set_topic_choice", {"value": "loans"})
        expect(attacker.get_by_label("Votre question porte sur (facultatif)")).to_have_value(
            "loans"
        )
        forge(attacker, f"{live}.setvar", {"var_name": "_conversation_id", "value": victim_id})
        forge(
            attacker, f"{live}.send", {"form": {"message": "IDOR post", "client_msg_id": "idor-1"}}
        )
        forge(attacker, f"{live}.download_transcript", {})
        forge(attacker, f"{live}.rate", {"value": 1})
        forge(attacker, f"{console}.select_chat", {"conversation_id": victim_id})
        forge(attacker, f"{console}.accept", {"conversation_id": victim_id})
        forge(attacker, f"{console}.send_canned", {"text": "IDOR as agent"})
        forge(
            attacker,
            f"{console}.open_transcript",
            {"form": {"conversation_id": victim_id, "reason": "curious"}},
        )
        attacker.wait_for_timeout(2500)

        everything = "\n".join(received)
        assert "Texte secret du client A" not in everything
        assert "Lena" not in everything
        with sqlite3.connect(live_server.db_path) as db:
            bodies = [
                b
                for (b,) in db.execute(
                    "SELECT body FROM message WHERE conversation_id = ?", (victim_id,)
                )
            ]
            audits = db.execute(
                "SELECT count(*) FROM auditevent WHERE target_id = ? AND action = 'transcript.open'",
                (victim_id,),
            ).fetchone()[0]
            rating = db.execute(
                "SELECT rating FROM chatrequest WHERE conversation_id = ?", (victim_id,)
            ).fetchone()[0]
        assert not [b for b in bodies if "IDOR" in b]
        assert audits == 0 and rating is None
        # The victim's chat is untouched and still live.
        customer_send(frame, "Toujours là")
        expect(agent.locator(".ag-log")).to_contain_text("Toujours là", timeout=3000)
    finally:
        for ctx in (victim_ctx, agent_ctx, attacker_ctx):
            ctx.close()


def test_earlier_transcript_needs_a_reason_and_is_audited_and_transfer_reaches_colleague(
    browser: Browser, live_server: WidgetServer
) -> None:
    customer_ctx, agent_ctx, colleague_ctx = (new_context(browser) for _ in range(3))
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, live_server, "admin")
        colleague = colleague_ctx.new_page()
        agent_login(colleague, live_server, "marc")
        customer = customer_ctx.new_page()

        # A first chat, closed by the customer.
        frame = customer_start_chat(customer, live_server)
        agent.get_by_role("row").filter(has_text="Cartes").get_by_role(
            "button", name="Accepter"
        ).click()
        expect(frame.locator(".cw-msg--system")).to_contain_text("Admin a rejoint", timeout=5000)
        customer_send(frame, "Première session: question sur ma carte")
        expect(agent.locator(".ag-log")).to_contain_text("Première session", timeout=3000)
        frame.get_by_role("button", name="Terminer le chat").click()
        expect(frame.get_by_text("Le chat est terminé.")).to_be_visible()
        expect(agent.get_by_text("Cette conversation est terminée.")).to_be_visible(timeout=3000)

        # A second chat: the side panel lists the first one; its transcript needs a reason.
        frame.get_by_role("button", name="Nouveau chat").click()
        frame.get_by_role("button", name="Démarrer le chat").click()
        expect(frame.get_by_role("heading", name="En attente d'un conseiller")).to_be_visible()
        row = agent.get_by_role("row").filter(has=agent.get_by_role("button", name="Accepter"))
        row.first.get_by_role("button", name="Accepter").click()
        expect(frame.locator(".cw-log")).to_contain_text("Admin a rejoint", timeout=5000)
        side = agent.locator(".ag-side")
        side.get_by_role("button", name="Ouvrir la transcription").first.click()
        expect(side.get_by_role("alert")).to_contain_text("Indiquez un motif")
        side.get_by_label(re.compile("Motif de consultation")).first.fill(
            "Suivi de la demande carte"
        )
        side.get_by_role("button", name="Ouvrir la transcription").first.click()
        expect(side.locator(".ag-transcript")).to_contain_text(
            "Première session: question sur ma carte"
        )
        with sqlite3.connect(live_server.db_path) as db:
            audits = db.execute(
                "SELECT reason FROM auditevent WHERE action = 'transcript.open'"
            ).fetchall()
        assert ("Suivi de la demande carte",) in audits

        # Transfer to a colleague: the customer is told, the colleague gets the chat live.
        colleague.get_by_label("Disponibilité").select_option("away")
        agent.reload()
        agent.get_by_role("button", name=re.compile("Ouvrir la conversation 1")).click()
        agent.get_by_label("Transférer à").select_option(label="Marc Claes")
        agent.get_by_role("button", name="Transférer", exact=True).click()
        expect(frame.locator(".cw-log")).to_contain_text("Marc a rejoint", timeout=5000)
        # The colleague had no chat open: the console announces the new one and opens it.
        expect(colleague.locator(".ag-assigned")).to_contain_text(
            "Nouvelle conversation qui vous est attribuée (FR, Cartes)", timeout=5000
        )
        tab = colleague.get_by_role("button", name=re.compile("Ouvrir la conversation 1"))
        expect(tab).to_have_attribute("aria-current", "true", timeout=5000)
        customer_send(frame, "Bonjour Marc")
        expect(colleague.locator(".ag-log")).to_contain_text("Bonjour Marc", timeout=3000)
        expect(tab).not_to_contain_text("nouveau(x)")
    finally:
        for ctx in (customer_ctx, agent_ctx, colleague_ctx):
            ctx.close()


def test_messages_written_by_another_process_reach_the_customer_live(
    browser: Browser, live_server: WidgetServer
) -> None:
    """Another worker is simulated by this test process writing to the shared database: the
    widget's listener must pick that up without any in-process notification."""
    from sqlmodel import Session

    from chat_widget import live_chat
    from chat_widget.adapters.db import make_engine
    from chat_widget.agents import get_agent_by_username, set_presence
    from chat_widget.conversations import messages_since

    engine = make_engine(f"sqlite:///{live_server.db_path}")
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        frame = customer_start_chat(page, live_server)
        with Session(engine) as s:
            lena = get_agent_by_username(session=s, username="lena")
            assert lena is not None
            lena_id = lena.id
            set_presence(session=s, agent_id=lena_id, presence="available")
            s.commit()
            waiting = live_chat.waiting_queue(session=s, languages=["fr"])
            conversation_id = waiting[-1].conversation_id
            assert live_chat.accept(session=s, agent_id=lena_id, conversation_id=conversation_id)
            live_chat.post_agent_message(
                session=s,
                agent_id=lena_id,
                conversation_id=conversation_id,
                client_msg_id="other-worker-1",
                body="Réponse écrite par un autre processus",
            )
        expect(frame.locator(".cw-log")).to_contain_text(
            "Réponse écrite par un autre processus", timeout=2500
        )
        customer_send(frame, "Bien reçu, merci")
        deadline = page.evaluate("Date.now()") + 3000
        bodies: list[str] = []
        while page.evaluate("Date.now()") < deadline and "Bien reçu, merci" not in bodies:
            with Session(engine) as s:
                bodies = [
                    m.body for m in messages_since(session=s, conversation_id=conversation_id)
                ]
            page.wait_for_timeout(200)
        assert "Bien reçu, merci" in bodies
        with Session(engine) as s:
            live_chat.close(
                session=s, conversation_id=conversation_id, agent_id=lena_id, reason="resolved"
            )
        expect(frame.get_by_text("Le chat est terminé.")).to_be_visible(timeout=2500)
    finally:
        engine.dispose()
        ctx.close()


def test_while_waiting_leave_a_message_or_switch_to_the_assistant(
    browser: Browser, live_server: WidgetServer
) -> None:
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        frame = customer_start_chat(page, live_server)
        frame.get_by_label("Ou laissez-nous un message").fill("Rappelez-moi demain matin svp")
        frame.get_by_role("button", name="Envoyer le message et ne plus attendre").click()
        expect(frame.get_by_text("Merci. Votre message nous est parvenu")).to_be_visible()
        with sqlite3.connect(live_server.db_path) as db:
            left = db.execute(
                "SELECT r.left_message, c.status FROM chatrequest r JOIN message m"
                " ON m.conversation_id = r.conversation_id JOIN conversation c"
                " ON c.id = r.conversation_id WHERE m.body = 'Rappelez-moi demain matin svp'"
            ).fetchall()
        assert left == [(1, "closed")]

        frame.get_by_role("button", name="Nouveau chat").click()
        frame.get_by_role("button", name="Démarrer le chat").click()
        expect(frame.get_by_role("heading", name="En attente d'un conseiller")).to_be_visible()
        frame.get_by_role("button", name="Poser la question à l'assistant digital").click()
        expect(frame.get_by_role("heading", level=1, name="Assistant digital")).to_be_visible()
        with sqlite3.connect(live_server.db_path) as db:
            statuses = [
                s
                for (s,) in db.execute(
                    "SELECT status FROM conversation WHERE channel = 'live_chat'"
                    " ORDER BY created_at DESC LIMIT 1"
                )
            ]
        assert statuses == ["abandoned"]
    finally:
        ctx.close()
