"""One assistant turn, end to end: guard → store → understand → answer → store → review.

Plain Python: the Reflex layer hands in how to reach the database (``run_db``), the classifier
and, when configured, an LLM completer, and renders what comes back. Assistant conversations
are recorded to improve the assistant (the notice says so); blocked text (PINs, codes,
passwords, card numbers) is never stored.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session

from chat_widget import conversations
from chat_widget.assistant import dialogue, llm, review
from chat_widget.assistant.dialogue import ConversationState, PredictionLike, Reply
from chat_widget.assistant.summary import extractive_summary
from chat_widget.domain.models import AuthorKind, Channel, Conversation, Message
from chat_widget.guard import engine as guard
from chat_widget.observability import metrics

T = TypeVar("T")
RunDb = Callable[[Callable[[Session], T]], Awaitable[T]]
Classify = Callable[[str, str | None], Awaitable[PredictionLike]]

MAX_TEXT = 2000


@dataclass(frozen=True)
class TurnOutcome:
    """What the widget shows after a customer's message."""

    conversation_id: str | None
    blocked_kinds: tuple[str, ...] = ()
    too_long: bool = False
    messages: tuple[Message, ...] = ()
    reply: Reply | None = None


def dialogue_state_of(messages: Sequence[Message]) -> ConversationState:
    """The dialogue state saved with the last assistant message (resuming after a reload)."""
    for message in reversed(messages):
        saved = message.meta.get("dialogue") if message.meta else None
        if isinstance(saved, dict):
            return ConversationState.from_dict(saved)
    return ConversationState()


def offered_quick_replies(messages: Sequence[Message]) -> dict[str, str]:
    """payload → label of every quick reply the assistant offered in this conversation.

    A quick reply is only ever one of these: the label stored as the customer's message is the
    one the server offered (never text sent by the browser, which the guard did not screen),
    and a payload it never offered is refused."""
    offered: dict[str, str] = {}
    for message in messages:
        if message.author_kind != AuthorKind.ASSISTANT or not message.meta:
            continue
        reply = message.meta.get("reply")
        for quick in reply.get("quick_replies", []) if isinstance(reply, dict) else []:
            if isinstance(quick, dict) and isinstance(quick.get("payload"), str):
                offered[quick["payload"]] = str(quick.get("label", ""))
    return offered


def _abandon(task: asyncio.Future[Any]) -> None:
    """Drop a prediction no one will read (its failure, if any, is not an error then)."""
    if not task.cancel() and not task.cancelled():
        task.exception()


