"""The console session is the HttpOnly cookie alone: a leaked tab token opens nothing.

The take-over this guards against: an agent signs in, the Reflex tab token (readable by any
script in ``sessionStorage`` and sent as ``?token=`` in the websocket URL, so proxies log it)
leaks, the tab is closed without logging out, and someone else connects with that token and no
cookie. Before the fix the console trusted state held under the tab token and answered with
the agent's name, queue, meetings and, for a claims handler, the claims list.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocket, expect

from tests.e2e import test_live_chat
from tests.e2e.conftest import WidgetServer
from tests.e2e.test_live_chat import PASSWORD, new_context

pytestmark = pytest.mark.e2e

live_server = test_live_chat.live_server

CONSOLE_COOKIE = "cw_console"  # plain http in the tests; `__Host-cw_console` on https


def sign_in(page: Page, server: WidgetServer, username: str, path: str = "/agent") -> None:
    page.goto(f"{server.origin}{path}")
    page.wait_for_url(re.compile(r"/agent/login"))
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def record_frames(ws: WebSocket, into: list[str]) -> None:
    ws.on("framereceived", lambda payload: into.append(str(payload)))


def stolen_tab(browser: Browser, token: str) -> BrowserContext:
    """A fresh browser with no cookie that reuses someone else's Reflex tab token."""
    ctx = new_context(browser)
    ctx.add_init_script(f"window.sessionStorage.setItem('token', {token!r});")
    return ctx


def test_a_leaked_tab_token_without_the_cookie_opens_nothing(
    browser: Browser, live_server: WidgetServer
) -> None:
    for username, path, secret_text in (
        ("sophie", "/agent", "Sophie Dubois"),
        ("sophie", "/agent/meetings", "Sophie Dubois"),
        ("marc", "/agent/claims", "Marc Claes"),
    ):
        victim_ctx = new_context(browser)
        victim = victim_ctx.new_page()
        sign_in(victim, live_server, username, path)
        victim.wait_for_url(re.compile(re.escape(path) + r"/?$"))
        expect(victim.get_by_text(secret_text).first).to_be_visible()
        # The session cookie is out of reach of scripts, strict, and not in document.cookie.
        cookie = next(c for c in victim_ctx.cookies() if c["name"] == CONSOLE_COOKIE)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert CONSOLE_COOKIE not in victim.evaluate("document.cookie")
        token = victim.evaluate("window.sessionStorage.getItem('token')")
        assert token
        victim.close()  # the tab is closed without logging out; the session stays valid
        thief_ctx = stolen_tab(browser, token)
        try:
            thief = thief_ctx.new_page()
            frames: list[str] = []
            thief.on("websocket", lambda ws, seen=frames: record_frames(ws, seen))
            thief.goto(f"{live_server.origin}{path}")
            thief.wait_for_url(re.compile(r"/agent/login/?\?next="), timeout=15000)
            thief.wait_for_timeout(1500)
            seen = "\n".join(str(f) for f in frames)
            assert secret_text not in seen, (username, path)
            assert '"authed_rx_state_":true' not in seen.replace(" ", "")
            assert thief.evaluate("window.sessionStorage.getItem('token')") == token
        finally:
            thief_ctx.close()
            victim_ctx.close()


def test_login_returns_to_the_asked_page_and_logout_revokes_the_session(
    browser: Browser, live_server: WidgetServer
) -> None:
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        sign_in(page, live_server, "marc", "/agent/claims")
        page.wait_for_url(re.compile(r"/agent/claims/?$"))
        expect(page.get_by_text("Marc Claes").first).to_be_visible()
        cookie = next(c for c in ctx.cookies() if c["name"] == CONSOLE_COOKIE)["value"]
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(re.compile(r"/agent/login"))
        assert not [c for c in ctx.cookies() if c["name"] == CONSOLE_COOKIE]
        # The old cookie value, replayed by hand, is revoked on the server.
        request = urllib.request.Request(
            f"http://127.0.0.1:{live_server.port}/api/chat/agent-files/{'a' * 32}",
            headers={"Cookie": f"{CONSOLE_COOKIE}={cookie}"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 404
        with sqlite3.connect(live_server.db_path) as db:
            (revoked_at,) = db.execute(
                "SELECT revoked_at FROM agentsession WHERE token_hash = ?",
                (hashlib.sha256(cookie.encode()).hexdigest(),),
            ).fetchone()
        assert revoked_at is not None
        # An agent without the claims role who asks for the claims console lands on chat.
        sign_in(page, live_server, "sophie", "/agent/claims")
        page.wait_for_url(re.compile(r"/agent/?$"))
    finally:
        ctx.close()


def test_wrong_password_is_translated_and_a_foreign_origin_cannot_post_a_login(
    browser: Browser, live_server: WidgetServer
) -> None:
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        page.goto(f"{live_server.origin}/agent/login")
        page.get_by_label("Identifiant").fill("lena")
        page.get_by_label("Mot de passe").fill("not the password")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(r"/agent/login/?\?error=invalid"))
        expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect")
        assert not [c for c in ctx.cookies() if c["name"] == CONSOLE_COOKIE]
    finally:
        ctx.close()
    forged = urllib.request.Request(
        f"http://127.0.0.1:{live_server.port}/api/agent/login",
        data=b"username=lena&password=x",
        headers={"Origin": "http://evil.test", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=5)
    assert refused.value.code == 403
