"""An event too large for the websocket is refused in the page with a translated reason.

Socket.IO drops a frame over its buffer limit together with the connection: without this the
customer's action vanished without a word.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import WidgetServer
from tests.e2e.test_live_chat import CAPTURE_SOCKETS, forge, new_context

pytestmark = pytest.mark.e2e


def test_an_oversized_event_is_refused_with_a_reason_and_the_socket_stays_up(
    browser: Browser, widget_server: WidgetServer
) -> None:
    from chat_widget.ui.widget_state import WidgetState

    ctx = new_context(browser)
    ctx.add_init_script(CAPTURE_SOCKETS)
    try:
        page = ctx.new_page()
        page.goto(f"{widget_server.origin}/widget?mode=app&locale=nl")
        page.wait_for_selector(".cw-app[data-booted='true']")
        sockets_before = page.evaluate("window.__cwSockets.length")
        forge(page, f"{WidgetState.get_full_name()}.on_host_message", {"raw": "x" * 2_000_000})
        notice = page.locator(".cw-notice").filter(has_text="te groot")
        expect(notice).to_be_visible(timeout=10000)
        expect(notice).to_contain_text("niet verzonden")
        # Same socket, still open: nothing was dropped behind the customer's back.
        assert page.evaluate("window.__cwSockets.length") == sockets_before
        assert page.evaluate("window.__cwSockets.at(-1).readyState") == 1
    finally:
        ctx.close()
