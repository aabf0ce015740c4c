"""Who may see supervisor figures: supervisors and admins, checked on every read."""

from __future__ import annotations

from sqlmodel import Session

from chat_widget import agents
from chat_widget.agents.records import Agent, Role

SUPERVISOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)


class NotSupervisor(Exception):
    """Signed in, but without a role that may see supervisor figures."""


def supervisor_of(*, session: Session, token: str) -> Agent:
    """The console session's employee if they are a supervisor or an admin (slides the
    session's idle expiry, like every console check).

    Raises ``agents.NotAuthenticated`` (no valid session) or :class:`NotSupervisor`."""
    for role in SUPERVISOR_ROLES:
        try:
            return agents.require_role(session=session, session_token=token, role=role)
        except agents.NotAuthorized:
            continue
    raise NotSupervisor
