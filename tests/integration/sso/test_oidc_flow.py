"""Single sign-on through the real endpoints, the real client library and a real HTTP provider.

The console's OIDC endpoints (web.oidc) run in-process behind httpx's ASGI transport with a
cookie jar, as a browser would use them; the fake provider (tests/fakes/fake_oidc.py) is a real
server on 127.0.0.1 reached by Authlib's and httpx's own HTTP code. The provider's "browser"
step (choosing an employee on its page) is a form POST to its /authorize.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.oidc import LogoutRequest, OidcClient
from chat_widget.agents import NotAuthenticated, NotAuthorized, Role, require_role
from chat_widget.agents.directory import (
    Employee,
    RoleMap,
    end_provider_sessions,
    reconcile_roles,
    sign_in_employee,
)
from chat_widget.agents.records import Agent, AgentSession
from chat_widget.settings import OidcSettings, load_settings
from chat_widget.web import oidc as web_oidc
from chat_widget.web.oidc import OidcRoute, SsoRefused, SsoSignedIn
from tests.conftest import ManualClock
from tests.fakes.fake_oidc import (
    GROUP_AGENTS,
    GROUP_CLAIMS,
    GROUP_FR,
    FakeOidc,
    FakeUser,
    demo_users,
    running_fake,
)

WIDGET = "http://widget.test"
CALLBACK = f"{WIDGET}{web_oidc.CALLBACK_PATH}"
SECRET = "integration-secret-key-that-is-long-enough"


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeOidc]:
    for fake in running_fake(demo_users()):
        fake.allow_redirect(CALLBACK)
        yield fake


def oidc_settings(fake: FakeOidc, **env: str) -> OidcSettings:
    values = {"CW_ENV": "test", "CW_PUBLIC_URL": WIDGET, **fake.env(), **env}
    settings = load_settings(values)
    assert settings.oidc is not None
    return settings.oidc


def role_map(settings: OidcSettings) -> RoleMap:
    return RoleMap(settings.role_map, settings.language_map)


async def _not_found(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@dataclass
class Console:
    """The console's SSO endpoints on one database, and one browser's cookie jar."""

    engine: Engine
    settings: OidcSettings
    client: OidcClient
    http: httpx.AsyncClient

    async def begin(self, next_page: str = "") -> str:
        query = f"?next={next_page}" if next_page else ""
        started = await self.http.get(f"{web_oidc.LOGIN_PATH}{query}")
        assert started.status_code == 303
        return started.headers["location"]

    async def sign_in(self, username: str, next_page: str = "") -> httpx.Response:
        """The whole round trip; returns the callback's answer (a 303)."""
        authorize_url = await self.begin(next_page)
        location = await choose_on_provider(authorize_url, username)
        return await self.callback(location)

    async def callback(self, location: str) -> httpx.Response:
        parts = urlsplit(location)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
        return await self.http.get(f"{parts.path}?{parts.query}")

    def console_token(self) -> str:
        return self.http.cookies.get("cw_console", domain="widget.test") or ""


async def choose_on_provider(authorize_url: str, username: str) -> str:
    """The employee picks their account on the provider's page; returns where it sends them."""
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    async with httpx.AsyncClient() as browser:
        page = await browser.get(authorize_url)
        assert page.status_code == 200, page.text
        answer = await browser.post(authorize_url.split("?")[0], data={**params, "user": username})
    assert answer.status_code == 302
    return answer.headers["location"]


@pytest.fixture
async def console(
    db_engine: Engine, provider: FakeOidc, pinned_clock: ManualClock
) -> AsyncIterator[Console]:
    settings = oidc_settings(provider)
    yield await _console(db_engine, settings)


async def _console(engine: Engine, settings: OidcSettings) -> Console:
    client = OidcClient(settings)
    roles = role_map(settings)

    async def complete(employee: Employee, asked: str) -> SsoSignedIn | SsoRefused:
        def work() -> SsoSignedIn | SsoRefused:
            with session_scope(engine) as session:
                result = sign_in_employee(
                    session=session, employee=employee, role_map=roles, asked=asked
                )
                if result.token is None:
                    return SsoRefused(result.refusal)
                return SsoSignedIn(result.token, result.landing)

        return await asyncio.to_thread(work)

    async def end(request: LogoutRequest) -> int:
        def work() -> int:
            with session_scope(engine) as session:
                return end_provider_sessions(
                    session=session, issuer=request.issuer, subject=request.subject, sid=request.sid
                )

        return await asyncio.to_thread(work)

    app = OidcRoute(
        _not_found, client=client, complete=complete, end_sessions=end, secret=SECRET, secure=False
    )
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=WIDGET)
    return Console(engine, settings, client, http)


