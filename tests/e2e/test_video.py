"""Video meeting: consent before any camera access, then topic → slot → booking via Graph."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Frame, Page, expect

from tests.e2e.conftest import WidgetServer, axe_violations, describe, open_widget
from tests.fakes.fake_graph import FakeGraph

pytestmark = pytest.mark.e2e

# Counts getUserMedia calls in every frame, the widget's iframe included.
COUNT_MEDIA = """
(() => {
  window.__gum = 0;
  const md = navigator.mediaDevices;
  if (md && md.getUserMedia) {
    const original = md.getUserMedia.bind(md);
    md.getUserMedia = (c) => { window.__gum += 1; return original(c); };
  }
})();
"""


@pytest.fixture
def media_page(context: BrowserContext) -> Page:
    context.add_init_script(COUNT_MEDIA)
    return context.new_page()


def open_video(page: Page, server: WidgetServer) -> Frame:
    frame = open_widget(page, server)
    frame.get_by_role("button", name=re.compile("Demander un rendez-vous vidéo")).click()
    expect(
        frame.get_by_role("heading", level=1, name="Demander un rendez-vous vidéo")
    ).to_be_visible()
    return frame


def test_consent_then_booking_with_join_link_and_no_camera_before_consent(
    media_page: Page, widget_server: WidgetServer, fake_graph: FakeGraph
) -> None:
    page = media_page
    frame = open_video(page, widget_server)
    accept = frame.get_by_role("button", name=re.compile("accepte|J'accepte|Accepter", re.I))
    expect(accept).to_be_visible()
    expect(frame.locator("body")).to_contain_text("Teams")
    expect(frame.locator("body")).to_contain_text(re.compile("enregistr", re.I))
    # Nothing has touched the camera yet, and the device test is not even offered.
    assert frame.evaluate("window.__gum") == 0
    expect(frame.get_by_role("button", name="Tester ma caméra")).to_have_count(0)
    accept.click()
    frame.get_by_role(
        "button", name=re.compile("quotidien|Banque au quotidien|Daily", re.I)
    ).first.click()
    expect(frame.locator(".cw-slot").first).to_be_visible(timeout=20000)
    frame.locator(".cw-slot input").first.check()
    frame.get_by_label("Votre nom").fill("Marie Dupont")
    before = len(fake_graph.live_appointments())
    frame.get_by_role("button", name="Réserver ce rendez-vous").click()
    expect(frame.get_by_role("heading", name="Votre rendez-vous vidéo est réservé")).to_be_visible(
        timeout=20000
    )
    join = frame.get_by_role("link", name=re.compile("Rejoindre la réunion Teams"))
    expect(join).to_have_attribute("href", re.compile(r"^https://"))
    assert len(fake_graph.live_appointments()) == before + 1
    # The device check works only now, on the customer's click.
    frame.get_by_role("button", name="Tester ma caméra").first.click()
    expect(frame.get_by_role("status").filter(has_text="Tout fonctionne")).to_be_visible()
    assert frame.evaluate("window.__gum") == 1
    frame.get_by_role("button", name="Arrêter le test").click()
    with page.expect_download() as download:
        frame.get_by_role("button", name=re.compile(r"\.ics")).first.click()
    assert download.value.suggested_filename.endswith(".ics")


def test_declining_keeps_the_other_channels_open(
    media_page: Page, widget_server: WidgetServer
) -> None:
    frame = open_video(media_page, widget_server)
    frame.get_by_role("button", name=re.compile("refuse|Je refuse|Non merci|Refuser", re.I)).click()
    expect(frame.get_by_role("navigation", name="Autres moyens de contact")).to_be_visible()
    expect(frame.get_by_role("button", name="Assistant digital")).to_be_visible()
    assert frame.evaluate("window.__gum") == 0


def test_investment_topic_repeats_the_audio_recording_notice_and_needs_a_tick(
    media_page: Page, widget_server: WidgetServer
) -> None:
    frame = open_video(media_page, widget_server)
    accept = frame.get_by_role("button", name=re.compile("accepte|Accepter", re.I))
    expect(accept).to_be_visible()  # a new browser context is a new customer: consent first
    accept.click()
    frame.get_by_role("button", name=re.compile("Placements|Investissements", re.I)).click()
    expect(frame.locator("#cw-recording-notice")).to_contain_text(re.compile("son|audio", re.I))
    expect(frame.locator(".cw-slot").first).to_be_visible(timeout=20000)
    frame.locator(".cw-slot input").first.check()
    frame.get_by_label("Votre nom").fill("Marie Dupont")
    frame.get_by_role("button", name="Réserver ce rendez-vous").click()
    expect(frame.get_by_role("alert")).to_contain_text(re.compile("cocher", re.I))


def test_video_views_have_no_axe_violations(media_page: Page, widget_server: WidgetServer) -> None:
    frame = open_video(media_page, widget_server)
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    accept = frame.get_by_role("button", name=re.compile("accepte|Accepter", re.I))
    expect(accept).to_be_visible()  # a new browser context is a new customer: consent first
    accept.click()
    frame.get_by_role("button", name=re.compile("quotidien|Daily", re.I)).first.click()
    expect(frame.locator(".cw-slot").first).to_be_visible(timeout=20000)
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
