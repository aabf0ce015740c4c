"""The widget shell in a real browser: loader, navigation, languages, keyboard, a11y, origins."""

from __future__ import annotations

import re
import sqlite3
import time

import jwt
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    WidgetServer,
    axe_violations,
    describe,
    focus_launcher,
    open_widget,
    wait_booted,
    widget_frame,
)

pytestmark = pytest.mark.e2e


def launcher_has_focus(page: Page) -> bool:
    return bool(page.evaluate("document.activeElement.hasAttribute('data-contact-widget')"))


def iframe_visible(page: Page) -> bool:
    # The iframe sits in a closed shadow root; its visibility shows in its frame element's box.
    frame = widget_frame(page)
    element = frame.frame_element()
    return element.is_visible()


def test_launcher_opens_widget_with_keyboard_and_escape_returns_focus(
    page: Page, widget_server: WidgetServer
) -> None:
    page.goto(widget_server.bank_url)
    page.wait_for_function("typeof window.cw === 'function' && !!window.cw.open")
    # No iframe before the first open: the loader only renders the launcher.
    page.wait_for_timeout(300)
    assert not any("/widget" in f.url for f in page.frames)
    focus_launcher(page)
    page.keyboard.press("Enter")
    frame = widget_frame(page)
    wait_booted(frame)
    expect(frame.get_by_role("heading", name="Comment pouvons-nous vous aider ?")).to_be_visible()
    assert iframe_visible(page)
    frame.get_by_role("button", name=re.compile("Assistant digital")).focus()
    page.keyboard.press("Escape")
    page.wait_for_function("document.activeElement.hasAttribute('data-contact-widget')")
    assert launcher_has_focus(page)
    assert not iframe_visible(page)
    # Enter on the launcher again reopens the same widget (same frame, state kept).
    page.keyboard.press("Enter")
    assert iframe_visible(page)


