"""What the console's side panel may show about the customer being served.

Only what the privacy notice allows: topic and page, the assistant's handover summary,
device data only with a recorded consent, and the list of earlier sessions with their
summaries (their transcripts are opened separately through ``open_transcript``, audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from chat_widget.agents.records import Agent, Role
from chat_widget.conversations import conversations_for_customer, get_conversation
from chat_widget.domain.clock import as_aware
from chat_widget.live_chat.errors import ChatNotFound, NotAssignedAgent
from chat_widget.live_chat.records import ChatRequest
from chat_widget.privacy.device import device_data_for_agent, device_data_visible


@dataclass(frozen=True)
class EarlierSession:
    conversation_id: str
    channel: str
    status: str
    started_at: datetime
    topic: str | None
    summary: str | None


@dataclass(frozen=True)
class CustomerContext:
    conversation_id: str
    customer_id: str
    language: str
    topic: str | None
    page_url: str | None
    handover_summary: str | None  # the assistant's summary when it handed over
    device_data_visible: bool
    earlier_sessions: list[EarlierSession]
    device_data: dict[str, str] = field(default_factory=dict)  # empty unless consented


def customer_context(*, session: Session, agent_id: str, conversation_id: str) -> CustomerContext:
    """The side panel for a chat the agent holds (admins may look at any)."""
    request = session.get(ChatRequest, conversation_id)
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    if request is None or conversation is None:
        raise ChatNotFound(conversation_id)
    agent = session.get(Agent, agent_id)
    if agent is None or not agent.active:
        raise NotAssignedAgent(agent_id)
    if request.agent_id != agent.id and Role.ADMIN.value not in agent.roles:
        raise NotAssignedAgent(f"{agent.username} does not hold {conversation_id}")
    handover = request.handover_summary
    if handover is None and request.source_conversation_id:
        source = get_conversation(session=session, conversation_id=request.source_conversation_id)
        if source is not None and source.customer_id == conversation.customer_id:
            handover = source.summary
    earlier = [
        EarlierSession(
            conversation_id=c.id,
            channel=c.channel,
            status=c.status,
            started_at=as_aware(c.created_at),
            topic=c.topic,
            summary=c.summary,
        )
        for c in conversations_for_customer(session=session, customer_id=conversation.customer_id)
        if c.id != conversation_id
    ]
    return CustomerContext(
        conversation_id=conversation_id,
        customer_id=conversation.customer_id,
        language=request.language,
        topic=conversation.topic,
        page_url=conversation.page_url,
        handover_summary=handover,
        device_data_visible=device_data_visible(
            session=session, customer_id=conversation.customer_id
        ),
        earlier_sessions=earlier,
        device_data=device_data_for_agent(session=session, customer_id=conversation.customer_id),
    )
