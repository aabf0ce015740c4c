from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.agents import (
    LoginOutcome,
    NotAuthenticated,
    NotAuthorized,
    PasswordAuthenticator,
    Role,
    SessionPolicy,
    ThrottlePolicy,
    create_agent,
    create_agent_session,
    get_agent_by_username,
    require_role,
    resolve_agent_session,
    revoke_agent_session,
    revoke_all_agent_sessions,
    sign_in,
)
from chat_widget.agents.__main__ import main as agents_cli
from chat_widget.agents.records import Agent, AgentSession
from chat_widget.domain.clock import as_aware
from chat_widget.domain.clock import utcnow as now_utc

PASSWORD = "correct horse battery"


@pytest.fixture
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id with small parameters: the default costs ~1 s per verify on 2 busy cores."""
    from argon2 import PasswordHasher

    from chat_widget.agents import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_HASHER", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("not-a-real-password"))


class Clock:
    def __init__(self) -> None:
        self.now = now_utc()

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


def _agent(engine: Engine, username: str = "sophie", roles=(Role.AGENT,)) -> str:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return create_agent(
            session=session,
            username=username,
            display_name="Sophie Dubois",
            password=PASSWORD,
            roles=roles,
            languages=["fr", "en"],
        ).id


def _signed_in(engine: Engine, policy: SessionPolicy, now: datetime) -> tuple[Agent, str]:
    """A new agent "sophie" and a console session of hers created at ``now``."""
    _agent(engine)
    with session_scope(engine) as session:
        agent = get_agent_by_username(session=session, username="sophie")
        assert agent is not None
        return agent, create_agent_session(session=session, agent=agent, policy=policy, now=now)


def test_password_login(db_engine: Engine) -> None:
    agent_id = _agent(db_engine)
    with session_scope(db_engine) as session:
        auth = PasswordAuthenticator(session)
        agent = auth.authenticate("Sophie ", PASSWORD, "10.0.0.1").agent
        assert agent is not None and agent.id == agent_id and agent.first_name == "Sophie"
        assert agent.password_hash is not None and agent.password_hash.startswith("$argon2id$")
        assert auth.authenticate("sophie", "wrong password!!", "10.0.0.1").agent is None
        assert auth.authenticate("nobody", PASSWORD, "10.0.0.1").agent is None
        assert auth.authenticate("", PASSWORD, "10.0.0.1").agent is None
    with session_scope(db_engine) as session:
        with pytest.raises(ValueError):
            create_agent(session=session, username="SOPHIE", display_name="x", password=PASSWORD)
        with pytest.raises(ValueError):
            create_agent(session=session, username="short", display_name="x", password="short")


def _try(engine: Engine, clock: Clock, username: str, password: str, client: str) -> LoginOutcome:
    with session_scope(engine) as session:
        return PasswordAuthenticator(session, ThrottlePolicy(), clock).authenticate(
            username, password, client
        )


def _guess_until_heard(
    engine: Engine, clock: Clock, username: str, client: str, heard: int
) -> list[int]:
    """A patient guesser: waits out every delay; returns the delays they were given."""
    delays: list[int] = []
    while heard:
        outcome = _try(engine, clock, username, "nope-nope-nope", client)
        if outcome.retry_after:
            delays.append(outcome.retry_after)
            clock.now += timedelta(seconds=outcome.retry_after)
        else:
            heard -= 1
    return delays


def test_a_guesser_cannot_lock_the_agent_out(db_engine: Engine, cheap_argon2: None) -> None:
    """Ten wrong guesses from one address slow that address down for minutes, while the
    agent, from their own address, waits at most the account's short cap (30 s)."""
    _agent(db_engine)
    clock = Clock()
    attacker, agent_desk = "203.0.113.9", "10.1.2.3"
    _guess_until_heard(db_engine, clock, "sophie", attacker, heard=10)
    # The guesser now waits minutes, and even the right password is not heard before that.
    blocked = _try(db_engine, clock, "sophie", PASSWORD, attacker)
    assert blocked.agent is None and blocked.retry_after >= 120
    # The agent at their desk: at most the account cap, then in.
    first = _try(db_engine, clock, "sophie", PASSWORD, agent_desk)
    assert first.agent is None and 0 < first.retry_after <= 30
    clock.now += timedelta(seconds=first.retry_after)
    assert _try(db_engine, clock, "sophie", PASSWORD, agent_desk).agent is not None
    # Signing in clears the account's count: the agent is not slowed down next time.
    assert _try(db_engine, clock, "sophie", PASSWORD, agent_desk).agent is not None


def test_delays_grow_and_unknown_usernames_are_throttled_alike(
    db_engine: Engine, cheap_argon2: None
) -> None:
    _agent(db_engine)
    clock = Clock()
    sophie = _guess_until_heard(db_engine, clock, "sophie", "198.51.100.1", heard=7)
    ghost = _guess_until_heard(db_engine, clock, "ghost", "198.51.100.2", heard=7)
    # The same pattern whether the account exists or not: nothing to learn from the throttle.
    assert sophie == ghost
    assert sophie == [1, 2, 4, 8]  # free attempts first, then doubling delays


def test_production_refuses_demo_accounts(db_engine: Engine, cheap_argon2: None) -> None:
    with session_scope(db_engine) as session:
        create_agent(
            session=session, username="sophie", display_name="S D", password=PASSWORD, demo=True
        )
    with session_scope(db_engine) as session:
        assert (
            sign_in(
                session=session, username="sophie", password=PASSWORD, client="x", production=True
            ).token
            is None
        )
    with session_scope(db_engine) as session:
        result = sign_in(
            session=session,
            username="sophie",
            password=PASSWORD,
            client="x",
            asked="/agent/claims",
            production=False,
        )
        # Asked for the claims console without the role: lands on the chat console.
        assert result.token and result.landing == "/agent"


