"""The customer pane: only the agent holding the chat sees the customer's claims and meetings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.claims.records import Claim
from chat_widget.live_chat import NotAssignedAgent, accept
from chat_widget.live_chat.canned import customer_first_name
from chat_widget.live_chat.customer_pane import customer_overview
from chat_widget.meetings.records import MeetingAppointment

from .helpers import make_agent, make_chat, make_customer

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_overview_is_scoped_and_leaves_drafts_out(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    other = make_customer(db_engine)
    conv_id = make_chat(db_engine, customer)
    ann = make_agent(db_engine, "ann")
    bob = make_agent(db_engine, "bob")
    with session_scope(db_engine) as session:
        assert customer_first_name(session=session, customer_id=customer) == ""
        session.add(
            Claim(customer_id=customer, reference="R-1", type="car_glass", status="submitted")
        )
        session.add(Claim(customer_id=customer, type="home_fire"))  # a draft: no reference
        session.add(Claim(customer_id=other, reference="R-2", type="car_glass"))
        session.add(
            MeetingAppointment(
                customer_id=customer,
                topic="daily_banking",
                locale="fr",
                customer_name="  Léa   Martin ",
                start_utc=START,
                end_utc=START + timedelta(minutes=30),
                staff_id="s",
                advisor_first_name="Anne",
            )
        )
        assert accept(session=session, agent_id=ann, conversation_id=conv_id)
    with session_scope(db_engine) as session:
        with pytest.raises(NotAssignedAgent):
            customer_overview(session=session, agent_id=bob, conversation_id=conv_id)
        overview = customer_overview(session=session, agent_id=ann, conversation_id=conv_id)
        assert not overview.identified
        assert [(c.reference, c.type, c.status) for c in overview.claims] == [
            ("R-1", "car_glass", "submitted")
        ]
        assert [(m.topic, m.status) for m in overview.meetings] == [("daily_banking", "pending")]
        assert customer_first_name(session=session, customer_id=customer) == "Léa"
