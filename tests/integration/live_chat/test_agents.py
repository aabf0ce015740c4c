from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.agents import (
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
)
from chat_widget.agents.__main__ import main as agents_cli
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


def test_password_login(db_engine: Engine) -> None:
    agent_id = _agent(db_engine)
    with session_scope(db_engine) as session:
        auth = PasswordAuthenticator(session)
        agent = auth.authenticate("Sophie ", PASSWORD)
        assert agent is not None and agent.id == agent_id and agent.first_name == "Sophie"
        assert agent.password_hash is not None and agent.password_hash.startswith("$argon2id$")
        assert auth.authenticate("sophie", "wrong password!!") is None
        assert auth.authenticate("nobody", PASSWORD) is None
        assert auth.authenticate("", PASSWORD) is None
    with session_scope(db_engine) as session:
        with pytest.raises(ValueError):
            create_agent(session=session, username="SOPHIE", display_name="x", password=PASSWORD)
        with pytest.raises(ValueError):
            create_agent(session=session, username="short", display_name="x", password="short")


def test_lock_after_failures_then_unlock(db_engine: Engine, cheap_argon2: None) -> None:
    _agent(db_engine)
    clock = Clock()
    policy = ThrottlePolicy(max_failures=5, lock_for=timedelta(minutes=15))
    for _ in range(5):
        with session_scope(db_engine) as session:
            assert (
                PasswordAuthenticator(session, policy, clock).authenticate(
                    "sophie", "nope-nope-nope"
                )
                is None
            )
    with session_scope(db_engine) as session:
        auth = PasswordAuthenticator(session, policy, clock)
        assert auth.locked_until("sophie") is not None
        assert auth.authenticate("sophie", PASSWORD) is None  # right password, but locked
    clock.now += timedelta(minutes=16)
    with session_scope(db_engine) as session:
        auth = PasswordAuthenticator(session, policy, clock)
        assert auth.locked_until("sophie") is None
        assert auth.authenticate("sophie", PASSWORD) is not None
    # Unknown usernames lock the same way (no hint whether an account exists).
    for _ in range(5):
        with session_scope(db_engine) as session:
            PasswordAuthenticator(session, policy, clock).authenticate("ghost", "x" * 12)
    with session_scope(db_engine) as session:
        assert PasswordAuthenticator(session, policy, clock).locked_until("ghost") is not None


def test_sessions_slide_and_expire(db_engine: Engine, cheap_argon2: None) -> None:
    _agent(db_engine)
    policy = SessionPolicy(idle_timeout=timedelta(minutes=30), absolute_max=timedelta(hours=2))
    t0 = now_utc()
    with session_scope(db_engine) as session:
        agent = get_agent_by_username(session=session, username="sophie")
        assert agent is not None
        token = create_agent_session(session=session, agent=agent, policy=policy, now=t0)
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
    engine = make_engine(url)
    with session_scope(engine) as session:
        auth = PasswordAuthenticator(session)
        anne = auth.authenticate("u1", "a long enough password")
        assert anne is not None and anne.languages == ["fr", "nl"]
        admin = auth.authenticate("admin", "demo-password-123")
        assert admin is not None and "admin" in admin.roles
    engine.dispose()
