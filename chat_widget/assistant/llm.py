"""Optional generative mode: rephrase a grounded KB answer, never add to it.

The LLM only ever sees a masked copy of the customer's words and the bank's approved answer; it
is asked to reword the latter for the former. Whatever comes back is checked before a customer
sees it: empty output, a refusal, HTML, or any number or URL that is not in the approved answer
(or a phone number of the approved answer gone missing) means the plain KB answer is used. Any
error or timeout of the endpoint means the same. The LLM has no tools: nothing it says can act
on an account.

The HTTP client lives in ``chat_widget.adapters.llm_client``; here it is only a ``ChatCompleter``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from stdnum import luhn

from chat_widget.assistant.dialogue import SMALL_TALK, WIDGET_INTENTS, Reply, ReplyKind
from chat_widget.assistant.kb import KnowledgeBase, default_knowledge_base, normalise_locale

log = logging.getLogger(__name__)

ChatMessage = Mapping[str, str]
DEFAULT_DEADLINE_S = 20.0

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[0-9A-Z]{4}){2,7}(?:[ ]?[0-9A-Z]{1,3})?\b")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ .\-/]?\d){5,}(?!\d)")
_NUMBER = re.compile(r"\d(?:[\d .\-/]*\d)?")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:be|com|eu|net|org|io|app)\b(?:/\S*)?")
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


class ChatCompleter(Protocol):
    """An OpenAI-compatible chat-completions endpoint (see adapters/llm_client.py)."""

    async def complete(self, messages: Sequence[ChatMessage]) -> str: ...


def _mask_cards(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        return "[CARD]" if 13 <= len(digits) <= 19 and luhn.is_valid(digits) else match.group()

    return _CARD.sub(repl, text)


def _mask_ibans(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group())
        return "[IBAN]" if digits >= 10 else match.group()

    return _IBAN.sub(repl, text)


def mask_locally(text: str) -> str:
    """Card numbers (Luhn), IBANs, e-mail addresses and any run of ≥ 6 digits.

    Masking too much is cheap (the LLM rewords a fixed answer); masking too little leaks a
    customer's data to a third party, so the last rule catches what the first ones miss.
    """
    text = _EMAIL.sub("[EMAIL]", text)
    text = _mask_ibans(text)
    text = _mask_cards(text)
    return _DIGIT_RUN.sub("[NUMBER]", text)


def _guard_mask() -> Callable[..., object] | None:
    """The privacy guard's masker when that package is installed, else None."""
    try:
        from chat_widget.guard.engine import mask  # type: ignore[import-not-found]
    except ImportError:
        return None
    return mask if callable(mask) else None


def mask_for_llm(text: str, lang: str | None = None) -> str:
    """Masks sensitive data before text leaves for an LLM or a stored record.

    The privacy guard (``chat_widget.guard.engine.mask``: PINs, codes, passwords, national
    numbers…) runs first when installed; the local masker always runs last as a safety net.
    """
    guard = _guard_mask()
    if guard is not None:
        try:
            guarded = guard(text, lang)
            if isinstance(guarded, str):
                text = guarded
            else:  # a result object: take its masked text when it has one
                text = str(getattr(guarded, "text", getattr(guarded, "masked", text)))
        except Exception:  # the guard failing must not let data through unmasked
            log.exception("privacy guard mask failed; using the local masker only")
    return mask_locally(text)


def as_quoted_data(text: str, lang: str | None = None) -> str:
    """Masked customer text that cannot close the ``<<< >>>`` fence it is quoted in."""
    return mask_for_llm(text, lang).replace("<<<", "‹‹‹").replace(">>>", "›››")


def _numbers(text: str) -> set[str]:
    found = set()
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if digits:
            found.add(digits)
    return found


def _urls(text: str) -> set[str]:
    return {m.group().rstrip(".,;:!?)").lower() for m in _URL.finditer(text)}


def check_rephrase(candidate: str, grounded: str, refusal_markers: Sequence[str]) -> str | None:
    """Why the LLM's text must not be shown (a short reason), or None when it is acceptable."""
    text = candidate.strip()
    if not text:
        return "empty"
    lowered = text.lower()
    if any(marker in lowered for marker in refusal_markers):
        return "refusal"
    if _HTML.search(text):
        return "html"
    if len(text) > 2 * len(grounded) + 200:
        return "too_long"
    if not _urls(text) <= _urls(grounded):
        return "new_url"
    grounded_numbers = _numbers(grounded)
    if not _numbers(text) <= grounded_numbers:
        return "new_number"
    # Phone numbers and other long numbers of the approved answer must survive the rewording.
    if not {n for n in grounded_numbers if len(n) >= 6} <= _numbers(text):
        return "dropped_number"
    return None


def build_rephrase_messages(
    customer_text: str, grounded: str, locale: str, kb: KnowledgeBase
) -> list[dict[str, str]]:
    prompts = kb.llm_prompts
    language = prompts["language_names"][normalise_locale(locale)]
    return [
        {"role": "system", "content": prompts["rephrase_system"].format(language=language)},
        {
            "role": "user",
            "content": prompts["rephrase_user"].format(
                customer_text=as_quoted_data(customer_text, locale), kb_answer=grounded
            ),
        },
    ]


def can_rephrase(reply: Reply) -> bool:
    """Only real answers are reworded; clarifications, small talk and routing stay verbatim."""
    return (
        reply.kind is ReplyKind.ANSWER
        and reply.intent is not None
        and reply.intent not in SMALL_TALK
        and reply.intent not in WIDGET_INTENTS
    )


async def rephrase_reply(
    reply: Reply,
    customer_text: str,
    completer: ChatCompleter | None,
    *,
    kb: KnowledgeBase | None = None,
    deadline_s: float = DEFAULT_DEADLINE_S,
) -> Reply:
    """The reply with its body reworded by the LLM, or the reply unchanged on any problem."""
    if completer is None or not can_rephrase(reply):
        return reply
    kb = kb or default_knowledge_base()
    messages = build_rephrase_messages(customer_text, reply.body, reply.locale, kb)
    try:
        candidate = await asyncio.wait_for(completer.complete(messages), timeout=deadline_s)
    except Exception as exc:  # any endpoint failure falls back to the approved answer
        log.warning("LLM rephrase failed (%s); using the KB answer", type(exc).__name__)
        return reply
    reason = check_rephrase(candidate, reply.body, kb.llm_prompts.get("refusal_markers", ()))
    if reason is not None:
        log.info("LLM rephrase rejected (%s); using the KB answer", reason)
        return reply
    return replace(reply, body=candidate.strip(), source="llm")
