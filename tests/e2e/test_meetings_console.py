"""Employees see upcoming video meetings in the console and cancel one; Graph is updated."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import WidgetServer, axe_violations, describe, open_widget
from tests.e2e.test_live_chat import agent_login, live_server, new_context  # noqa: F401
from tests.fakes.fake_graph import FakeGraph

pytestmark = pytest.mark.e2e


def test_agent_cancels_a_customers_meeting_in_graph(
    browser: Browser,
    live_server: WidgetServer,
    fake_graph: FakeGraph,  # noqa: F811
) -> None:
    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        customer = customer_ctx.new_page()
        frame = open_widget(customer, live_server)
        frame.get_by_role("button", name=re.compile("Demander un rendez-vous vidéo")).click()
        accept = frame.get_by_role("button", name=re.compile("accepte", re.I))
        expect(accept).to_be_visible()
        accept.click()
        frame.get_by_role("button", name=re.compile("Assurances")).click()
        expect(frame.locator(".cw-slot").first).to_be_visible(timeout=20000)
        frame.locator(".cw-slot input").last.check()
        frame.get_by_label("Votre nom").fill("Console Test")
        frame.get_by_role("button", name="Réserver ce rendez-vous").click()
        expect(
            frame.get_by_role("heading", name="Votre rendez-vous vidéo est réservé")
        ).to_be_visible(timeout=20000)
        booked = len(fake_graph.live_appointments())

        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        agent.get_by_role("link", name="Rendez-vous vidéo").click()
        expect(agent.get_by_role("heading", name="Rendez-vous vidéo")).to_be_visible()
        row = agent.get_by_role("row").filter(has_text="Assurances").last
        expect(row).to_be_visible()
        assert axe_violations(agent) == [], describe(axe_violations(agent))
        row.get_by_role("button", name="Annuler").click()
        expect(agent.get_by_role("status")).to_contain_text(re.compile("annul", re.I))
        assert len(fake_graph.live_appointments()) == booked - 1
    finally:
        customer_ctx.close()
        agent_ctx.close()


def test_meetings_console_needs_login(browser: Browser, live_server: WidgetServer) -> None:  # noqa: F811
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        page.goto(f"{live_server.origin}/agent/meetings")
        page.wait_for_url(re.compile(r"/agent/login"))
    finally:
        ctx.close()


def test_cancelling_a_meeting_erased_meanwhile_says_so(
    browser: Browser,
    live_server: WidgetServer,
    fake_graph: FakeGraph,  # noqa: F811
) -> None:
    """The list was loaded before the customer's data was erased: the console says the meeting
    is gone (translated) instead of failing with a traceback."""
    import sqlite3

    customer_ctx, agent_ctx = new_context(browser), new_context(browser)
    try:
        customer = customer_ctx.new_page()
        frame = open_widget(customer, live_server)
        frame.get_by_role("button", name=re.compile("Demander un rendez-vous vidéo")).click()
        frame.get_by_role("button", name=re.compile("accepte", re.I)).click()
        frame.get_by_role("button", name=re.compile("Crédits")).click()
        expect(frame.locator(".cw-slot").first).to_be_visible(timeout=20000)
        frame.locator(".cw-slot input").nth(2).check()
        frame.get_by_label("Votre nom").fill("Erased Meanwhile")
        frame.get_by_role("button", name="Réserver ce rendez-vous").click()
        expect(
            frame.get_by_role("heading", name="Votre rendez-vous vidéo est réservé")
        ).to_be_visible(timeout=20000)

        agent = agent_ctx.new_page()
        agent_login(agent, live_server)
        agent.get_by_role("link", name="Rendez-vous vidéo").click()
        row = agent.get_by_role("row").filter(has_text="Crédits").last
        expect(row).to_be_visible()
        with sqlite3.connect(live_server.db_path) as db:
            db.execute("DELETE FROM meeting_appointment WHERE customer_name = 'Erased Meanwhile'")
        row.get_by_role("button", name="Annuler").click()
        expect(agent.get_by_role("status")).to_contain_text("introuvable")
    finally:
        customer_ctx.close()
        agent_ctx.close()
