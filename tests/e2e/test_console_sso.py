"""Employees sign in to the console with the bank's identity provider, in Chromium.

The provider is the local fake (tests/fakes/fake_oidc.py) on another site (127.0.0.1 vs
widget.test), so the round trip crosses sites as it does with Entra ID: the attempt cookie must
survive the provider's redirect back (SameSite=Lax) and the console cookie, set on that
cross-site navigation, must still be sent on the console's own websocket (SameSite=Strict).
"""

from __future__ import annotations

import re
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e import test_live_chat
from tests.e2e.conftest import (
    WidgetServer,
    axe_violations,
    describe,
    run_cli,
    start_widget_server,
    stop_widget_server,
)
from tests.e2e.test_live_chat import new_context
from tests.fakes.fake_oidc import FakeOidc

pytestmark = pytest.mark.e2e

live_server = test_live_chat.live_server

SSO_LINK = "Continuer avec votre compte professionnel (SSO)"
CONSOLE_COOKIE = "cw_console"


def sso_sign_in(page: Page, server: WidgetServer, employee: str, path: str = "/agent") -> None:
    """Ask for a console page, take the SSO link, pick the employee on the provider's page."""
    page.goto(f"{server.origin}{path}")
    page.wait_for_url(re.compile(r"/agent/login"))
    page.get_by_role("link", name=SSO_LINK).click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/.*/authorize"))
    page.get_by_role("button", name=employee).click()


def console_cookie(ctx: BrowserContext) -> dict[str, object]:
    return dict(next(c for c in ctx.cookies() if c["name"] == CONSOLE_COOKIE))


def test_an_employee_signs_in_with_the_provider_and_out_again(
    browser: Browser, live_server: WidgetServer
) -> None:
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        # (Not the claims console: its own test counts who listed claims on this server.)
        sso_sign_in(page, live_server, "Claire Dubois", "/agent/meetings")
        # Back on the page that was asked for, signed in under the provider's name.
        page.wait_for_url(re.compile(r"widget\.test:\d+/agent/meetings/?$"))
        expect(page.get_by_text("Claire Dubois").first).to_be_visible()
        cookie = console_cookie(ctx)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert not [c for c in ctx.cookies() if c["name"] == "cw_oidc"]  # attempt consumed
        with sqlite3.connect(live_server.db_path) as db:
            (password_hash, roles) = db.execute(
                "SELECT password_hash, roles FROM agent WHERE username = ?",
                ("claire.dubois@bank.example",),
            ).fetchone()
        assert password_hash is None and "claims_handler" in roles

        # The chat console opens too (the agent group); logging out says so and stays out
        # (no automatic trip back to the provider, which would sign her straight in again).
        page.goto(f"{live_server.origin}/agent")
        expect(page.get_by_text("Connecté : Claire Dubois")).to_be_visible()
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(re.compile(r"/agent/login/?\?signed_out=1"))
        expect(page.get_by_role("alert")).to_contain_text("Votre session est fermée.")
        page.wait_for_timeout(1000)
        assert "/agent/login" in page.url
        assert not [c for c in ctx.cookies() if c["name"] == CONSOLE_COOKIE]
    finally:
        ctx.close()


def test_an_employee_without_a_console_group_is_told_so(
    browser: Browser, live_server: WidgetServer
) -> None:
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        sso_sign_in(page, live_server, "Tom Janssens")
        page.wait_for_url(re.compile(r"/agent/login/?\?error=norole"))
        expect(page.get_by_role("alert")).to_contain_text(
            "Votre compte ne donne accès à aucune console."
        )
        assert not [c for c in ctx.cookies() if c["name"] == CONSOLE_COOKIE]
        # Translated like every console text.
        page.get_by_label("Langue de la console").select_option("nl")
        expect(page.get_by_role("alert")).to_contain_text("Uw account geeft geen toegang")
        expect(
            page.get_by_role("link", name="Doorgaan met uw bedrijfsaccount (SSO)")
        ).to_be_visible()
    finally:
        ctx.close()