def agent_named(engine: Engine, username: str) -> Agent | None:
    with session_scope(engine) as session:
        agent = session.exec(select(Agent).where(Agent.username == username)).first()
        if agent is not None:
            session.expunge(agent)
        return agent


def roles_now(engine: Engine, token: str, role: str = Role.AGENT) -> str:
    """'ok', 'unauthenticated' or 'forbidden': what the console would answer next request."""
    with session_scope(engine) as session:
        try:
            require_role(session=session, session_token=token, role=role)
        except NotAuthenticated:
            return "unauthenticated"
        except NotAuthorized:
            return "forbidden"
    return "ok"


# --- signing in ---------------------------------------------------------------------------


async def test_sign_in_creates_the_employee_and_opens_the_asked_console(
    console: Console, provider: FakeOidc
) -> None:
    authorize_url = await console.begin("/agent/claims")
    query = parse_qs(urlsplit(authorize_url).query)
    # Authorization-code flow with PKCE, a state and a nonce.
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]
    assert "openid" in query["scope"][0].split()
    attempt_cookie = console.http.cookies.get("cw_oidc", domain="widget.test")
    assert attempt_cookie and query["state"][0] not in attempt_cookie  # sealed, not readable

    location = await choose_on_provider(authorize_url, "claire.dubois@bank.example")
    answer = await console.callback(location)

    assert answer.status_code == 303 and answer.headers["location"] == "/agent/claims"
    cookies = answer.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("cw_console="))
    assert "HttpOnly" in session_cookie and "SameSite=Strict" in session_cookie
    assert any(c.startswith("cw_oidc=;") and "Max-Age=0" in c for c in cookies)
    token = console.console_token()
    assert roles_now(console.engine, token, Role.CLAIMS_HANDLER) == "ok"
    agent = agent_named(console.engine, "claire.dubois@bank.example")
    assert agent is not None
    assert agent.display_name == "Claire Dubois" and agent.first_name == "Claire"
    assert agent.roles == ["agent", "claims_handler"] and agent.languages == ["fr"]
    assert agent.password_hash is None and GROUP_CLAIMS in agent.idp_groups
    with session_scope(console.engine) as session:
        row = session.exec(select(AgentSession).where(AgentSession.agent_id == agent.id)).one()
        assert row.idp_sid == provider.last_sid("claire.dubois@bank.example")


async def test_the_record_follows_the_provider_on_the_next_sign_in(
    console: Console, provider: FakeOidc
) -> None:
    user = provider.add_user(FakeUser("eva.maes@bank.example", "Eva Maes", [GROUP_AGENTS]))
    assert (await console.sign_in(user.username)).headers["location"] == "/agent"
    first = agent_named(console.engine, user.username)
    assert first is not None and first.languages == ["fr"]  # the default locale
    user.name, user.groups = "Eva Maes-Claes", [GROUP_AGENTS, GROUP_CLAIMS, GROUP_FR]
    await console.sign_in(user.username)
    again = agent_named(console.engine, user.username)
    assert again is not None and again.id == first.id  # one record per employee
    assert again.display_name == "Eva Maes-Claes"
    assert again.roles == ["agent", "claims_handler"]


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        ({"aud": "another-application"}, "audience"),
        ({"iss": "https://login.example.net/other/v2.0"}, "issuer"),
        ({"foreign_key": True}, "signature"),
        ({"nonce": "a-nonce-from-another-attempt"}, "nonce"),
        ({"nonce": None}, "nonce missing"),
        ({"expired": True}, "expired"),
        ({"tid": "00000000-0000-4000-8000-000000000bad"}, "tenant"),
        ({"exp": None}, "no expiry"),
        ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "at_hash"),
    ],
)
async def test_a_token_that_is_not_for_us_is_refused(
    console: Console, provider: FakeOidc, tamper: dict[str, object], why: str
) -> None:
    provider.tamper(**tamper)
    answer = await console.sign_in("anna.peeters@bank.example")
    assert answer.status_code == 303, why
    assert answer.headers["location"] == "/agent/login?error=sso", why
    assert not console.console_token(), why
    assert agent_named(console.engine, "anna.peeters@bank.example") is None, why


