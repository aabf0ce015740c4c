"""The video view as a customer reads it: the consent's key promise first and the privacy link in
their language, slots grouped by day (a day strip, then times), the zone named by its city, one
headline on the confirmation; axe clean at 320 and 1280 px."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect

from tests.e2e.conftest import WidgetServer, axe_violations, describe, open_widget
from tests.e2e.test_video import open_video

pytestmark = pytest.mark.e2e


@pytest.fixture
def brussels(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 800}, timezone_id="Europe/Brussels"
    )
    yield ctx
    ctx.close()


def _axe_at_both_widths(page: Page, frame: Frame) -> None:
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        violations = axe_violations(frame)
        assert violations == [], f"{width}px: {describe(violations)}"


def test_slots_by_day_city_zone_one_headline_and_consent_order(
    brussels: BrowserContext, widget_server: WidgetServer
) -> None:
    page = brussels.new_page()
    frame = open_video(page, widget_server)
    notice = frame.locator(".cw-video-notice")
    first = notice.locator("p").first
    expect(first).to_contain_text(re.compile(r"^Nous n'enregistrons pas l'entretien\."))
    expect(
        notice.get_by_role("link", name=re.compile("charte vie privée", re.I))
    ).to_have_attribute("href", re.compile(r"/fr/"))
    _axe_at_both_widths(page, frame)

    frame.get_by_role("button", name=re.compile("accepte|Accepter", re.I)).click()
    frame.get_by_role("button", name=re.compile("quotidien", re.I)).first.click()
    strip = frame.get_by_role("group", name="Jour")
    expect(strip.get_by_role("button").first).to_be_visible(timeout=20000)
    days = strip.get_by_role("button")
    assert days.count() >= 2, "the fake Bookings offers several days"
    expect(days.first).to_have_attribute("aria-pressed", "true")
    expect(frame.locator(".cw-video")).to_contain_text("heure de Bruxelles")
    # One day's times at a time; a time says the hours only, not the date again.
    expect(frame.locator(".cw-day-times:visible")).to_have_count(1)
    first_time = frame.locator(".cw-day-times:visible .cw-slot").first
    expect(first_time).to_have_text(re.compile(r"^\s*\d\d:\d\d\s*–\s*\d\d:\d\d\s*$"))
    _axe_at_both_widths(page, frame)

    second_day = days.nth(1)
    second_day.click()
    expect(second_day).to_have_attribute("aria-pressed", "true")
    expect(days.first).to_have_attribute("aria-pressed", "false")
    visible = frame.locator(".cw-day-times:visible")
    expect(visible).to_have_count(1)
    visible.locator(".cw-slot input").first.check()
    frame.get_by_label("Votre nom").fill("Marie Dupont")
    frame.get_by_role("button", name="Réserver ce rendez-vous").click()
    headline = frame.get_by_role("heading", name="Votre rendez-vous vidéo est réservé")
    expect(headline).to_be_visible(timeout=20000)
    # One headline: no second "confirmed" banner above it.
    expect(frame.locator(".cw-notice--ok")).to_have_count(0)
    expect(frame.locator(".cw-video h2", has_text=re.compile("réservé|confirmé"))).to_have_count(1)
    _axe_at_both_widths(page, frame)


def test_privacy_link_follows_the_customer_language(
    brussels: BrowserContext, widget_server: WidgetServer
) -> None:
    page = brussels.new_page()
    frame = open_widget(page, widget_server)
    page.evaluate("cw('setLocale', 'nl')")
    frame.get_by_role("button", name=re.compile("Een videogesprek aanvragen")).click()
    expect(frame.get_by_role("button", name="Ik heb het begrepen en ga akkoord")).to_be_visible()
    link = frame.locator(".cw-video-notice").get_by_role("link", name=re.compile("Privacycharter"))
    expect(link).to_have_attribute("href", re.compile(r"/nl/"))
