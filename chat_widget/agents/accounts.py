"""Employee accounts: create, look up, presence."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from chat_widget.agents.passwords import hash_password
from chat_widget.agents.records import Agent, Presence, Role
from chat_widget.domain.clock import utcnow
from chat_widget.i18n import LOCALES

SUPPORTED_LANGUAGES = LOCALES


def normalize_username(username: str) -> str:
    return username.strip().lower()


def create_agent(
    *,
    session: Session,
    username: str,
    display_name: str,
    password: str | None,
    roles: Iterable[str] = (Role.AGENT,),
    languages: Iterable[str] = ("fr",),
    capacity: int = 3,
    first_name: str | None = None,
    demo: bool = False,
) -> Agent:
    """Create an account (flushed). ``password=None`` makes an SSO-only account."""
    role_list = [str(Role(r)) for r in roles]
    language_list = [lang.strip().lower() for lang in languages if lang.strip()]
    unknown = set(language_list) - set(SUPPORTED_LANGUAGES)
    if unknown:
        raise ValueError(f"unsupported languages: {sorted(unknown)}")
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    name = normalize_username(username)
    if not name:
        raise ValueError("username is required")
    if get_agent_by_username(session=session, username=name) is not None:
        raise ValueError(f"username already exists: {name}")
    agent = Agent(
        username=name,
        display_name=display_name.strip(),
        first_name=(first_name or display_name.strip().split(" ")[0]).strip(),
        password_hash=hash_password(password) if password is not None else None,
        roles=role_list,
        languages=language_list,
        capacity=capacity,
        demo=demo,
    )
    session.add(agent)
    session.flush()
    return agent


def get_agent(*, session: Session, agent_id: str) -> Agent | None:
    return session.get(Agent, agent_id)


def get_agent_by_username(*, session: Session, username: str) -> Agent | None:
    query = select(Agent).where(Agent.username == normalize_username(username))
    return session.exec(query).first()


def set_password(*, session: Session, agent: Agent, password: str) -> None:
    agent.password_hash = hash_password(password)
    session.add(agent)
    session.flush()


def set_presence(*, session: Session, agent_id: str, presence: str) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise LookupError(agent_id)
    agent.presence = str(Presence(presence))
    agent.presence_changed_at = utcnow()
    session.add(agent)
    session.flush()
    return agent


def agents_with_presence(*, session: Session, presence: str = Presence.AVAILABLE) -> list[Agent]:
    query = (
        select(Agent)
        .where(Agent.presence == str(presence), col(Agent.active).is_(True))
        .order_by(col(Agent.username))
    )
    return list(session.exec(query).all())