async def test_expiry_is_judged_by_the_applications_clock(
    console: Console, provider: FakeOidc, pinned_clock: ManualClock
) -> None:
    """A token valid for an hour, presented two hours later on our clock: refused; within
    the minute of tolerated clock skew after its expiry: still accepted."""
    from chat_widget.adapters.oidc import OidcError

    user = provider.users["anna.peeters@bank.example"]
    raw = provider.id_token(user, nonce="n-1", sid="s-1")
    pinned_clock.advance(timedelta(minutes=60, seconds=30))
    claims = await console.client.validate_id_token(raw, nonce="n-1")
    assert claims["preferred_username"] == user.username
    pinned_clock.advance(timedelta(hours=1))
    with pytest.raises(OidcError, match="expired"):
        await console.client.validate_id_token(raw, nonce="n-1")


async def test_the_callback_must_come_back_to_the_browser_that_started(
    console: Console, db_engine: Engine, provider: FakeOidc
) -> None:
    # Login CSRF: an attacker's own code and state, delivered to the victim's browser.
    attacker = await _console(db_engine, console.settings)
    attacker_location = await choose_on_provider(
        await attacker.begin(), "tom.janssens@bank.example"
    )
    await console.begin()  # the victim has an attempt of their own: another state
    answer = await console.callback(attacker_location)
    assert answer.headers["location"] == "/agent/login?error=sso"
    assert not console.console_token()
    # No attempt cookie at all (or a forged one): refused the same way.
    console.http.cookies.clear()
    console.http.cookies.set("cw_oidc", "forged.value", domain="widget.test")
    assert (await console.callback(attacker_location)).headers["location"] == (
        "/agent/login?error=sso"
    )


async def test_an_attempt_older_than_ten_minutes_is_refused(
    console: Console, pinned_clock: ManualClock
) -> None:
    authorize_url = await console.begin("/agent/claims")
    location = await choose_on_provider(authorize_url, "anna.peeters@bank.example")
    pinned_clock.advance(timedelta(minutes=11))
    answer = await console.callback(location)
    assert answer.headers["location"] == "/agent/login?error=sso"


async def test_a_cancelled_sign_in_says_so(console: Console) -> None:
    location = await choose_on_provider(await console.begin(), "")  # "Cancel" on the provider
    assert "error=access_denied" in location
    assert (await console.callback(location)).headers["location"] == "/agent/login?error=sso"


async def test_rotated_provider_keys_are_fetched_again(
    console: Console, provider: FakeOidc
) -> None:
    await console.sign_in("anna.peeters@bank.example")  # keys cached
    provider.rotate_key()
    console.http.cookies.clear()
    answer = await console.sign_in("anna.peeters@bank.example")
    assert answer.headers["location"] == "/agent" and console.console_token()


# --- roles from groups ----------------------------------------------------------------------


async def test_groups_and_app_roles_map_to_roles(console: Console) -> None:
    # An Entra app role (roles claim) grants admin: the claims console.
    answer = await console.sign_in("max.weber@bank.example", "/agent")
    assert answer.headers["location"] == "/agent/claims"
    max_ = agent_named(console.engine, "max.weber@bank.example")
    assert max_ is not None and max_.roles == ["admin"]
    # A language group alone grants no role: refused, no session.
    console.http.cookies.clear()
    refused = await console.sign_in("tom.janssens@bank.example")
    assert refused.headers["location"] == "/agent/login?error=norole"
    assert not console.console_token()


async def test_a_removed_group_loses_access(console: Console, provider: FakeOidc) -> None:
    user = provider.add_user(FakeUser("lucas.smet@bank.example", "Lucas Smet", [GROUP_AGENTS]))
    await console.sign_in(user.username)
    desk_token = console.console_token()
    assert roles_now(console.engine, desk_token) == "ok"

    # The provider takes the group away; the next sign-in (another device) reads it again:
    # refused, and the session still open at the desk ends with it.
    user.groups = [GROUP_FR]
    console.http.cookies.clear()
    refused = await console.sign_in(user.username)
    assert refused.headers["location"] == "/agent/login?error=norole"
    assert roles_now(console.engine, desk_token) == "unauthenticated"


async def test_a_group_taken_out_of_the_map_closes_the_console_at_the_next_request(
    console: Console,
) -> None:
    await console.sign_in("claire.dubois@bank.example")
    token = console.console_token()
    assert roles_now(console.engine, token, Role.CLAIMS_HANDLER) == "ok"
    # The bank removes the claims group from CW_OIDC_ROLE_MAP and restarts: the start-up
    # reconciliation maps the stored groups again.
    narrower = RoleMap(roles=((GROUP_AGENTS, "agent"),))
    with session_scope(console.engine) as session:
        assert reconcile_roles(session=session, role_map=narrower) == 1
    assert roles_now(console.engine, token, Role.CLAIMS_HANDLER) == "forbidden"
    assert roles_now(console.engine, token, Role.AGENT) == "ok"
    # A map that grants nothing any more ends the sessions outright.
    with session_scope(console.engine) as session:
        reconcile_roles(session=session, role_map=RoleMap(roles=(("other", "agent"),)))
    assert roles_now(console.engine, token) == "unauthenticated"


