"""The console's customer pane beyond the chat itself: who the customer is to the bank (identified
or anonymous) and their claims and video meetings.

Scoped like everything in the console: only the agent holding the chat gets an overview of its
customer. Lines carry references, types, statuses and dates, never a claim's answers or files
(those stay in the claims console, behind its own role and audit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from chat_widget.domain.models import Customer
from chat_widget.live_chat.errors import ChatNotFound, NotAssignedAgent
from chat_widget.live_chat.records import ChatRequest

#: at most this many of each, newest first: the pane is a glance, not a case file
LIMIT = 5


@dataclass(frozen=True)
class ClaimLine:
    reference: str
    type: str
    status: str
    at: datetime


@dataclass(frozen=True)
class MeetingLine:
    start_utc: datetime
    topic: str
    status: str


@dataclass(frozen=True)
class CustomerOverview:
    identified: bool
    claims: list[ClaimLine] = field(default_factory=list)
    meetings: list[MeetingLine] = field(default_factory=list)


def customer_overview(*, session: Session, agent_id: str, conversation_id: str) -> CustomerOverview:
    """For the agent who holds ``conversation_id``: the customer's submitted claims and
    meetings (raw type/status keys; the console translates them)."""
    from chat_widget.claims.records import Claim
    from chat_widget.meetings.records import MeetingAppointment

    request = session.get(ChatRequest, conversation_id)
    if request is None:
        raise ChatNotFound(conversation_id)
    if request.agent_id != agent_id:
        raise NotAssignedAgent(f"{agent_id} does not hold {conversation_id}")
    customer = session.get(Customer, request.customer_id)
    claims = session.exec(
        select(Claim)
        .where(Claim.customer_id == request.customer_id, col(Claim.reference).is_not(None))
        .order_by(col(Claim.created_at).desc())
        .limit(LIMIT)
    ).all()
    meetings = session.exec(
        select(MeetingAppointment)
        .where(MeetingAppointment.customer_id == request.customer_id)
        .order_by(col(MeetingAppointment.start_utc).desc())
        .limit(LIMIT)
    ).all()
    return CustomerOverview(
        identified=bool(customer and customer.external_ref),
        claims=[
            ClaimLine(c.reference or "", c.type, c.status, c.submitted_at or c.created_at)
            for c in claims
        ],
        meetings=[MeetingLine(m.start_utc, m.topic, m.status) for m in meetings],
    )
