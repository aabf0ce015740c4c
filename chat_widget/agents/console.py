"""Signing in to the console: which page an employee lands on, and the sign-in use case.

The HTTP layer (``web.console_session``) owns the cookie; this module owns the rules: which
roles open which console page, where a sign-in lands (the page that was asked for if the roles
allow it, else the employee's own console), and that local passwords never sign anyone in in
production: there employees sign in with the bank's identity provider (agents.directory).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from chat_widget.agents.auth import PasswordAuthenticator
from chat_widget.agents.records import Role
from chat_widget.agents.sessions import create_agent_session, resolve_agent_session

CHAT_PAGE = "/agent"
CLAIMS_PAGE = "/agent/claims"
MEETINGS_PAGE = "/agent/meetings"
SUPERVISOR_PAGE = "/agent/supervisor"

#: Each console page and the roles that may open it.
PAGE_ROLES: dict[str, frozenset[str]] = {
    CHAT_PAGE: frozenset({Role.AGENT}),
    MEETINGS_PAGE: frozenset({Role.AGENT}),
    CLAIMS_PAGE: frozenset({Role.CLAIMS_HANDLER, Role.ADMIN}),
    SUPERVISOR_PAGE: frozenset({Role.SUPERVISOR, Role.ADMIN}),
}


def may_open(roles: Iterable[str], page: str) -> bool:
    allowed = PAGE_ROLES.get(page.rstrip("/") or page)
    return allowed is not None and bool(allowed & set(roles))


def opens_a_page(roles: Iterable[str]) -> bool:
    """Whether the roles open any console page: signing in an employee whose roles open none
    would only send them round between the login page and a refusal."""
    return any(may_open(roles, page) for page in PAGE_ROLES)


def landing_page(roles: Iterable[str], asked: str = "") -> str:
    """The asked page when the roles allow it; otherwise the employee's own console."""
    held = set(roles)
    if asked and may_open(held, asked):
        return asked.rstrip("/") or asked
    if Role.AGENT in held:
        return CHAT_PAGE
    if held & PAGE_ROLES[CLAIMS_PAGE]:
        return CLAIMS_PAGE
    if held & PAGE_ROLES[SUPERVISOR_PAGE]:
        # A supervisor who does not take chats themselves would otherwise bounce between the
        # chat console (refused) and the login page.
        return SUPERVISOR_PAGE
    return CHAT_PAGE


@dataclass(frozen=True)
class SignInResult:
    token: str | None
    landing: str = ""
    retry_after: int = 0


def sign_in(
    *,
    session: Session,
    username: str,
    password: str,
    client: str,
    asked: str = "",
    production: bool,
) -> SignInResult:
    """Check the credentials (throttled) and open a console session.

    Production refuses every local password: employees there hold no password of ours."""
    if production:
        return SignInResult(None)
    outcome = PasswordAuthenticator(session=session, allow_demo=not production).authenticate(
        username, password, client
    )
    if outcome.agent is None or not opens_a_page(outcome.agent.roles):
        return SignInResult(None, retry_after=outcome.retry_after)
    token = create_agent_session(session=session, agent=outcome.agent)
    return SignInResult(token, landing_page(outcome.agent.roles, asked))


def roles_of_session(*, session: Session, token: str) -> list[str] | None:
    """The roles behind a live console session (None when it is not one)."""
    agent = resolve_agent_session(session=session, token=token)
    return list(agent.roles) if agent is not None else None
