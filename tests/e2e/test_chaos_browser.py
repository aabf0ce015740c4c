"""Chaos in a real browser (Chromium): the server is killed with ``kill -9`` while a customer
(in the widget on the bank's page) and an agent (in the console) chat, then started again.

What the people see: a translated "reconnecting…" status, their offline message as a pending
bubble, then "back online", the chat on screen again (the customer's view, the agent's
selected chat) without a click, the offline messages delivered once, the text left in the
composer still there, and never Reflex's own English "Cannot connect to server" toast.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, expect

from chat_widget.devtools import demo_host
from tests.e2e.conftest import (
    WidgetServer,
    launch_args,
    start_widget_server,
    stop_widget_server,
)
from tests.e2e.test_chaos import RESUME_BOUND, _answers, _prepare, _relaunch
from tests.e2e.test_live_chat import agent_login, customer_send, customer_start_chat, log_texts

pytestmark = pytest.mark.e2e

#: The browser's own reconnect (Reflex: 200 ms × attempts, at most 2 s apart) plus rendering.
BROWSER_RESUME_BOUND = RESUME_BOUND + 1.0


@pytest.fixture
def chaos_server() -> Iterator[WidgetServer]:
    server = start_widget_server({"CW_CHAT_ROUTING": "auto"})
    _prepare(server)
    host = demo_host.serve(server.host_port, server.origin)
    yield server
    host.shutdown()
    stop_widget_server(server)


@pytest.fixture
def chaos_browser(playwright_instance: Playwright) -> Iterator[Browser]:
    b = playwright_instance.chromium.launch(**launch_args())  # type: ignore[arg-type]
    yield b
    b.close()


def test_kill_9_in_a_real_browser_both_sides_resume(
    chaos_browser: Browser, chaos_server: WidgetServer
) -> None:
    server = chaos_server
    customer_ctx = chaos_browser.new_context(viewport={"width": 1280, "height": 900})
    agent_ctx = chaos_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, server)
        customer = customer_ctx.new_page()
        frame = customer_start_chat(customer, server, queued=False)
        reply_box = agent.get_by_label("Votre réponse")
        expect(reply_box).to_be_visible(timeout=15000)
        customer_send(frame, "Bonjour, ma carte est bloquée")
        expect(agent.locator(".ag-log")).to_contain_text("Bonjour, ma carte est bloquée")
        reply_box.fill("Je regarde cela")
        reply_box.press("Enter")
        expect(frame.locator(".cw-log")).to_contain_text("Je regarde cela")

        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(10)

        customer_status = frame.locator("#cw-conn")
        agent_status = agent.locator("#cw-conn")
        expect(customer_status).to_have_attribute("role", "status")
        expect(customer_status).to_contain_text("reconnexion en cours")
        expect(agent_status).to_contain_text("reconnexion en cours")

        customer_send(frame, "Message tapé pendant la panne")
        pending = frame.locator("[data-cw-outbox-list='live'] li")
        expect(pending).to_have_count(1)
        expect(pending).to_contain_text("En attente d'envoi")
        reply_box.fill("Réponse écrite pendant la panne")
        reply_box.press("Enter")
        expect(agent.locator("[data-cw-outbox-list='agent'] li")).to_have_count(1)
        # Typed, not sent: it must still be there after the reconnect.
        frame.get_by_label("Votre message", exact=True).fill("brouillon pas encore envoyé")

        _relaunch(server)
        deadline = time.monotonic() + 300
        while not _answers(server.port):
            assert time.monotonic() < deadline, "server did not come back"
            time.sleep(0.05)
        up = time.monotonic()

        expect(customer_status).to_contain_text("Connexion rétablie", timeout=15000)
        expect(pending).to_have_count(0, timeout=15000)
        expect(frame.locator(".cw-log")).to_contain_text("Réponse écrite pendant la panne")
        customer_at = time.monotonic() - up
        expect(agent_status).to_contain_text("Connexion rétablie", timeout=15000)
        expect(agent.locator(".ag-log")).to_contain_text("Message tapé pendant la panne")
        agent_at = time.monotonic() - up
        sys.stderr.write(f"chaos browser: customer {customer_at:.2f} s, agent {agent_at:.2f} s\n")

        texts = [
            "Bonjour, ma carte est bloquée",
            "Je regarde cela",
            "Message tapé pendant la panne",
            "Réponse écrite pendant la panne",
        ]
        for t in texts:
            assert log_texts(frame).count(t) == 1, (t, log_texts(frame))
            assert log_texts(agent).count(t) == 1, (t, log_texts(agent))
        expect(frame.get_by_label("Votre message", exact=True)).to_have_value(
            "brouillon pas encore envoyé"
        )
        expect(agent.get_by_label("Votre réponse")).to_be_visible()
        for target in (frame, agent):
            expect(target.get_by_text("Cannot connect to server")).to_have_count(0)
        assert customer_at <= BROWSER_RESUME_BOUND, customer_at
        assert agent_at <= BROWSER_RESUME_BOUND, agent_at
    finally:
        customer_ctx.close()
        agent_ctx.close()