def test_a_session_checked_often_is_written_once_a_minute(
    db_engine: Engine, cheap_argon2: None
) -> None:
    """Each console event and each open tab's re-check resolves the session; only a check a
    minute after the last slide writes (the rest are reads), and the expiry still slides."""
    policy = SessionPolicy(idle_timeout=timedelta(minutes=30), absolute_max=timedelta(hours=10))
    t0 = now_utc()
    agent, token = _signed_in(db_engine, policy, t0)

    def check(after: timedelta) -> tuple[datetime, datetime]:
        with session_scope(db_engine) as session:
            assert resolve_agent_session(
                session=session, token=token, policy=policy, now=t0 + after
            )
        with session_scope(db_engine) as session:
            row = session.exec(select(AgentSession).where(AgentSession.agent_id == agent.id)).one()
            return as_aware(row.last_seen_at), as_aware(row.expires_at)

    for seconds in (20, 40, 59):
        assert check(timedelta(seconds=seconds)) == (t0, t0 + timedelta(minutes=30))
    seen, expires = check(timedelta(seconds=61))
    assert (seen, expires) == (t0 + timedelta(seconds=61), t0 + timedelta(seconds=61 + 30 * 60))
    # 30 minutes after the last slide (not after the last check) it has expired.
    with session_scope(db_engine) as session:
        late = t0 + timedelta(seconds=61 + 30 * 60)
        assert resolve_agent_session(session=session, token=token, policy=policy, now=late) is None


def test_sessions_slide_and_expire(db_engine: Engine, cheap_argon2: None) -> None:
    policy = SessionPolicy(idle_timeout=timedelta(minutes=30), absolute_max=timedelta(hours=2))
    t0 = now_utc()
    agent, token = _signed_in(db_engine, policy, t0)
    with session_scope(db_engine) as session:
        assert resolve_agent_session(session=session, token="forged", policy=policy, now=t0) is None
        # Activity every 20 minutes keeps it alive ...
        for minutes in (20, 40, 60, 80, 100):
            assert (
                resolve_agent_session(
                    session=session, token=token, policy=policy, now=t0 + timedelta(minutes=minutes)
                )
                is not None
            )
    with session_scope(db_engine) as session:
        # ... but never past the absolute maximum.
        assert (
            resolve_agent_session(
                session=session, token=token, policy=policy, now=t0 + timedelta(minutes=121)
            )
            is None
        )
        idle_token = create_agent_session(session=session, agent=agent, policy=policy, now=t0)
        assert (
            resolve_agent_session(
                session=session, token=idle_token, policy=policy, now=t0 + timedelta(minutes=31)
            )
            is None
        )
        live = create_agent_session(session=session, agent=agent, policy=policy, now=t0)
        assert revoke_agent_session(session=session, token=live)
        assert resolve_agent_session(session=session, token=live, policy=policy, now=t0) is None
        other = create_agent_session(session=session, agent=agent, policy=policy, now=t0)
        assert revoke_all_agent_sessions(session=session, agent_id=agent.id) >= 1
        assert resolve_agent_session(session=session, token=other, policy=policy, now=t0) is None


def test_require_role(db_engine: Engine, cheap_argon2: None) -> None:
    _agent(db_engine)
    _agent(db_engine, "marc", roles=(Role.CLAIMS_HANDLER,))
    with session_scope(db_engine) as session:
        sophie = get_agent_by_username(session=session, username="sophie")
        marc = get_agent_by_username(session=session, username="marc")
        assert sophie is not None and marc is not None
        s_token = create_agent_session(session=session, agent=sophie)
        m_token = create_agent_session(session=session, agent=marc)
    with session_scope(db_engine) as session:
        assert require_role(session=session, session_token=s_token, role=Role.AGENT).id == sophie.id
        with pytest.raises(NotAuthorized):
            require_role(session=session, session_token=m_token, role=Role.AGENT)
        with pytest.raises(NotAuthenticated):
            require_role(session=session, session_token=None, role=Role.AGENT)
        with pytest.raises(NotAuthenticated):
            require_role(session=session, session_token="expired-or-forged", role=Role.ADMIN)


def test_cli_create_and_seed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cheap_argon2: None
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert (
        agents_cli(
            [
                "--database-url",
                url,
                "create",
                "--username",
                "u1",
                "--name",
                "Anne Peeters",
                "--role",
                "agent",
                "--languages",
                "fr,nl",
                "--password-stdin",
            ]
        )
        == 0
    )
    monkeypatch.setenv("CW_DEMO_PASSWORD", "demo-password-123")
    assert agents_cli(["--database-url", url, "seed-demo"]) == 0
    assert agents_cli(["--database-url", url, "seed-demo"]) == 0  # idempotent
    for production in ("production", ""):  # unset CW_ENV is production
        monkeypatch.setenv("CW_ENV", production)
        assert agents_cli(["--database-url", url, "seed-demo"]) == 2
    monkeypatch.setenv("CW_ENV", "test")
    engine = make_engine(url)
    with session_scope(engine) as session:
        auth = PasswordAuthenticator(session)
        anne = auth.authenticate("u1", "a long enough password", "x").agent
        assert anne is not None and anne.languages == ["fr", "nl"] and not anne.demo
        admin = auth.authenticate("admin", "demo-password-123", "x").agent
        assert admin is not None and "admin" in admin.roles and admin.demo
    engine.dispose()
