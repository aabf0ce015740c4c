"""The widget's frame and assistant view as a customer meets them (issue #16, part B).

Phone focus containment, the heading's focus box, the compact PIN reminder, the title in
sub-views, the scroll position of a long answer, the language-switch offer, dark mode and
reduced motion, and axe at 320 and 1280 px in every language.
"""

from __future__ import annotations

import re

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
from tests.e2e.test_assistant import COMPOSER, TITLE, ask, open_assistant

pytestmark = pytest.mark.e2e

LOCALES = ("fr", "nl", "en", "de")
# Long enough to fill the log several times over: the card-blocking answer with its steps.
LONG_QUESTION = "j'ai perdu ma carte bancaire"


def active_in_frame(page: Page) -> str:
    """What has the focus: inside the widget ("frame:<tag>") or on the bank page."""
    on_page = page.evaluate(
        "document.activeElement && document.activeElement.hasAttribute('data-contact-widget')"
    )
    if not on_page:
        return "page:" + str(
            page.evaluate("document.activeElement && document.activeElement.tagName")
        )
    frame = widget_frame(page)
    return "frame:" + str(
        frame.evaluate("document.activeElement && document.activeElement.tagName")
    )


def test_phone_full_screen_widget_keeps_the_focus_inside_and_escape_returns_it(
    page: Page, widget_server: WidgetServer
) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(widget_server.bank_url)
    page.wait_for_function("typeof window.cw === 'function' && !!window.cw.open")
    focus_launcher(page)
    page.keyboard.press("Enter")
    frame = widget_frame(page)
    wait_booted(frame)
    expect(frame.locator("#cw-view-heading")).to_be_focused()
    seen: set[str] = set()
    for _ in range(40):  # several times round every control of the home view
        page.keyboard.press("Tab")
        where = active_in_frame(page)
        assert where.startswith("frame:") and where != "frame:BODY", where
        seen.add(
            str(frame.evaluate("document.activeElement.id || document.activeElement.textContent"))
        )
    assert len(seen) >= 6  # it went round the controls, it did not stick on one
    # Shift+Tab from the first control goes to the last one, still inside.
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        assert active_in_frame(page).startswith("frame:")
    # The bank page behind is out of reach while the widget covers it (modal dialog).
    assert page.evaluate("document.querySelector('main, h1').closest('[inert]') !== null")
    page.keyboard.press("Escape")
    page.wait_for_function("document.activeElement.hasAttribute('data-contact-widget')")
    assert page.evaluate("document.querySelector('[inert]') === null")


def test_desktop_widget_is_not_modal(page: Page, widget_server: WidgetServer) -> None:
    open_widget(page, widget_server)
    assert page.evaluate("document.querySelector('[inert]') === null")


def test_heading_focus_box_shows_for_keyboard_users_only(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_widget(page, widget_server)  # opened by script, as after a mouse click
    frame.get_by_role("button", name=re.compile("Déclarer un sinistre")).click()
    heading = frame.get_by_role("heading", level=1, name="Déclarer un sinistre avec myBo")
    expect(heading).to_be_focused()
    assert heading.evaluate("h => getComputedStyle(h).outlineStyle") == "none"
    # The same view reached with the keyboard shows where the focus is.
    frame.get_by_role("button", name="Retour à l'accueil").focus()
    page.keyboard.press("Enter")
    home = frame.locator("#cw-view-heading")
    expect(home).to_be_focused()
    assert home.evaluate("h => getComputedStyle(h).outlineStyle") == "solid"


def test_launcher_opened_with_the_mouse_shows_no_box_on_the_heading(
    page: Page, widget_server: WidgetServer
) -> None:
    page.goto(widget_server.bank_url)
    page.wait_for_function("typeof window.cw === 'function' && !!window.cw.open")
    page.wait_for_timeout(300)
    # The launcher lives in a closed shadow root: click where it is drawn (bottom right).
    page.mouse.click(1280 - 44, 800 - 44)
    frame = widget_frame(page)
    wait_booted(frame)
    heading = frame.locator("#cw-view-heading")
    expect(heading).to_be_focused()
    assert heading.evaluate("h => getComputedStyle(h).outlineStyle") == "none"


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_title_is_whole_in_sub_views(page: Page, widget_server: WidgetServer, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 740})
    frame = open_widget(page, widget_server)
    frame.get_by_role("button", name=re.compile("Demander un rendez-vous")).click()
    title = frame.locator(".cw-brand span").last
    expect(title).to_have_text("Contactez-nous")
    # Not cut: the text fits its box (no ellipsis, no hidden overflow).
    assert title.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
    assert title.evaluate("t => getComputedStyle(t.parentElement).textOverflow") != "ellipsis"


