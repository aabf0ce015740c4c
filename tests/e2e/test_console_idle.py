"""Presence with idle time (agents.presence) in a real browser: an agent who leaves the console
untouched past CW_AGENT_IDLE_SECONDS shows as away and automatic routing gives them no chat;
their first activity makes them available again and the waiting chat comes to them.

A server of its own: the idle limit is 3 s here (the other journeys would see their agents
turn away) and routing is automatic (the shared server routes by hand)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, expect

from chat_widget.devtools import demo_host
from tests.e2e.conftest import (
    WidgetServer,
    axe_violations,
    describe,
    launch_args,
    run_cli,
    start_widget_server,
    stop_widget_server,
)
from tests.e2e.test_live_chat import PASSWORD, agent_login, customer_start_chat, new_context

pytestmark = pytest.mark.e2e

IDLE_SECONDS = 3


@pytest.fixture(scope="module")
def idle_server() -> Iterator[WidgetServer]:
    server = start_widget_server({"CW_AGENT_IDLE_SECONDS": str(IDLE_SECONDS)})
    env = {
        **server.env,
        "CW_DATABASE_URL": f"sqlite:///{server.db_path}",
        "CW_DEMO_PASSWORD": PASSWORD,
    }
    run_cli(env, "chat_widget.adapters.migrate", "upgrade")
    run_cli(env, "chat_widget.agents", "seed-demo")
    host = demo_host.serve(server.host_port, server.origin)
    yield server
    host.shutdown()
    stop_widget_server(server)


@pytest.fixture(scope="module")
def idle_browser(playwright_instance: Playwright, idle_server: WidgetServer) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(**launch_args())  # type: ignore[arg-type]
    yield browser
    browser.close()


def _held_by(server: WidgetServer) -> list[str | None]:
    with sqlite3.connect(server.db_path) as db:
        return [
            r[0] for r in db.execute("SELECT agent_id FROM chatrequest WHERE closed_at IS NULL")
        ]


def test_idle_agent_turns_away_gets_no_chat_and_is_back_on_activity(
    idle_browser: Browser, idle_server: WidgetServer
) -> None:
    customer_ctx, agent_ctx = new_context(idle_browser), new_context(idle_browser)
    try:
        agent = agent_ctx.new_page()
        agent_login(agent, idle_server)
        presence = agent.get_by_label("Disponibilité")
        expect(presence).to_have_value("available")
        # Hands off the console: away a few seconds later, without a reload.
        expect(presence).to_have_value("away", timeout=IDLE_SECONDS * 1000 + 8000)
        expect(presence.locator("option:checked")).to_have_text("Absent")
        violations = axe_violations(agent)
        assert violations == [], describe(violations)

        # A customer asks for a chat: routing (every second) passes the away agent by.
        frame = customer_start_chat(customer_ctx.new_page(), idle_server)
        expect(agent.get_by_role("row").filter(has_text="Cartes")).to_be_visible()
        agent.wait_for_timeout(3000)
        assert _held_by(idle_server) == [None]
        expect(agent.locator(".ag-chat-tab")).to_have_count(0)
        expect(frame.get_by_role("heading", name="En attente d'un conseiller")).to_be_visible()

        # She moves the mouse: available again (it was idle time, not her choice) and the
        # waiting chat is routed to her.
        agent.mouse.move(200, 200)
        agent.mouse.move(260, 240)
        expect(agent.locator(".ag-chat-tab")).to_have_count(1, timeout=8000)
        expect(frame.locator(".cw-log")).to_contain_text("Sophie a rejoint", timeout=8000)
        assert _held_by(idle_server) != [None]

        # Her own choice of "away" is not undone by activity.
        presence.select_option("away")
        agent.mouse.move(300, 300)
        agent.wait_for_timeout(2000)
        expect(presence).to_have_value("away")
        assert re.search(r"/agent/?$", agent.url)
    finally:
        customer_ctx.close()
        agent_ctx.close()
