"""Local passwords are for the demo and the tests only: production refuses them everywhere."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.agents import create_agent, create_agent_session, resolve_agent_session
from chat_widget.agents.__main__ import main as agents_cli
from chat_widget.agents.console import sign_in
from chat_widget.web import console_session
from chat_widget.web.console_session import ConsoleSessionRoute, Refused, SignedIn
from tests.integration.live_chat.test_agents import cheap_argon2  # noqa: F401

PASSWORD = "a long enough password"


def test_production_refuses_every_local_password(
    db_engine: Engine,
    cheap_argon2: None,  # noqa: F811
) -> None:
    with session_scope(db_engine) as session:
        create_agent(
            session=session, username="anne", display_name="Anne P", password=PASSWORD, demo=False
        )
    with session_scope(db_engine) as session:
        refused = sign_in(
            session=session, username="anne", password=PASSWORD, client="x", production=True
        )
        assert refused.token is None
        allowed = sign_in(
            session=session, username="anne", password=PASSWORD, client="x", production=False
        )
        assert allowed.token and allowed.landing == "/agent"


def test_an_account_whose_roles_open_no_page_is_not_signed_in(
    db_engine: Engine,
    cheap_argon2: None,  # noqa: F811
) -> None:
    """An account left without any role (a leaver's, say) opens no page: a session would only
    bounce between the login page and a refusal."""
    with session_scope(db_engine) as session:
        create_agent(
            session=session,
            username="sam",
            display_name="Sam S",
            password=PASSWORD,
            roles=[],
        )
    with session_scope(db_engine) as session:
        outcome = sign_in(
            session=session, username="sam", password=PASSWORD, client="x", production=False
        )
        assert outcome.token is None


async def test_the_password_endpoint_does_not_exist_in_production() -> None:
    calls: list[str] = []

    async def never(username: str, password: str, client: str, asked: str) -> SignedIn | Refused:
        calls.append(username)
        return Refused()

    async def sign_out(token: str) -> None:
        return None

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        raise AssertionError("not for the app")

    route = ConsoleSessionRoute(
        app,
        sign_in=never,
        sign_out=sign_out,
        own_origin="http://widget.test",
        secure=False,
        passwords=False,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=route), base_url="http://widget.test"
    ) as http:
        answer = await http.post(
            console_session.LOGIN_PATH,
            data={"username": "anne", "password": PASSWORD},
            headers={"Origin": "http://widget.test"},
        )
        assert answer.status_code == 404 and calls == []
        # Logout still works, and lands where single sign-on does not start again by itself.
        out = await http.post(console_session.LOGOUT_PATH, headers={"Origin": "http://widget.test"})
        assert out.status_code == 303 and out.headers["location"] == "/agent/login?signed_out=1"


def test_the_cli_creates_no_password_account_in_production_and_signs_leavers_out(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cheap_argon2: None,  # noqa: F811
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["--database-url", url, "create", "--username", "u1", "--name", "Anne P"]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    for production in ("production", ""):  # unset CW_ENV is production
        monkeypatch.setenv("CW_ENV", production)
        assert agents_cli([*args, "--password-stdin"]) == 2
    monkeypatch.setenv("CW_ENV", "test")
    assert agents_cli([*args, "--password-stdin"]) == 0
    from chat_widget.adapters.db import make_engine
    from chat_widget.agents import get_agent_by_username

    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            agent = get_agent_by_username(session=session, username="u1")
            assert agent is not None
            token = create_agent_session(session=session, agent=agent)
        # Works in production too: ending sessions needs no password.
        monkeypatch.setenv("CW_ENV", "production")
        assert agents_cli(["--database-url", url, "sign-out", "--username", "u1"]) == 0
        assert agents_cli(["--database-url", url, "sign-out", "--username", "nobody"]) == 2
        with session_scope(engine) as session:
            assert resolve_agent_session(session=session, token=token) is None
    finally:
        engine.dispose()
