"""Employees' agenda of video meetings (/agent/meetings): today's and this week's meetings with
the customer's name, in the employee's time zone, statuses translated; cancel and move only after
a confirmation that names the customer; Graph is updated."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import Customer
from chat_widget.i18n import catalog
from chat_widget.meetings.records import MeetingAppointment
from tests.e2e.conftest import WidgetServer, axe_violations, describe, open_widget
from tests.e2e.test_live_chat import agent_login, live_server, new_context  # noqa: F401
from tests.fakes.fake_graph import FakeGraph

pytestmark = pytest.mark.e2e

MEETINGS = "/agent/meetings"


@pytest.fixture
def agent_ctx(browser: Browser) -> Iterator[BrowserContext]:
    """The employee's browser, on the bank's clock (the agenda follows the browser's zone)."""
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/Brussels"
    )
    yield ctx
    ctx.close()


def pick_day(day: Locator) -> None:
    day.click()
    expect(day).to_have_attribute("aria-pressed", "true")


def book_in_widget(page: Page, server: WidgetServer, name: str, topic: str, nth: int = -1) -> None:
    frame = open_widget(page, server)
    frame.get_by_role("button", name=re.compile("Demander un rendez-vous vidéo")).click()
    accept = frame.get_by_role("button", name=re.compile("accepte", re.I))
    expect(accept).to_be_visible()
    accept.click()
    frame.get_by_role("button", name=re.compile(topic)).click()
    expect(frame.locator(".cw-slot").first).to_be_visible(timeout=20000)
    days = frame.get_by_role("group", name="Jour").get_by_role("button")
    times = frame.locator(".cw-day-times:visible .cw-slot input")
    if nth < 0:  # slots are grouped by day: a late one is on the last day of the strip
        pick_day(days.last)
        nth = 0
    else:  # the first day is today, with few slots left late in the afternoon: take a day
        for index in range(days.count()):  # that has slot ``nth`` (any time of day)
            pick_day(days.nth(index))
            if times.count() > nth:
                break
    times.nth(nth).check()
    frame.get_by_label("Votre nom").fill(name)
    frame.get_by_role("button", name="Réserver ce rendez-vous").click()
    expect(frame.get_by_role("heading", name="Votre rendez-vous vidéo est réservé")).to_be_visible(
        timeout=20000
    )


def open_agenda(page: Page, server: WidgetServer, view: str = "Tous à venir") -> None:
    agent_login(page, server)
    page.get_by_role("link", name="Rendez-vous vidéo").click()
    expect(page.get_by_role("heading", name="Rendez-vous vidéo")).to_be_visible()
    expect(page.get_by_text("Heures dans votre fuseau horaire : Europe/Brussels")).to_be_visible()
    page.get_by_role("button", name=view).click()
    expect(page.get_by_role("button", name=view)).to_have_attribute("aria-pressed", "true")


def add_meeting(server: WidgetServer, name: str, *, in_days: int = 0, zone: str = "") -> str:
    """A booked meeting stored directly: starting this very minute (so it is "today" on any
    clock and already under way) or ``in_days`` from now."""
    engine = make_engine(f"sqlite:///{server.db_path}")
    start = utcnow().replace(second=0, microsecond=0) + timedelta(days=in_days)
    try:
        with session_scope(engine) as s:
            customer = Customer(locale="nl")
            s.add(customer)
            s.flush()
            row = MeetingAppointment(
                customer_id=customer.id,
                topic="loans_mortgage",
                locale="nl",
                customer_time_zone=zone or "Europe/Brussels",
                customer_name=name,
                start_utc=start,
                end_utc=start + timedelta(minutes=30),
                staff_id="staff-claire",
                advisor_first_name="Claire",
                status="booked",
            )
            s.add(row)
            s.flush()
            return row.id
    finally:
        engine.dispose()