class AssistantChat:
    def __init__(
        self,
        *,
        run_db: RunDb[Any],
        classify: Classify,
        completer: llm.ChatCompleter | None = None,
        agent_locale: str = "fr",
    ) -> None:
        self._run_db = run_db
        self._classify = classify
        self._completer = completer
        self._agent_locale = agent_locale

    async def history(self, *, customer_id: str) -> tuple[str | None, list[Message]]:
        """The customer's latest assistant conversation and its messages, oldest first."""

        def work(session: Session) -> tuple[str | None, list[Message]]:
            found = conversations.conversations_for_customer(
                session=session, customer_id=customer_id, channel=Channel.ASSISTANT
            )
            if not found:
                return None, []
            latest = found[0]
            return latest.id, conversations.messages_since(
                session=session, conversation_id=latest.id
            )

        result: tuple[str | None, list[Message]] = await self._run_db(work)
        return result

    async def ask(
        self,
        *,
        customer_id: str,
        conversation_id: str | None,
        text: str,
        client_msg_id: str,
        locale: str,
        live_chat_open: bool,
        topic: str | None = None,
        page_url: str | None = None,
    ) -> TurnOutcome:
        text = text.strip()
        if not text:
            return TurnOutcome(conversation_id)
        if len(text) > MAX_TEXT:
            return TurnOutcome(conversation_id, too_long=True)
        stored_text, blocked_kinds = guard.screen(text, locale)
        if stored_text is None:
            # Never stored, never logged: only the kinds go back to explain the refusal.
            return TurnOutcome(conversation_id, blocked_kinds=tuple(blocked_kinds))

        # The model needs only the text: it runs (in its own process) while the question is
        # stored, instead of after it: one wait fewer per question under load.
        predicting = asyncio.ensure_future(self._classify(stored_text, locale))
        try:
            conv_id, customer_msg, state, duplicate = await self._run_db(
                lambda s: self._store_customer(
                    s,
                    customer_id,
                    conversation_id,
                    stored_text,
                    client_msg_id,
                    locale,
                    topic,
                    page_url,
                )
            )
        except BaseException:
            _abandon(predicting)
            raise
        if duplicate is not None:
            # A resend after a dropped connection: the answer already exists, show it again.
            _abandon(predicting)
            return TurnOutcome(conv_id, messages=(customer_msg, *duplicate))

        prediction = await predicting
        # Answer in the language the customer wrote in (detected by the classifier; the
        # widget's locale when the text is too short to tell) and offer to switch the widget.
        reply_locale = getattr(prediction, "lang", None) or locale
        reply = dialogue.answer(
            stored_text,
            reply_locale,
            prediction,
            live_chat_open=live_chat_open,
            state=state,
            widget_locale=locale,
        )
        metrics.assistant_question(reply.kind)
        reply = await llm.rephrase_reply(reply, stored_text, self._completer)
        answer_msg = await self._run_db(
            lambda s: self._store_reply(s, conv_id, reply, state, locale)
        )
        return TurnOutcome(conv_id, messages=(customer_msg, answer_msg), reply=reply)

    async def choose(
        self,
        *,
        customer_id: str,
        conversation_id: str,
        payload: str,
        locale: str,
        live_chat_open: bool,
    ) -> TurnOutcome:
        """A quick reply the assistant offered: shown as the customer's message (with the
        offered label), answered without classification. Anything else is ignored."""

        def load(session: Session) -> tuple[ConversationState, str] | None:
            conv = conversations.get_conversation_for_customer(
                session=session, customer_id=customer_id, conversation_id=conversation_id
            )
            if conv is None:
                return None
            msgs = conversations.messages_since(session=session, conversation_id=conv.id)
            label = offered_quick_replies(msgs).get(payload)
            return (dialogue_state_of(msgs), label) if label is not None else None

        found: tuple[ConversationState, str] | None = await self._run_db(load)
        if found is None:
            return TurnOutcome(None)
        state, label = found
        customer_msg = await self._run_db(
            lambda s: conversations.append_message(
                session=s,
                conversation_id=conversation_id,
                client_msg_id=uuid.uuid4().hex,
                author_kind=AuthorKind.CUSTOMER,
                author_id=customer_id,
                body=label[:200],
                meta={"quick_reply": payload[:100]},
            )[0]
        )
        reply = dialogue.choose(payload, locale, live_chat_open=live_chat_open, state=state)
        answer_msg = await self._run_db(
            lambda s: self._store_reply(s, conversation_id, reply, state, locale)
        )
        return TurnOutcome(conversation_id, messages=(customer_msg, answer_msg), reply=reply)

    async def feedback(
        self,
        *,
        customer_id: str,
        conversation_id: str,
        helpful: bool,
        locale: str,
        live_chat_open: bool,
    ) -> TurnOutcome:
        conv, state = await self._own_conversation(customer_id, conversation_id)
        if conv is None:
            return TurnOutcome(None)
        if helpful:
            dialogue.helpful(state)
            await self._run_db(lambda s: self._save_state(s, conversation_id, state, locale))
            return TurnOutcome(conversation_id)
        reply = dialogue.not_helpful(locale, live_chat_open=live_chat_open, state=state)
        answer_msg = await self._run_db(
            lambda s: self._store_reply(s, conversation_id, reply, state, locale)
        )
        return TurnOutcome(conversation_id, messages=(answer_msg,), reply=reply)

    async def handover_summary(self, *, customer_id: str, conversation_id: str) -> str | None:
        """The summary an employee receives when the customer moves to live chat."""

        def work(session: Session) -> str | None:
            conv = conversations.get_conversation_for_customer(
                session=session, customer_id=customer_id, conversation_id=conversation_id
            )
            return conv.summary if conv else None

        result: str | None = await self._run_db(work)
        return result

    async def _own_conversation(
        self, customer_id: str, conversation_id: str
    ) -> tuple[Conversation | None, ConversationState]:
        """The conversation if this customer owns it (None otherwise) and its dialogue state."""

        def load(session: Session) -> tuple[Conversation | None, ConversationState]:
            conv = conversations.get_conversation_for_customer(
                session=session, customer_id=customer_id, conversation_id=conversation_id
            )
            if conv is None:
                return None, ConversationState()
            msgs = conversations.messages_since(session=session, conversation_id=conv.id)
            return conv, dialogue_state_of(msgs)

        result: tuple[Conversation | None, ConversationState] = await self._run_db(load)
        return result

    # --- storage helpers (run inside one database session) ----------------------------------

    def _store_customer(
        self,
        session: Session,
        customer_id: str,
        conversation_id: str | None,
        text: str,
        client_msg_id: str,
        locale: str,
        topic: str | None,
        page_url: str | None,
    ) -> tuple[str, Message, ConversationState, tuple[Message, ...] | None]:
        conv = (
            conversations.get_conversation_for_customer(
                session=session, customer_id=customer_id, conversation_id=conversation_id
            )
            if conversation_id
            else None
        )
        if conv is None:
            conv = conversations.start_conversation(
                session=session,
                customer_id=customer_id,
                channel=Channel.ASSISTANT,
                locale=locale,
                topic=topic,
                page_url=page_url,
            )
        message, created = conversations.append_message(
            session=session,
            conversation_id=conv.id,
            client_msg_id=client_msg_id,
            author_kind=AuthorKind.CUSTOMER,
            author_id=customer_id,
            body=text,
        )
        history = conversations.messages_since(session=session, conversation_id=conv.id)
        state = dialogue_state_of(history)
        if not created:
            later = tuple(m for m in history if m.seq > message.seq)
            return conv.id, message, state, later
        return conv.id, message, state, None

    def _store_reply(
        self,
        session: Session,
        conversation_id: str,
        reply: Reply,
        state: ConversationState,
        locale: str,
    ) -> Message:
        message, _ = conversations.append_message(
            session=session,
            conversation_id=conversation_id,
            client_msg_id=f"assistant-{uuid.uuid4().hex}",
            author_kind=AuthorKind.ASSISTANT,
            author_id=None,
            body=reply.text,
            meta={"reply": reply.to_dict(), "dialogue": state.to_dict()},
        )
        review.record_from_reply(session=session, reply=reply, conversation_id=conversation_id)
        self._save_summary(session, conversation_id, state, locale)
        return message

    def _save_state(
        self, session: Session, conversation_id: str, state: ConversationState, locale: str
    ) -> None:
        msgs = conversations.messages_since(session=session, conversation_id=conversation_id)
        for message in reversed(msgs):
            if message.author_kind == AuthorKind.ASSISTANT:
                message.meta = {**message.meta, "dialogue": state.to_dict()}
                session.add(message)
                break
        self._save_summary(session, conversation_id, state, locale)

    def _save_summary(
        self, session: Session, conversation_id: str, state: ConversationState, locale: str
    ) -> None:
        conv = conversations.get_conversation(session=session, conversation_id=conversation_id)
        if conv is None:
            return
        summary = extractive_summary(
            state.turns, customer_locale=locale, agent_locale=self._agent_locale
        )
        conv.summary = summary.agent_text
        session.add(conv)