def test_the_providers_logout_ends_the_open_console(
    browser: Browser, live_server: WidgetServer, fake_idp: FakeOidc
) -> None:
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        sso_sign_in(page, live_server, "Anna Peeters")
        page.wait_for_url(re.compile(r"widget\.test:\d+/agent/?$"))
        expect(page.get_by_text("Connecté : Anna Peeters")).to_be_visible()
        user = fake_idp.users["anna.peeters@bank.example"]
        sid = fake_idp.last_sid(user.username)
        url = f"http://127.0.0.1:{live_server.port}/api/agent/oidc/backchannel-logout"
        assert fake_idp.backchannel_logout(url, fake_idp.logout_token(user, sid=sid)) == 200
        # The next thing she does finds no session: back to the login page.
        page.get_by_label("Disponibilité").select_option("available")
        page.wait_for_url(re.compile(r"/agent/login/?\?next=/agent"), timeout=15000)
    finally:
        ctx.close()


def test_the_login_page_is_accessible_with_both_ways_in(
    browser: Browser, live_server: WidgetServer
) -> None:
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        page.goto(f"{live_server.origin}/agent/login?error=sso")
        expect(page.get_by_role("link", name=SSO_LINK)).to_be_visible()
        expect(page.get_by_label("Identifiant")).to_be_visible()
        expect(
            page.get_by_role("heading", name="Compte local (démo et tests uniquement)")
        ).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text(
            "La connexion avec votre compte professionnel n'a pas abouti."
        )
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def sso_only_server(fake_idp: FakeOidc) -> Iterator[WidgetServer]:
    """A server whose console has single sign-on only, as in production (there, local
    passwords cannot even be turned on; here CW_LOCAL_PASSWORDS=0 does the same)."""
    server = start_widget_server({**fake_idp.env(), "CW_LOCAL_PASSWORDS": "0"})
    fake_idp.allow_redirect(f"{server.origin}/api/agent/oidc/callback")
    env = {**server.env, "CW_DATABASE_URL": f"sqlite:///{server.db_path}"}
    run_cli(env, "chat_widget.adapters.migrate", "upgrade")
    yield server
    stop_widget_server(server)


def test_with_single_sign_on_only_the_login_page_goes_straight_to_the_provider(
    browser: Browser, sso_only_server: WidgetServer
) -> None:
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        # Asking for a console page goes to the provider without a click…
        page.goto(f"{sso_only_server.origin}/agent/claims")
        page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/.*/authorize"), timeout=20000)
        page.get_by_role("button", name="Max Weber").click()
        page.wait_for_url(re.compile(r"widget\.test:\d+/agent/claims/?$"))
        expect(page.get_by_text("Max Weber").first).to_be_visible()
        # …but not after a sign-out (the provider would sign him straight back in) nor after
        # a failure (it would loop): the page says why and offers the link.
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(re.compile(r"/agent/login/?\?signed_out=1"))
        expect(page.get_by_role("alert")).to_contain_text("Votre session est fermée.")
        page.wait_for_timeout(1500)
        assert "widget.test" in page.url and "signed_out=1" in page.url
        page.goto(f"{sso_only_server.origin}/agent/login?error=sso")
        expect(page.get_by_role("alert")).to_contain_text("n'a pas abouti")
        expect(page.get_by_role("link", name=SSO_LINK)).to_be_visible()
        expect(page.get_by_label("Mot de passe")).to_have_count(0)
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        ctx.close()
    # No password endpoint at all.
    forged = urllib.request.Request(
        f"http://127.0.0.1:{sso_only_server.port}/api/agent/login",
        data=b"username=admin&password=whatever-it-is",
        headers={
            "Origin": sso_only_server.origin,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=5)
    assert refused.value.code == 404
