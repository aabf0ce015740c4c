"""Signing in to the console: which page an employee lands on, and the sign-in use case.

The HTTP layer (``web.console_session``) owns the cookie; this module owns the rules: which
roles open which console page, where a sign-in lands (the page that was asked for if the roles
allow it, else the employee's own console), and that local passwords never sign anyone in in
production: there employees sign in with the bank's identity provider (agents.directory).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


#: ``?error=…`` of the login page (set by the login endpoints) → the catalog key it shows.
LOGIN_ERRORS = {
    "invalid": "agent.login_failed",
    "sso": "agent.sso_failed",
    "norole": "agent.sso_norole",
}


@dataclass(frozen=True)
class LoginNotice:
    """What the login page says, from its query parameters."""

    key: str = ""  # a catalog key, "" for nothing
    wait: str = ""  # seconds to wait, for "agent.login_wait"
    #: nothing to report and single sign-on is the only way in: go on to the provider
    to_provider: bool = False


def login_notice(params: Mapping[str, str], *, sso: bool, passwords: bool) -> LoginNotice:
    """Why the last attempt failed, or that the employee signed out. Only a page with nothing
    to report goes straight on to the identity provider: it would sign the employee straight
    back in after a sign-out, and a failure would loop."""
    error = params.get("error", "")
    seconds = params.get("seconds", "")
    if error == "wait" and seconds.isdigit():
        return LoginNotice("agent.login_wait", seconds)
    if error in LOGIN_ERRORS:
        return LoginNotice(LOGIN_ERRORS[error])
    if params.get("signed_out"):
        return LoginNotice("agent.signed_out")
    return LoginNotice(to_provider=sso and not passwords)