def test_pin_reminder_is_one_line_and_the_full_text_one_tap_away(
    page: Page, widget_server: WidgetServer
) -> None:
    page.set_viewport_size({"width": 375, "height": 667})
    frame = open_widget(page, widget_server)
    reminder = frame.locator("#cw-reminder")
    summary = reminder.locator("summary")
    expect(summary).to_contain_text("Ne communiquez jamais vos codes")
    box = reminder.bounding_box()
    assert box is not None and box["height"] <= 0.07 * 667, box
    full = frame.get_by_text(re.compile("Ne communiquez jamais votre code PIN"))
    expect(full).to_be_hidden()
    summary.click()
    expect(full).to_be_visible()


def test_a_long_answer_is_shown_from_its_start(page: Page, widget_server: WidgetServer) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.set_viewport_size({"width": 375, "height": 600})
    frame = open_assistant(page, widget_server)
    ask(frame, LONG_QUESTION)
    answer = frame.locator(".cw-msg--other").last
    log = frame.locator(".cw-log")
    expect(frame.locator(".cw-after").last).to_be_attached()
    page.wait_for_timeout(300)
    fits = answer.evaluate(
        "a => a.getBoundingClientRect().height <= document.querySelector('.cw-log').clientHeight"
    )
    gap = answer.evaluate(
        "a => a.getBoundingClientRect().top - document.querySelector('.cw-log').getBoundingClientRect().top"
    )
    if fits:
        # A short answer: the log is at its end, and the answer's start is in view.
        assert log.evaluate("l => l.scrollHeight - l.clientHeight - l.scrollTop <= 2")
        assert gap >= -2
    else:
        # A long answer: its first line (and the AI notice above it) is at the top of the log.
        assert -2 <= gap <= 12, gap
    notice = frame.locator(".cw-ai-notice")
    if notice.count():
        top = notice.first.evaluate(
            "n => n.getBoundingClientRect().top - document.querySelector('.cw-log').getBoundingClientRect().top"
        )
        assert top >= -2, top