def test_channel_navigation_moves_focus_and_back_returns_home(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_widget(page, widget_server)
    frame.get_by_role("button", name=re.compile("Déclarer un sinistre")).click()
    heading = frame.get_by_role("heading", level=1, name="Déclarer un sinistre avec myBo")
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    # Never a dead end: the other channels are offered from every channel view.
    expect(frame.get_by_role("navigation", name="Autres moyens de contact")).to_be_visible()
    frame.get_by_role("button", name="Retour à l'accueil").click()
    expect(frame.get_by_role("heading", name="Comment pouvons-nous vous aider ?")).to_be_focused()
    # The live-chat entry always says whether it is open, and when it reopens if not.
    status = frame.locator("#cw-channel-live_chat .cw-channel-status").inner_text()
    assert re.match(r"^(Ouvert maintenant, jusqu'à \d\d:\d\d|Fermé\. Réouverture .+)$", status), (
        status
    )


def test_language_switch_in_widget_and_from_host_api(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_widget(page, widget_server)
    frame.get_by_label("Langue").select_option("nl")
    expect(frame.get_by_role("heading", name="Hoe kunnen we u helpen?")).to_be_visible()
    # <html lang> is set by a script call after the re-render (widget-bridge.js setLang).
    expect(frame.locator("html")).to_have_attribute("lang", "nl")
    # The bank's privacy notice follows the language (CW_PRIVACY_URL's {lang}).
    expect(frame.locator(".cw-footer a.cw-link")).to_have_attribute(
        "href", re.compile(r"/about-us/nl/privacy$")
    )
    page.evaluate("cw('setLocale', 'de')")
    expect(frame.get_by_role("heading", name="Wie können wir Ihnen helfen?")).to_be_visible()
    # The PIN reminder: always on screen in short, the full text one tap away.
    expect(frame.get_by_text("Geben Sie nie Ihre Codes weiter")).to_be_visible()
    page.evaluate("cw('setLocale', 'en')")
    expect(frame.get_by_role("heading", name="How can we help you?")).to_be_visible()
    frame.get_by_text("Never share your codes").click()
    expect(
        frame.get_by_text("Never share your PIN, card-reader codes, passwords or SMS codes")
    ).to_be_visible()


def test_foreign_and_malformed_messages_are_ignored_and_counted(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_widget(page, widget_server)
    # Widget side: a message whose source is not the parent window is dropped.
    before = frame.evaluate("ContactWidgetBridge.ignored")
    frame.evaluate("window.postMessage({cw: 1, type: 'set-locale', locale: 'de'}, '*')")
    # From the real parent but malformed (unknown type, wrong version): dropped too.
    # The iframe sits in the loader's closed shadow root: reach its window through Playwright.
    iframe = frame.frame_element()
    for bad in (
        "{cw: 1, type: 'bogus'}",
        "{cw: 2, type: 'set-locale', locale: 'de'}",
        "'set-locale de'",
    ):
        page.evaluate(f"(el) => el.contentWindow.postMessage({bad}, '*')", iframe)
    frame.wait_for_function(f"ContactWidgetBridge.ignored >= {before} + 4", timeout=5000)
    expect(frame.get_by_role("heading", name="Comment pouvons-nous vous aider ?")).to_be_visible()
    # Loader side: a protocol-looking message that does not come from the widget frame.
    ignored = page.evaluate("cw.ignored")
    page.evaluate("window.postMessage({cw: 1, type: 'close'}, '*')")
    page.wait_for_timeout(200)
    assert page.evaluate("cw.ignored") == ignored + 1
    assert iframe_visible(page)


def test_bad_host_data_is_rejected_with_a_translated_notice(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_widget(page, widget_server)
    page.evaluate(
        "cw('setContext', {topic: '<img src=x onerror=alert(1)>', page: 'javascript:alert(1)'})"
    )
    expect(frame.get_by_role("status")).to_contain_text("informations invalides")
    assert frame.locator("img").count() == 0


def test_frame_ancestors_refuse_a_foreign_site(page: Page, widget_server: WidgetServer) -> None:
    evil = f"http://evil.test:{widget_server.host_port}/"
    page.goto(evil)
    page.wait_for_function("typeof window.cw === 'function' && !!window.cw.open")
    page.evaluate("cw('open')")
    page.wait_for_timeout(3000)
    frames = [f for f in page.frames if f != page.main_frame]
    assert frames, "the loader should still create the iframe"
    # Chromium replaces a refused frame with an error page: the widget never boots there.
    for frame in frames:
        assert frame.evaluate("!!document.querySelector('.cw-app')") is False


def test_widget_works_with_third_party_storage_blocked_and_resumes_after_reload(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_widget(page, widget_server)
    blocked = frame.evaluate("ContactWidgetBridge.storageBlocked")
    key = f"cw.session.{widget_server.origin}"
    session = page.evaluate(f"localStorage.getItem({key!r})")
    assert session and session.startswith("v1.")
    if blocked:
        expect(frame.get_by_text("Votre navigateur bloque le stockage")).to_be_visible()
    page.reload()
    page.wait_for_function("typeof window.cw === 'function' && !!window.cw.open")
    page.evaluate("cw('open')")
    frame = widget_frame(page)
    wait_booted(frame)
    assert page.evaluate(f"localStorage.getItem({key!r})") == session
    customer_id = session.split(".")[1]
    with sqlite3.connect(widget_server.db_path) as db:
        row = db.execute("SELECT id FROM customer WHERE id = ?", (customer_id,)).fetchone()
    assert row is not None


def test_identified_customer_is_signed_in_and_forged_token_falls_back(
    page: Page, widget_server: WidgetServer
) -> None:
    key = widget_server.env["CW_IDENTITY_JWT_KEY"]
    good = jwt.encode(
        {"sub": "cust-42", "aud": "contact-widget", "exp": int(time.time()) + 600}, key, "HS256"
    )
    forged = jwt.encode(
        {"sub": "cust-42", "aud": "contact-widget", "exp": int(time.time()) + 600},
        "not-the-key-not-the-key-not-the-key!",
        "HS256",
    )
    frame = open_widget(page, widget_server)
    page.evaluate(f"cw('identify', () => {forged!r})")
    expect(frame.get_by_role("status")).to_contain_text("pas pu vérifier votre identité")
    expect(frame.locator("#cw-signed-in")).to_have_count(0)
    page.evaluate(f"cw('identify', () => Promise.resolve({good!r}))")
    expect(frame.locator("#cw-signed-in")).to_have_text("Connecté")
    with sqlite3.connect(widget_server.db_path) as db:
        refs = db.execute("SELECT count(*) FROM customer WHERE external_ref = 'cust-42'").fetchone()
    assert refs == (1,)


def test_app_mode_is_full_page_without_launcher_or_close(
    page: Page, widget_server: WidgetServer
) -> None:
    page.goto(f"{widget_server.origin}/widget?mode=app&locale=nl")
    wait_booted(page.main_frame)
    expect(page.get_by_role("heading", name="Hoe kunnen we u helpen?")).to_be_visible()
    # The document's title (what a webview or screen reader announces) is in its language.
    expect(page).to_have_title("Contacteer ons")
    expect(page.get_by_role("button", name="Contactvenster sluiten")).to_have_count(0)
    # A native bridge can push the same protocol messages.
    page.evaluate("ContactWidgetBridge.receive({cw: 1, type: 'set-locale', locale: 'en'})")
    expect(page.get_by_role("heading", name="How can we help you?")).to_be_visible()
    expect(page).to_have_title("Contact us")


def test_small_screens_get_a_full_screen_widget(page: Page, widget_server: WidgetServer) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    open_widget(page, widget_server)
    box = widget_frame(page).frame_element().bounding_box()
    assert box is not None
    assert box["width"] == 320 and box["x"] == 0 and box["y"] == 0
    font_size = widget_frame(page).evaluate(
        "getComputedStyle(document.getElementById('cw-lang')).fontSize"
    )
    assert font_size == "16px"


@pytest.mark.parametrize("width", [1280, 320])
def test_home_view_has_no_axe_violations(
    page: Page, widget_server: WidgetServer, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    frame = open_widget(page, widget_server)
    violations = axe_violations(frame)
    assert violations == [], describe(violations)


def test_channel_view_has_no_axe_violations(page: Page, widget_server: WidgetServer) -> None:
    frame = open_widget(page, widget_server)
    frame.get_by_role("button", name=re.compile("Demander un rendez-vous")).click()
    expect(
        frame.get_by_role("heading", level=1, name="Demander un rendez-vous vidéo")
    ).to_be_visible()
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
