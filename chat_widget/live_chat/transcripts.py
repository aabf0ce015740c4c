"""Transcripts as plain text: downloaded by the customer, opened (and audited) by employees.

Internal notes are never part of a transcript. Text is plain: whoever renders it in HTML
escapes it like any message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlmodel import Session, col, select

from chat_widget.agents.records import Agent, Role
from chat_widget.audit import record
from chat_widget.conversations import (
    get_conversation,
    get_conversation_for_customer,
    messages_since,
)
from chat_widget.domain.clock import as_aware
from chat_widget.domain.models import AuthorKind, Conversation, Message
from chat_widget.i18n import pick_locale
from chat_widget.live_chat.attachments import attachment_of, human_size
from chat_widget.live_chat.errors import ChatNotFound, LiveChatError, NotAssignedAgent
from chat_widget.live_chat.records import ChatRequest
from chat_widget.live_chat.texts import text

ZONE = ZoneInfo("Europe/Brussels")
#: Roles that may open any customer's transcript (with a reason, audited).
TRANSCRIPT_ROLES = frozenset({Role.ADMIN.value, Role.CLAIMS_HANDLER.value})
MIN_REASON = 3


def render_transcript(
    conversation: Conversation,
    messages: Iterable[Message],
    *,
    locale: str | None = None,
    for_customer: bool = True,
    agent_names: Mapping[str, str] | None = None,
) -> str:
    lang = pick_locale(locale or conversation.locale)
    names = agent_names or {}
    started = as_aware(conversation.created_at).astimezone(ZONE)
    lines = [text("transcript.title", lang, date=format_date(started, "long", locale=lang)), ""]
    for message in messages:
        when = format_time(as_aware(message.created_at).astimezone(ZONE), "HH:mm", locale=lang)
        if message.author_kind == AuthorKind.CUSTOMER:
            who = text(
                "transcript.customer" if for_customer else "transcript.customer_for_agent", lang
            )
        elif message.author_kind == AuthorKind.AGENT:
            who = text("transcript.agent", lang)
            name = names.get(message.author_id or "")
            if name:
                who = f"{who} {name}"
        elif message.author_kind == AuthorKind.ASSISTANT:
            who = text("transcript.assistant", lang)
        else:
            who = text("transcript.system", lang)
        attachment = attachment_of(message)
        if attachment is not None:
            # The name only, never the bytes: the file itself is in the data export.
            body = text(
                "transcript.attachment",
                lang,
                name=str(attachment.get("name") or message.body),
                size=human_size(int(attachment.get("size") or 0), lang),
            )
        else:
            body = message.body.replace("\r\n", "\n").replace("\n", "\n    ")
        lines.append(f"[{when}] {who}: {body}")
    return "\n".join(lines) + "\n"


def _agent_names(session: Session, messages: list[Message]) -> dict[str, str]:
    ids = {m.author_id for m in messages if m.author_kind == AuthorKind.AGENT and m.author_id}
    if not ids:
        return {}
    agents = session.exec(select(Agent).where(col(Agent.id).in_(ids))).all()
    return {a.id: a.first_name for a in agents}


def customer_transcript(*, session: Session, customer_id: str, conversation_id: str) -> str:
    """The customer's own conversation as text; another customer's id gives ChatNotFound."""
    conversation = get_conversation_for_customer(
        session=session, customer_id=customer_id, conversation_id=conversation_id
    )
    if conversation is None:
        raise ChatNotFound(conversation_id)
    messages = messages_since(session=session, conversation_id=conversation_id, after_seq=0)
    return render_transcript(
        conversation, messages, for_customer=True, agent_names=_agent_names(session, messages)
    )


def _may_open(session: Session, agent: Agent, conversation: Conversation) -> bool:
    if TRANSCRIPT_ROLES & set(agent.roles):
        return True
    if Role.AGENT.value not in agent.roles:
        return False
    # An agent sees a customer's history only while serving that customer.
    query = select(ChatRequest).where(
        ChatRequest.agent_id == agent.id,
        ChatRequest.customer_id == conversation.customer_id,
        col(ChatRequest.closed_at).is_(None),
    )
    return session.exec(query).first() is not None


def open_transcript(*, session: Session, agent_id: str, conversation_id: str, reason: str) -> str:
    """An employee opens a transcript: the audit event is COMMITTED before the text is returned.

    Allowed for the agent currently serving that customer, and for admins/claims handlers.
    """
    why = reason.strip()
    if len(why) < MIN_REASON:
        raise ValueError("a reason is required to open a transcript")
    agent = session.get(Agent, agent_id)
    if agent is None or not agent.active:
        raise NotAssignedAgent(agent_id)
    conversation = get_conversation(session=session, conversation_id=conversation_id)
    if conversation is None:
        raise ChatNotFound(conversation_id)
    if not _may_open(session, agent, conversation):
        raise NotAssignedAgent(f"{agent.username} may not open {conversation_id}")
    record(
        session=session,
        actor_kind="agent",
        actor_id=agent.id,
        action="transcript.open",
        target_type="conversation",
        target_id=conversation_id,
        reason=why,
        details={"channel": conversation.channel, "customer_id": conversation.customer_id},
    )
    session.commit()
    messages = messages_since(session=session, conversation_id=conversation_id, after_seq=0)
    return render_transcript(
        conversation,
        messages,
        locale=conversation.locale,
        for_customer=False,
        agent_names=_agent_names(session, messages),
    )


@dataclass(frozen=True)
class ConsoleTranscript:
    """What the console shows after asking for a transcript: its text, or why not (a key of
    the console's catalog)."""

    text: str = ""
    error_key: str = ""


def reason_too_short(reason: str) -> bool:
    """The console says so before asking: the audit needs a reason someone can read."""
    return len(reason.strip()) < MIN_REASON


def transcript_for_console(
    *, session: Session, agent_id: str, conversation_id: str, reason: str
) -> ConsoleTranscript:
    """The console's "open transcript" use case: a short reason is refused without a read,
    anything the rules refuse (not the agent's customer, unknown chat) reads as denied."""
    if reason_too_short(reason):
        return ConsoleTranscript(error_key="agent.transcript_reason_short")
    try:
        text = open_transcript(
            session=session, agent_id=agent_id, conversation_id=conversation_id, reason=reason
        )
    except (LiveChatError, ValueError):
        return ConsoleTranscript(error_key="agent.transcript_denied")
    return ConsoleTranscript(text=text)
