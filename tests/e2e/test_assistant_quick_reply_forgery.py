"""A quick reply is one the assistant offered: a tampering client cannot store its own text.

Before the fix the server stored whatever label the browser sent with a quick-reply click,
unscreened by the privacy guard, so a forged event could put a PIN (or anything) into the
conversation, and any payload was answered.
"""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import WidgetServer
from tests.e2e.test_live_chat import CAPTURE_SOCKETS, forge, new_context

pytestmark = pytest.mark.e2e


def customer_bodies(server: WidgetServer) -> list[str]:
    with sqlite3.connect(server.db_path) as db:
        return [b for (b,) in db.execute("SELECT body FROM message WHERE author_kind='customer'")]


def test_forged_quick_replies_store_nothing_the_assistant_did_not_offer(
    browser: Browser, widget_server: WidgetServer
) -> None:
    from chat_widget.ui.assistant_state import AssistantState

    ctx = new_context(browser)
    ctx.add_init_script(CAPTURE_SOCKETS)
    try:
        page = ctx.new_page()
        page.goto(f"{widget_server.origin}/widget?mode=app&locale=en")
        page.wait_for_selector(".cw-app[data-booted='true']")
        page.get_by_role("button", name="Digital assistant").click()
        box = page.get_by_label("Your message")
        box.fill("I lost my card")
        box.press("Enter")
        chips = (
            page.locator(".cw-msg--other")
            .last.get_by_role("group", name="Suggestions")
            .get_by_role("button")
        )
        expect(chips.first).to_be_visible(timeout=45000)
        offered_label = chips.first.inner_text()
        answers = page.locator(".cw-msg--other").count()
        stored = len(customer_bodies(widget_server))
        name = AssistantState.get_full_name()

        # A label of the client's choosing, with a PIN in it, on a payload that exists.
        forge(
            page,
            f"{name}.quick_reply",
            {"payload": "intent:change_pin", "label": "my PIN is 4821"},
        )
        # A payload the assistant never offered in this conversation.
        forge(page, f"{name}.quick_reply", {"payload": "intent:terminate_account"})
        page.wait_for_timeout(2500)
        bodies = customer_bodies(widget_server)
        assert not [b for b in bodies if "4821" in b]
        assert len(bodies) == stored  # neither forged click became a message
        expect(page.locator(".cw-msg--other")).to_have_count(answers)

        # The genuine button still works, and stores the label the server offered.
        chips.first.click()
        expect(page.locator(".cw-msg--other")).to_have_count(answers + 1, timeout=15000)
        assert offered_label.strip() in customer_bodies(widget_server)
    finally:
        ctx.close()
