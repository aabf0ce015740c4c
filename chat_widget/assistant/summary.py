"""A short summary of an assistant conversation, for the customer and for the agent taking over.

Extractive by default: the intents found, the customer's own questions (masked and shortened),
the answers given (as KB labels), and what is still open. Rendered from templates kept as data in
the customer's language and in the agent's. With an LLM configured the text is rewritten by it,
and the extractive text is used whenever the LLM fails or its output does not pass the checks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from chat_widget.assistant.dialogue import SMALL_TALK, ReplyKind, TurnRecord
from chat_widget.assistant.kb import KnowledgeBase, default_knowledge_base, normalise_locale
from chat_widget.assistant.llm import ChatCompleter, as_quoted_data, check_rephrase, mask_for_llm

log = logging.getLogger(__name__)

MAX_QUESTIONS = 3
MAX_QUESTION_CHARS = 160
UNRESOLVED_KINDS = frozenset(
    {ReplyKind.CLARIFY.value, ReplyKind.OPTIONS.value, ReplyKind.REPHRASE.value}
)


@dataclass(frozen=True)
class Summary:
    topics: tuple[str, ...]  # intents, in order of first appearance
    asked: tuple[str, ...]  # the customer's questions, masked and shortened
    answered: tuple[str, ...]  # intents the assistant answered
    unresolved: tuple[str, ...]  # reason codes: not_understood, not_helpful, handover_*
    customer_locale: str
    agent_locale: str
    customer_text: str
    agent_text: str
    source: str = "extractive"


def _shorten(text: str) -> str:
    # Angle brackets become look-alikes: a quoted "<script>" must stay text in any agent view.
    flat = " ".join(text.split()).replace("<", "‹").replace(">", "›")
    return flat if len(flat) <= MAX_QUESTION_CHARS else flat[: MAX_QUESTION_CHARS - 1] + "…"


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _facts(
    turns: Sequence[TurnRecord], kb: KnowledgeBase
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], list[str], tuple[str, ...]]:
    topics = _unique(
        [
            t.intent
            for t in turns
            if t.intent and kb.has_intent(t.intent) and t.intent not in SMALL_TALK
        ]
    )
    questions = [
        _shorten(mask_for_llm(t.text)) for t in turns if t.role == "customer" and t.text.strip()
    ]
    asked = tuple(questions[-MAX_QUESTIONS:])
    answered = _unique(
        [
            t.intent
            for t in turns
            if t.role == "assistant"
            and t.kind == ReplyKind.ANSWER.value
            and t.intent
            and kb.has_intent(t.intent)
            and t.intent not in SMALL_TALK
        ]
    )
    reasons: list[str] = []
    assistant_turns = [t for t in turns if t.role == "assistant"]
    last_answer = next(
        (t for t in reversed(assistant_turns) if t.kind != ReplyKind.FEEDBACK.value), None
    )
    if last_answer is not None and last_answer.kind in UNRESOLVED_KINDS:
        reasons.append("not_understood")
    if any(t.helpful is False for t in assistant_turns) or any(
        t.kind == ReplyKind.FEEDBACK.value for t in assistant_turns
    ):
        reasons.append("not_helpful")
    if "talk_to_human" in topics:
        reasons.append("handover_requested")
    needing = tuple(i for i in answered if kb.meta(i).handover and i != "talk_to_human")
    if needing:
        reasons.append("handover_needed")
    return topics, asked, answered, reasons, needing


def render(
    *,
    topics: Sequence[str],
    asked: Sequence[str],
    answered: Sequence[str],
    reasons: Sequence[str],
    needing: Sequence[str],
    locale: str,
    kb: KnowledgeBase,
) -> str:
    """The summary text in one locale; customer quotes stay in the language they were typed in."""

    def t(key: str) -> str:
        return kb.template(key, locale)

    def labels(intents: Sequence[str]) -> str:
        return ", ".join(kb.label(i, locale) for i in intents)

    sep = t("separator")
    unresolved_parts = []
    for reason in reasons:
        if reason == "handover_needed":
            unresolved_parts.append(t("reason_handover_needed").format(topics=labels(needing)))
        else:
            unresolved_parts.append(t(f"reason_{reason}"))
    lines = [
        t("title"),
        t("topics").format(topics=labels(topics) or t("none")),
        t("asked").format(asked=" | ".join(f"« {q} »" for q in asked) or t("none")),
        t("answered").format(answered=labels(answered) or t("nothing_answered")),
        t("unresolved").format(unresolved=sep.join(unresolved_parts) or t("nothing_unresolved")),
    ]
    return "\n".join(lines)


def extractive_summary(
    turns: Sequence[TurnRecord],
    *,
    customer_locale: str | None,
    agent_locale: str | None,
    kb: KnowledgeBase | None = None,
) -> Summary:
    kb = kb or default_knowledge_base()
    cust, agent = normalise_locale(customer_locale), normalise_locale(agent_locale)
    topics, asked, answered, reasons, needing = _facts(turns, kb)
    texts = {
        loc: render(
            topics=topics,
            asked=asked,
            answered=answered,
            reasons=reasons,
            needing=needing,
            locale=loc,
            kb=kb,
        )
        for loc in {cust, agent}
    }
    return Summary(
        topics=topics,
        asked=asked,
        answered=answered,
        unresolved=tuple(reasons),
        customer_locale=cust,
        agent_locale=agent,
        customer_text=texts[cust],
        agent_text=texts[agent],
    )


def _transcript(turns: Sequence[TurnRecord]) -> str:
    return "\n".join(
        f"{t.role}: {_shorten(as_quoted_data(t.text))}" for t in turns if t.text.strip()
    )


async def _llm_text(
    draft: str,
    transcript: str,
    locale: str,
    completer: ChatCompleter,
    kb: KnowledgeBase,
    deadline_s: float,
) -> str | None:
    prompts = kb.llm_prompts
    messages = [
        {
            "role": "system",
            "content": prompts["summary_system"].format(language=prompts["language_names"][locale]),
        },
        {
            "role": "user",
            "content": prompts["summary_user"].format(draft=draft, transcript=transcript),
        },
    ]
    try:
        text = await asyncio.wait_for(completer.complete(messages), timeout=deadline_s)
    except Exception as exc:  # any endpoint failure keeps the extractive summary
        log.warning("LLM summary failed (%s); keeping the extractive one", type(exc).__name__)
        return None
    # The draft and transcript are the only allowed sources of numbers and links.
    reason = check_rephrase(text, draft + "\n" + transcript, prompts.get("refusal_markers", ()))
    if reason is not None and reason != "dropped_number":
        log.info("LLM summary rejected (%s); keeping the extractive one", reason)
        return None
    return text.strip()


async def summarise(
    turns: Sequence[TurnRecord],
    *,
    customer_locale: str | None,
    agent_locale: str | None,
    completer: ChatCompleter | None = None,
    kb: KnowledgeBase | None = None,
    deadline_s: float = 20.0,
) -> Summary:
    """The LLM summary when a completer is given and succeeds, else the extractive one."""
    kb = kb or default_knowledge_base()
    summary = extractive_summary(
        turns, customer_locale=customer_locale, agent_locale=agent_locale, kb=kb
    )
    if completer is None or not turns:
        return summary
    transcript = _transcript(turns)
    customer_text = await _llm_text(
        summary.customer_text, transcript, summary.customer_locale, completer, kb, deadline_s
    )
    if customer_text is None:
        return summary
    if summary.agent_locale == summary.customer_locale:
        agent_text: str | None = customer_text
    else:
        agent_text = await _llm_text(
            summary.agent_text, transcript, summary.agent_locale, completer, kb, deadline_s
        )
    if agent_text is None:
        return summary
    return replace(summary, customer_text=customer_text, agent_text=agent_text, source="llm")
