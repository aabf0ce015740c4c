"""Bank employees: accounts, password login behind an ``Authenticator`` protocol, sessions."""

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
from chat_widget.agents.auth import Authenticator, PasswordAuthenticator, ThrottlePolicy
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

__all__ = [
    "SUPPORTED_LANGUAGES",
    "Agent",
    "AgentSession",
    "Authenticator",
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
    "require_role",
    "resolve_agent_session",
    "revoke_agent_session",
    "revoke_all_agent_sessions",
    "set_password",
    "set_presence",
]