async def test_groups_overage_is_refused_and_logged(
    console: Console, provider: FakeOidc, caplog: pytest.LogCaptureFixture
) -> None:
    """Entra leaves ``groups`` out when there are too many, and points to Graph instead."""
    provider.tamper(
        groups=None,
        _claim_names={"groups": "src1"},
        _claim_sources={
            "src1": {"endpoint": "https://graph.microsoft.com/v1.0/me/getMemberObjects"}
        },
    )
    answer = await console.sign_in("claire.dubois@bank.example")
    assert answer.headers["location"] == "/agent/login?error=norole"
    assert "overage" in caplog.text


async def test_a_local_account_with_the_same_name_is_never_taken_over(
    console: Console, provider: FakeOidc
) -> None:
    from chat_widget.agents import create_agent

    with session_scope(console.engine) as session:
        local = create_agent(
            session=session,
            username="nora.wouters@bank.example",
            display_name="Local Nora",
            password=None,
            roles=[Role.ADMIN],
        ).id
    provider.add_user(FakeUser("nora.wouters@bank.example", "Nora Wouters", [GROUP_AGENTS]))
    await console.sign_in("nora.wouters@bank.example")
    with session_scope(console.engine) as session:
        row = session.exec(
            select(AgentSession).where(AgentSession.token_hash.is_not(None))  # type: ignore[union-attr]
        ).all()
        owners = {session.get(Agent, r.agent_id).username for r in row}  # type: ignore[union-attr]
        assert session.get(Agent, local).idp_subject is None  # type: ignore[union-attr]
    assert "nora.wouters@bank.example" not in owners
    assert any(o.startswith("nora.wouters@bank.example~") for o in owners)


# --- logout ---------------------------------------------------------------------------------


async def test_backchannel_logout_ends_the_console_session(
    console: Console, provider: FakeOidc
) -> None:
    username = "anna.peeters@bank.example"
    user = provider.users[username]
    await console.sign_in(username)
    token = console.console_token()
    sid = provider.last_sid(username)

    async def post(logout_token: str) -> int:
        answer = await console.http.post(
            web_oidc.BACKCHANNEL_PATH, data={"logout_token": logout_token}
        )
        return answer.status_code

    # Not to be trusted: another key, an ID token's nonce, no event, for another client.
    provider_key = provider.key
    provider.key = type(provider_key).generate_key(2048, parameters={"kid": provider_key.kid})
    forged = provider.logout_token(user, sid=sid)
    provider.key = provider_key
    assert await post(forged) == 400
    assert await post(provider.logout_token(user, sid=sid, nonce="x")) == 400
    assert await post(provider.logout_token(user, sid=sid, events={})) == 400
    assert await post(provider.logout_token(user, sid=sid, aud="someone-else")) == 400
    assert await post("not-a-jwt") == 400
    assert roles_now(console.engine, token) == "ok"

    assert await post(provider.logout_token(user, sid=sid)) == 200
    assert roles_now(console.engine, token) == "unauthenticated"

    # Without a sid: every session of the employee ends.
    await console.sign_in(username)
    second = console.console_token()
    assert await post(provider.logout_token(user)) == 200
    assert roles_now(console.engine, second) == "unauthenticated"


async def test_frontchannel_logout_ends_the_session_of_that_provider_session(
    console: Console, provider: FakeOidc
) -> None:
    username = "claire.dubois@bank.example"
    await console.sign_in(username)
    token = console.console_token()
    sid = provider.last_sid(username)
    # Another provider's issuer with the same sid changes nothing.
    other = await console.http.get(
        web_oidc.FRONTCHANNEL_PATH, params={"sid": sid, "iss": "https://elsewhere.example"}
    )
    assert other.status_code == 200 and roles_now(console.engine, token) == "ok"
    # Entra sends the sid alone.
    answer = await console.http.get(web_oidc.FRONTCHANNEL_PATH, params={"sid": sid})
    assert answer.status_code == 200
    assert roles_now(console.engine, token) == "unauthenticated"


async def test_only_the_provider_endpoints_are_answered(console: Console) -> None:
    assert (await console.http.post(web_oidc.LOGIN_PATH)).status_code == 405
    assert (await console.http.get(web_oidc.BACKCHANNEL_PATH)).status_code == 405
    assert (await console.http.get("/agent")).status_code == 404  # passed on to the app
