from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.agents import Presence, Role, create_agent, set_presence
from chat_widget.domain.models import Customer
from chat_widget.live_chat import request_chat


def make_customer(engine: Engine) -> str:
    with session_scope(engine) as session:
        customer = Customer()
        session.add(customer)
        session.flush()
        return customer.id


def make_agent(
    engine: Engine,
    username: str,
    languages: Sequence[str] = ("fr",),
    *,
    capacity: int = 3,
    roles: Sequence[str] = (Role.AGENT,),
    presence: str = Presence.AVAILABLE,
) -> str:
    """SSO-style account (no password) to keep argon2 out of these tests."""
    with session_scope(engine) as session:
        agent = create_agent(
            session=session,
            username=username,
            display_name=f"{username.title()} Test",
            password=None,
            roles=roles,
            languages=languages,
            capacity=capacity,
        )
        set_presence(session=session, agent_id=agent.id, presence=presence)
        return agent.id


def make_chat(
    engine: Engine,
    customer_id: str,
    locale: str = "fr",
    *,
    now: datetime | None = None,
    topic: str | None = "cards",
    summary: str | None = None,
) -> str:
    with session_scope(engine) as session:
        return request_chat(
            session=session,
            customer_id=customer_id,
            locale=locale,
            topic=topic,
            page_url="https://bank.test/cards",
            handover_summary=summary,
            now=now,
        ).id
