"""The bank's branding from settings, with no rebuild: colours, logo, greeting, team faces.

A server of its own, started with ``CW_BRAND_*`` variables; everything else is the stock build.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Playwright, expect

from chat_widget.devtools import demo_host
from tests.e2e.conftest import (
    WidgetServer,
    axe_violations,
    describe,
    launch_args,
    open_widget,
    start_widget_server,
    stop_widget_server,
)

pytestmark = pytest.mark.e2e

BRAND = {
    "CW_BRAND_COLOR": "#004b87",
    "CW_BRAND_COLOR_DARK": "#003a69",
    "CW_BRAND_LOGO_URL": "/favicon.ico",
    "CW_BRAND_GREETING_FR": "Bonjour ! Que pouvons-nous faire pour vous ?",
    "CW_BRAND_GREETING_NL": "Dag! Wat kunnen we voor u doen?",
    "CW_BRAND_TEAM": "Anna=/favicon.ico;Tom=/favicon.ico",
}


@pytest.fixture(scope="module")
def branded_server() -> Iterator[WidgetServer]:
    server = start_widget_server(BRAND)
    host = demo_host.serve(server.host_port, server.origin)
    yield server
    host.shutdown()
    stop_widget_server(server)


@pytest.fixture
def branded_page(playwright_instance: Playwright) -> Iterator[Page]:
    browser = playwright_instance.chromium.launch(**launch_args())  # type: ignore[arg-type]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    yield page
    browser.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_brand_colours_logo_greeting_and_team_come_from_settings(
    branded_page: Page, branded_server: WidgetServer, scheme: str
) -> None:
    page = branded_page
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    frame = open_widget(page, branded_server)
    expect(frame.get_by_role("heading", level=1)).to_have_text(
        "Bonjour\u202f! Que pouvons-nous faire pour vous\u202f?"
    )
    header = frame.locator(".cw-header")
    assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(0, 75, 135)"
    expect(frame.locator(".cw-header img.cw-logo")).to_have_attribute("alt", "")
    expect(frame.get_by_role("img", name="Anna")).to_be_visible()
    expect(frame.get_by_role("img", name="Tom")).to_be_visible()
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    page.evaluate("cw('setLocale', 'nl')")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Dag! Wat kunnen we voor u doen?")
    # No greeting configured in English: the catalog's.
    page.evaluate("cw('setLocale', 'en')")
    expect(frame.get_by_role("heading", level=1)).to_have_text("How can we help you?")
