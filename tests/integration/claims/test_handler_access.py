"""Who may handle claims in the console: claims handlers and admins, with a live session."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from chat_widget import agents
from chat_widget.adapters.db import session_scope
from chat_widget.agents.records import Role
from chat_widget.ui.agent.claims_state import HandlerDenied, handler_of


def _session_for(engine: Engine, username: str, roles: tuple[Role, ...]) -> tuple[str, str]:
    with session_scope(engine) as session:
        agent = agents.create_agent(
            session=session, username=username, display_name=username, password=None, roles=roles
        )
        return agent.id, agents.create_agent_session(session=session, agent=agent)


def test_claims_handlers_and_admins_only(db_engine: Engine) -> None:
    handler_id, handler = _session_for(db_engine, "marc", (Role.CLAIMS_HANDLER,))
    admin_id, admin = _session_for(db_engine, "root", (Role.ADMIN,))
    _, plain = _session_for(db_engine, "sophie", (Role.AGENT,))
    with session_scope(db_engine) as session:
        assert handler_of(session, handler)[0] == handler_id
        assert handler_of(session, admin)[0] == admin_id
        with pytest.raises(HandlerDenied):
            handler_of(session, plain)
        with pytest.raises(agents.NotAuthenticated):
            handler_of(session, "not-a-session")
    with session_scope(db_engine) as session:
        agents.revoke_agent_session(session=session, token=handler)
    with session_scope(db_engine) as session, pytest.raises(agents.NotAuthenticated):
        handler_of(session, handler)