def test_agenda_shows_today_this_week_and_all_ahead_with_names(
    agent_ctx: BrowserContext,
    live_server: WidgetServer,  # noqa: F811
) -> None:
    now_id = add_meeting(live_server, "Nu Bezig", zone="Europe/London")
    later_id = add_meeting(live_server, "Later Klant", in_days=8)
    page = agent_ctx.new_page()
    open_agenda(page, live_server, "Aujourd'hui")
    today = page.get_by_role("row").filter(has_text="Nu Bezig")
    expect(today).to_contain_text("Crédits")  # topic in the console's language
    expect(today).to_contain_text("Confirmé")  # status translated, not "booked"
    expect(today).to_contain_text("Claire")
    expect(today).to_contain_text("client :")  # the customer's own clock (London)
    expect(today).to_contain_text("(Europe/London)")
    expect(today.get_by_role("button")).to_have_count(0)  # under way: nothing to change
    expect(page.get_by_role("row").filter(has_text="Later Klant")).to_have_count(0)
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.get_by_role("button", name="Cette semaine").click()
    expect(page.get_by_role("row").filter(has_text="Nu Bezig")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Later Klant")).to_have_count(0)
    page.get_by_role("button", name="Tous à venir").click()
    expect(page.get_by_role("row").filter(has_text="Later Klant")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Nu Bezig")).to_have_count(0)

    # The console language: the agenda is told again in it.
    page.locator("#mt-lang").select_option("nl")
    later = page.get_by_role("row").filter(has_text="Later Klant")
    expect(later).to_contain_text("Bevestigd")
    expect(later).to_contain_text("Kredieten")
    # Labels the page and its navigation compute follow too (their own copy of the language,
    # ui/locale_copy.py): the zone line and the menu.
    expect(page.get_by_text(catalog("nl")["meetings.zone"].split("{")[0].strip())).to_be_visible()
    expect(
        page.get_by_role("link", name=catalog("nl")["meetings.title"], exact=True)
    ).to_be_visible()
    page.locator("#mt-lang").select_option("fr")
    with sqlite3.connect(live_server.db_path) as db:
        shown = [
            r[0] for r in db.execute("SELECT details FROM auditevent WHERE action = 'meeting.list'")
        ]
    assert any(now_id in d and '"today"' in d for d in shown)
    assert any(later_id in d and '"upcoming"' in d for d in shown)


def test_agent_cancels_a_customers_meeting_after_confirming(
    browser: Browser,
    agent_ctx: BrowserContext,
    live_server: WidgetServer,  # noqa: F811
    fake_graph: FakeGraph,
) -> None:
    customer_ctx = new_context(browser)
    try:
        book_in_widget(customer_ctx.new_page(), live_server, "Console Test", "Assurances")
        booked = len(fake_graph.live_appointments())

        agent = agent_ctx.new_page()
        open_agenda(agent, live_server)
        row = agent.get_by_role("row").filter(has_text="Console Test").last
        expect(row).to_contain_text("Assurances")
        expect(row).to_contain_text("Confirmé")
        violations = axe_violations(agent)
        assert violations == [], describe(violations)

        row.get_by_role("button", name=re.compile("^Annuler")).click()
        question = agent.get_by_role("group", name=re.compile("Annuler le rendez-vous de Console"))
        expect(question).to_contain_text("Le client en est informé")
        expect(question.get_by_role("button", name="Oui, annuler le rendez-vous")).to_be_focused()
        violations = axe_violations(agent)
        assert violations == [], describe(violations)
        question.get_by_role("button", name="Non, garder").click()
        expect(question).to_be_hidden()
        assert len(fake_graph.live_appointments()) == booked

        row.get_by_role("button", name=re.compile("^Annuler")).click()
        agent.get_by_role("button", name="Oui, annuler le rendez-vous").click()
        expect(agent.locator(".mt-outcome")).to_have_text(
            "Rendez-vous annulé ; le client en est informé."
        )
        assert len(fake_graph.live_appointments()) == booked - 1
        with sqlite3.connect(live_server.db_path) as db:
            cancels = db.execute(
                "SELECT COUNT(*) FROM auditevent WHERE action = 'meeting.cancel'"
            ).fetchone()[0]
        assert cancels >= 1
    finally:
        customer_ctx.close()


def test_agent_moves_a_meeting_to_the_proposed_time(
    browser: Browser,
    agent_ctx: BrowserContext,
    live_server: WidgetServer,  # noqa: F811
    fake_graph: FakeGraph,
) -> None:
    customer_ctx = new_context(browser)
    try:
        book_in_widget(
            customer_ctx.new_page(), live_server, "Move Me", "Banque au quotidien", nth=0
        )
        agent = agent_ctx.new_page()
        open_agenda(agent, live_server)
        row = agent.get_by_role("row").filter(has_text="Move Me")
        before = row.locator("td").first.inner_text()
        row.get_by_role("button", name=re.compile("^Déplacer")).click()
        question = agent.get_by_role("group", name=re.compile("Déplacer le rendez-vous de Move Me"))
        expect(question).to_contain_text(" au ")
        question.get_by_role("button", name="Oui, déplacer le rendez-vous").click()
        expect(agent.locator(".mt-outcome")).to_have_text(
            "Rendez-vous déplacé ; le client en est informé."
        )
        expect(row.locator("td").first).not_to_have_text(before)
    finally:
        customer_ctx.close()


def test_meetings_console_works_at_320_px(
    browser: Browser,
    live_server: WidgetServer,  # noqa: F811
) -> None:
    add_meeting(live_server, "Small Screen", in_days=2)
    ctx = browser.new_context(viewport={"width": 320, "height": 640}, timezone_id="Europe/Brussels")
    try:
        page = ctx.new_page()
        open_agenda(page, live_server)
        expect(page.get_by_role("row").filter(has_text="Small Screen")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, width
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        ctx.close()


def test_meetings_console_needs_login(browser: Browser, live_server: WidgetServer) -> None:  # noqa: F811
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        page.goto(f"{live_server.origin}{MEETINGS}")
        page.wait_for_url(re.compile(r"/agent/login"))
    finally:
        ctx.close()


def test_cancelling_a_meeting_erased_meanwhile_says_so(
    browser: Browser,
    agent_ctx: BrowserContext,
    live_server: WidgetServer,  # noqa: F811
    fake_graph: FakeGraph,
) -> None:
    """The list was loaded before the customer's data was erased: the console says the meeting
    is gone (translated) instead of failing with a traceback."""
    customer_ctx = new_context(browser)
    try:
        book_in_widget(customer_ctx.new_page(), live_server, "Erased Meanwhile", "Crédits", nth=2)
        agent = agent_ctx.new_page()
        open_agenda(agent, live_server)
        row = agent.get_by_role("row").filter(has_text="Erased Meanwhile")
        expect(row).to_be_visible()
        with sqlite3.connect(live_server.db_path) as db:
            db.execute("DELETE FROM meeting_appointment WHERE customer_name = 'Erased Meanwhile'")
        row.get_by_role("button", name=re.compile("^Annuler")).click()
        agent.get_by_role("button", name="Oui, annuler le rendez-vous").click()
        expect(agent.locator(".mt-outcome")).to_contain_text("introuvable")
        expect(agent.get_by_role("row").filter(has_text="Erased Meanwhile")).to_have_count(0)
    finally:
        customer_ctx.close()
