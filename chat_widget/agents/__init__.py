"""Bank employees: accounts, sign-in (the bank's identity provider; local passwords for the demo
and tests), sessions."""

from __future__ import annotations

from chat_widget.agents.accounts import (
    SUPPORTED_LANGUAGES,
    agents_with_presence,
    create_agent,
    get_agent,
    get_agent_by_username,
    set_password,
    set_presence,
)
from chat_widget.agents.auth import Authenticator, LoginOutcome, PasswordAuthenticator
from chat_widget.agents.console import (
    LoginNotice,
    landing_page,
    login_notice,
    may_open,
    opens_a_page,
    roles_of_session,
    sign_in,
)
from chat_widget.agents.errors import NotAuthenticated, NotAuthorized
from chat_widget.agents.records import Agent, AgentSession, LoginThrottle, Presence, Role
from chat_widget.agents.sessions import (
    SessionPolicy,
    create_agent_session,
    require_role,
    resolve_agent_session,
    revoke_agent_session,
    revoke_all_agent_sessions,
)
from chat_widget.agents.throttle import ThrottlePolicy

__all__ = [
    "SUPPORTED_LANGUAGES",
    "Agent",
    "AgentSession",
    "Authenticator",
    "LoginOutcome",
    "LoginThrottle",
    "NotAuthenticated",
    "NotAuthorized",
    "PasswordAuthenticator",
    "Presence",
    "Role",
    "SessionPolicy",
    "ThrottlePolicy",
    "agents_with_presence",
    "create_agent",
    "create_agent_session",
    "get_agent",
    "get_agent_by_username",
    "landing_page",
    "login_notice",
    "LoginNotice",
    "may_open",
    "opens_a_page",
    "require_role",
    "resolve_agent_session",
    "revoke_agent_session",
    "revoke_all_agent_sessions",
    "roles_of_session",
    "set_password",
    "set_presence",
    "sign_in",
]