def test_quick_replies_are_compact_chips(page: Page, widget_server: WidgetServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    frame = open_assistant(page, widget_server, "en")
    ask(frame, "what will the weather be like in Ostend on Sunday", "en")
    groups = frame.locator(".cw-msg--other").last.locator(".cw-chips")
    expect(groups.first.locator(".cw-chip").first).to_be_visible()
    # Measured in one go, in the group's own coordinates (the log may still be scrolling).
    layout = groups.evaluate_all(
        """gs => gs.map(g => { const o = g.getBoundingClientRect();
             return { width: o.width, chips: [...g.querySelectorAll('.cw-chip')].map(c => {
               const r = c.getBoundingClientRect();
               return { x: r.x - o.x, y: r.y - o.y, width: r.width, height: r.height }; }) }; })"""
    )
    shared_a_row = False
    for group in layout:
        width, boxes = group["width"], group["chips"]
        # A chip is as wide as its label, never a full-width row of its own.
        assert all(b["width"] < width * 0.75 for b in boxes), group
        for a, b in zip(boxes, boxes[1:], strict=False):
            if a["width"] + b["width"] + 6 <= width:  # they fit side by side: they sit so
                assert abs(a["y"] - b["y"]) < 2, group
                shared_a_row = True
    assert shared_a_row, layout


def test_language_switch_offer_is_a_labelled_control_in_that_language(
    page: Page, widget_server: WidgetServer
) -> None:
    frame = open_assistant(page, widget_server, "fr")
    ask(frame, "Goeiemorgen, ik ben mijn bankkaart kwijt, wat moet ik doen?", "fr")
    group = frame.get_by_role("group", name="Changer de langue")
    switch = group.get_by_role("button", name="Widget in het Nederlands tonen")
    expect(switch).to_be_visible()
    assert switch.get_attribute("lang") == "nl"
    # The Dutch answer in the French widget says it is Dutch (WCAG 3.1.2).
    assert frame.locator(".cw-msg--other").last.get_attribute("lang") == "nl"
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    switch.focus()
    page.keyboard.press("Enter")
    expect(frame.get_by_role("heading", level=1, name=TITLE["nl"])).to_be_visible()
    expect(frame.get_by_label(COMPOSER["nl"])).to_be_visible()
    # <html lang> is set by a script call after the re-render (widget-bridge.js setLang).
    expect(frame.locator("html")).to_have_attribute("lang", "nl")


def test_dark_mode_follows_the_system_and_stays_readable(
    page: Page, widget_server: WidgetServer
) -> None:
    page.emulate_media(color_scheme="dark")
    frame = open_widget(page, widget_server)
    background = frame.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(22, 22, 26)", background
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    frame.get_by_role("button", name=re.compile(TITLE["fr"])).click()
    ask(frame, LONG_QUESTION)
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    page.emulate_media(color_scheme="light")
    background = frame.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(255, 255, 255)", background


def test_reduced_motion_turns_smooth_scrolling_and_animation_off(
    page: Page, widget_server: WidgetServer
) -> None:
    page.emulate_media(reduced_motion="reduce")
    frame = open_widget(page, widget_server)
    style = frame.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.cw-channel'));"
        " return [s.transitionDuration, s.animationName]; })()"
    )
    assert style == ["0s", "none"], style
    assert frame.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("locale", LOCALES)
def test_home_and_assistant_have_no_axe_violations(
    page: Page, widget_server: WidgetServer, width: int, locale: str
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    frame = open_widget(page, widget_server)
    if locale != "fr":
        page.evaluate(f"cw('setLocale', {locale!r})")
        expect(frame.locator("html")).to_have_attribute("lang", locale)
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
    frame.locator("#cw-reminder summary").click()
    frame.get_by_role("button", name=re.compile(TITLE[locale])).click()
    expect(frame.get_by_role("heading", level=1, name=TITLE[locale])).to_be_focused()
    question = {
        "fr": "j'ai perdu ma carte bancaire",
        "nl": "ik ben mijn bankkaart kwijt",
        "en": "I lost my card, what should I do?",
        "de": "Ich habe meine Bankkarte verloren",
    }[locale]
    ask(frame, question, locale)
    violations = axe_violations(frame)
    assert violations == [], describe(violations)


def test_channel_views_load_on_demand_and_are_prefetched_when_idle(
    page: Page, widget_server: WidgetServer
) -> None:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "cwview" in r.url else None)
    frame = open_widget(page, widget_server)
    expect(frame.locator(".cw-channel").first).to_be_visible()
    # The first open fetches only what the home view shows.
    assert fetched == []
    # A few seconds later, while idle, the other views are fetched.
    page.wait_for_timeout(6000)
    assert any("claim" in u for u in fetched) and any("video" in u for u in fetched), fetched
    frame.get_by_role("button", name=re.compile("Déclarer un sinistre")).click()
    expect(
        frame.get_by_role("heading", level=1, name="Déclarer un sinistre avec myBo")
    ).to_be_focused()


@pytest.mark.parametrize(
    ("channel", "heading"),
    [
        ("Chatter avec un collaborateur", "Chatter avec un collaborateur"),
        ("Déclarer un sinistre", "Déclarer un sinistre avec myBo"),
        ("Demander un rendez-vous", "Demander un rendez-vous vidéo"),
    ],
)
def test_channel_views_are_readable_in_dark_mode(
    page: Page, widget_server: WidgetServer, channel: str, heading: str
) -> None:
    page.emulate_media(color_scheme="dark")
    frame = open_widget(page, widget_server)
    frame.get_by_role("button", name=re.compile(channel)).first.click()
    expect(frame.get_by_role("heading", level=1, name=heading)).to_be_visible()
    violations = axe_violations(frame)
    assert violations == [], describe(violations)
