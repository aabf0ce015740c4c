"""The assistant's dialogue: from a classified question to a reply object the UI renders.

Plain Python on purpose: no I/O, no model, no UI. The classifier's prediction comes in as an
argument, so this module can be tested with a fake and the UI decides when to call the model.

Safety rules that live here:
- the customer's text is only ever *classified*; it is never executed, echoed into the reply or
  used to pick an action other than through the fixed intent table, and the assistant has no
  tool that acts on an account;
- below the classifier's threshold the assistant does not guess: it asks which of the plausible
  intents was meant, or offers the other ways to get help;
- every reply is labelled automated, and the first one of a conversation carries the AI notice.

The conversation state is a small serialisable object the caller keeps (e.g. in a Reflex
substate via ``to_dict``/``from_dict``); the functions here append the turns they handle to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from chat_widget.assistant.kb import KnowledgeBase, default_knowledge_base, normalise_locale

SMALL_TALK = frozenset({"greeting", "thanks", "goodbye"})
WIDGET_INTENTS = frozenset({"declare_claim", "talk_to_human", "video_meeting"})
# Alternatives below this score are noise; a clarifying question needs a top one above MIN_TOP.
MIN_ALTERNATIVE = 0.08
MIN_TOP_ALTERNATIVE = 0.2
MAX_ALTERNATIVES = 3
INTENT_PREFIX = "intent:"
ACTION_PREFIX = "action:"
PAYLOAD_REPHRASE = "action:rephrase"
PAYLOAD_NONE_OF_THESE = "action:none_of_these"


class PredictionLike(Protocol):
    """What the intent classifier returns (``chat_widget.assistant.nlu``'s ``Prediction``)."""

    @property
    def intent(self) -> str | None: ...

    @property
    def confidence(self) -> float: ...

    @property
    def alternatives(self) -> Sequence[tuple[str, float]]: ...


class ActionKind(StrEnum):
    HANDOVER = "handover"  # offer to continue with an employee in live chat, summary attached
    OPEN_LIVE_CHAT = "open_live_chat"  # the customer asked for a person: open live chat now
    OPEN_MYBO = "open_mybo"
    OPEN_VIDEO_BOOKING = "open_video_booking"
    # The customer writes in another language than the widget shows: offer to switch it.
    SWITCH_LOCALE_FR = "switch_locale:fr"
    SWITCH_LOCALE_NL = "switch_locale:nl"
    SWITCH_LOCALE_EN = "switch_locale:en"
    SWITCH_LOCALE_DE = "switch_locale:de"


SWITCH_LOCALE_PREFIX = "switch_locale:"


class ReplyKind(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    OPTIONS = "options"
    REPHRASE = "rephrase"
    FEEDBACK = "feedback"


class ReviewReason(StrEnum):
    BELOW_THRESHOLD = "below_threshold"
    NOT_HELPFUL = "not_helpful"


@dataclass(frozen=True)
class QuickReply:
    label: str
    payload: str  # "intent:<name>" or "action:rephrase" / "action:none_of_these"


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    label: str


@dataclass(frozen=True)
class ReviewRequest:
    """A question the bank should look at to add training examples (see ``review.py``)."""

    reason: ReviewReason
    text: str
    locale: str
    predicted_intent: str | None
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Reply:
    """One assistant message. ``text`` is plain text with **bold** and numbered lines only."""

    kind: ReplyKind
    locale: str
    body: str
    notes: tuple[str, ...] = ()
    intent: str | None = None
    confidence: float = 0.0
    quick_replies: tuple[QuickReply, ...] = ()
    actions: tuple[Action, ...] = ()
    notice: str | None = None
    automated: bool = True
    automated_label: str = ""
    ask_feedback: bool = False
    review: ReviewRequest | None = None
    source: str = "kb"  # "kb", or "llm" once rephrased
    priority: bool = False  # the hand-over offered is a priority one (fraud)

    @property
    def text(self) -> str:
        return "\n\n".join(part for part in (self.body, *self.notes) if part)

    @property
    def offers_handover(self) -> bool:
        return any(a.kind in (ActionKind.HANDOVER, ActionKind.OPEN_LIVE_CHAT) for a in self.actions)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["text"] = self.text
        return data


@dataclass
class TurnRecord:
    """One line of the conversation as the summary needs it (not the full message)."""

    role: str  # "customer" or "assistant"
    text: str
    intent: str | None = None
    confidence: float = 0.0
    kind: str | None = None  # ReplyKind for assistant turns
    helpful: bool | None = None


@dataclass
class ConversationState:
    """Kept by the caller between turns; serialisable with to_dict/from_dict."""

    notice_shown: bool = False
    turns: list[TurnRecord] = field(default_factory=list)
    switch_offered: list[str] = field(default_factory=list)
    """Languages already offered to switch the widget to (offered once each)."""
    locale: str | None = None
    """The language of the last reply: quick replies and feedback continue in it."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ConversationState:
        if not data:
            return cls()
        return cls(
            notice_shown=bool(data.get("notice_shown", False)),
            turns=[TurnRecord(**t) for t in data.get("turns", [])],
            switch_offered=[str(x) for x in data.get("switch_offered", [])],
            locale=data.get("locale"),
        )

    def last_customer_turn(self) -> TurnRecord | None:
        return next((t for t in reversed(self.turns) if t.role == "customer"), None)

    def last_assistant_turn(self) -> TurnRecord | None:
        return next((t for t in reversed(self.turns) if t.role == "assistant"), None)


def switch_locale_of(action_kind: str) -> str | None:
    """The locale a "show the widget in …" action asks for, None for any other action."""
    if not action_kind.startswith(SWITCH_LOCALE_PREFIX):
        return None
    locale = action_kind[len(SWITCH_LOCALE_PREFIX) :]
    return locale if normalise_locale(locale) == locale else None


def intent_payload(intent: str) -> str:
    return INTENT_PREFIX + intent


def _finish(
    reply: Reply, state: ConversationState, kb: KnowledgeBase, *, record: bool = True
) -> Reply:
    """Adds the automated label and, once per conversation, the AI notice; records the turn."""
    notice = None
    if not state.notice_shown:
        notice = kb.message("ai_notice", reply.locale)
        state.notice_shown = True
    finished = replace(
        reply,
        notice=notice,
        automated=True,
        automated_label=kb.message("automated_label", reply.locale),
    )
    state.locale = reply.locale
    if record:
        state.turns.append(
            TurnRecord(
                role="assistant",
                text=finished.text,
                intent=finished.intent,
                confidence=finished.confidence,
                kind=finished.kind.value,
            )
        )
    return finished


def _handover_actions(
    locale: str, live_chat_open: bool, kb: KnowledgeBase, *, priority: bool = False
) -> tuple[str, tuple[Action, ...]]:
    if live_chat_open:
        label = "action_handover_priority" if priority else "action_handover"
        return kb.message("handover_offer", locale), (
            Action(ActionKind.HANDOVER, kb.message(label, locale)),
        )
    return kb.message("handover_closed", locale), (
        Action(ActionKind.OPEN_VIDEO_BOOKING, kb.message("action_open_video_booking", locale)),
    )


def _intent_reply(
    intent: str, locale: str, confidence: float, live_chat_open: bool, kb: KnowledgeBase
) -> Reply:
    meta = kb.meta(intent)
    body = kb.answer(intent, locale).text
    notes: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    if meta.action == "open_live_chat":
        if live_chat_open:
            actions = (
                Action(ActionKind.OPEN_LIVE_CHAT, kb.message("action_open_live_chat", locale)),
            )
        else:
            body = kb.message("talk_to_human_closed", locale)
            actions = (
                Action(
                    ActionKind.OPEN_VIDEO_BOOKING, kb.message("action_open_video_booking", locale)
                ),
                Action(ActionKind.OPEN_MYBO, kb.message("action_open_mybo", locale)),
            )
    elif meta.action == "open_mybo":
        actions = (Action(ActionKind.OPEN_MYBO, kb.message("action_open_mybo", locale)),)
    elif meta.action == "open_video_booking":
        actions = (
            Action(ActionKind.OPEN_VIDEO_BOOKING, kb.message("action_open_video_booking", locale)),
        )
    if meta.handover and meta.action != "open_live_chat":
        # Loans and insurance: an advisor by chat as well as by video; fraud: a priority chat.
        note, offered = _handover_actions(locale, live_chat_open, kb, priority=meta.priority)
        notes = (note,)
        actions = (*offered, *(a for a in actions if a not in offered))
    # A quick reply that would only repeat one of the buttons above is noise.
    covered = {a.kind.value for a in actions}
    if ActionKind.HANDOVER.value in covered:
        covered.add(ActionKind.OPEN_LIVE_CHAT.value)
    quick = tuple(
        QuickReply(kb.label(f, locale), intent_payload(f))
        for f in meta.follow_ups
        if kb.meta(f).action not in covered
    )
    return Reply(
        kind=ReplyKind.ANSWER,
        locale=locale,
        body=body,
        notes=notes,
        intent=intent,
        confidence=confidence,
        quick_replies=quick,
        actions=actions,
        ask_feedback=intent not in SMALL_TALK and intent not in WIDGET_INTENTS,
        priority=meta.priority,
    )


def _options_reply(
    locale: str, live_chat_open: bool, kb: KnowledgeBase, review: ReviewRequest | None
) -> Reply:
    actions: list[Action] = []
    if live_chat_open:
        actions.append(Action(ActionKind.HANDOVER, kb.message("action_handover", locale)))
    actions.append(
        Action(ActionKind.OPEN_VIDEO_BOOKING, kb.message("action_open_video_booking", locale))
    )
    actions.append(Action(ActionKind.OPEN_MYBO, kb.message("action_open_mybo", locale)))
    return Reply(
        kind=ReplyKind.OPTIONS,
        locale=locale,
        body=kb.message("options_intro" if live_chat_open else "options_intro_closed", locale),
        quick_replies=(QuickReply(kb.message("qr_rephrase", locale), PAYLOAD_REPHRASE),),
        actions=tuple(actions),
        review=review,
    )


def plausible_alternatives(
    prediction: PredictionLike, kb: KnowledgeBase
) -> list[tuple[str, float]]:
    """The 2–3 intents worth offering back; empty when even the best one is a long shot."""
    ranked = sorted(
        (
            (intent, score)
            for intent, score in prediction.alternatives
            if kb.has_intent(intent) and intent not in SMALL_TALK and score >= MIN_ALTERNATIVE
        ),
        key=lambda item: item[1],
        reverse=True,
    )
    if not ranked or ranked[0][1] < MIN_TOP_ALTERNATIVE:
        return []
    return ranked[:MAX_ALTERNATIVES]


def _with_switch_offer(
    reply: Reply, widget_locale: str | None, state: ConversationState, kb: KnowledgeBase
) -> Reply:
    """The customer writes in another language than the widget shows: offer, once per
    language, to show the whole widget in it (the reply itself is already in it)."""
    if widget_locale is None:
        return reply
    loc = reply.locale
    if normalise_locale(widget_locale) == loc or loc in state.switch_offered:
        return reply
    state.switch_offered.append(loc)
    return replace(
        reply,
        notes=(*reply.notes, kb.message("switch_offer", loc)),
        actions=(
            *reply.actions,
            Action(ActionKind(SWITCH_LOCALE_PREFIX + loc), kb.message("action_switch_locale", loc)),
        ),
    )


def answer(
    text: str,
    locale: str | None,
    prediction: PredictionLike,
    *,
    live_chat_open: bool,
    state: ConversationState,
    kb: KnowledgeBase | None = None,
    widget_locale: str | None = None,
) -> Reply:
    """Replies to one customer message, given the classifier's prediction for it.

    ``locale`` is the language to answer in: the one the customer wrote in. When the widget
    shows another one (``widget_locale``), the reply offers to switch the widget to it.
    """
    kb = kb or default_knowledge_base()
    loc = normalise_locale(locale)
    state.turns.append(
        TurnRecord(
            role="customer",
            text=text,
            intent=prediction.intent,
            confidence=float(prediction.confidence),
        )
    )
    if not text.strip():
        return _finish(
            Reply(kind=ReplyKind.REPHRASE, locale=loc, body=kb.message("rephrase_prompt", loc)),
            state,
            kb,
        )
    if prediction.intent is not None and kb.has_intent(prediction.intent):
        reply = _intent_reply(
            prediction.intent, loc, float(prediction.confidence), live_chat_open, kb
        )
        return _finish(_with_switch_offer(reply, widget_locale, state, kb), state, kb)
    alternatives = plausible_alternatives(prediction, kb)
    review = ReviewRequest(
        reason=ReviewReason.BELOW_THRESHOLD,
        text=text,
        locale=loc,
        predicted_intent=(prediction.alternatives[0][0] if prediction.alternatives else None),
        confidence=float(prediction.confidence),
        alternatives=tuple((i, float(s)) for i, s in prediction.alternatives[:MAX_ALTERNATIVES]),
    )
    if alternatives:
        quick = tuple(QuickReply(kb.label(i, loc), intent_payload(i)) for i, _ in alternatives)
        quick += (QuickReply(kb.message("qr_none_of_these", loc), PAYLOAD_NONE_OF_THESE),)
        reply = Reply(
            kind=ReplyKind.CLARIFY,
            locale=loc,
            body=kb.message("clarify", loc),
            confidence=float(prediction.confidence),
            quick_replies=quick,
            review=review,
        )
        return _finish(_with_switch_offer(reply, widget_locale, state, kb), state, kb)
    options = _options_reply(loc, live_chat_open, kb, review)
    return _finish(_with_switch_offer(options, widget_locale, state, kb), state, kb)


def choose(
    payload: str,
    locale: str | None,
    *,
    live_chat_open: bool,
    state: ConversationState,
    kb: KnowledgeBase | None = None,
) -> Reply:
    """Handles a quick-reply click: the payload names the intent, so no classification.

    The answer is in the language of the conversation's last reply (the quick replies were).
    """
    kb = kb or default_knowledge_base()
    loc = normalise_locale(state.locale or locale)
    if payload.startswith(INTENT_PREFIX) and kb.has_intent(payload[len(INTENT_PREFIX) :]):
        intent = payload[len(INTENT_PREFIX) :]
        state.turns.append(
            TurnRecord(role="customer", text=kb.label(intent, loc), intent=intent, confidence=1.0)
        )
        return _finish(_intent_reply(intent, loc, 1.0, live_chat_open, kb), state, kb)
    if payload == PAYLOAD_REPHRASE:
        return _finish(
            Reply(kind=ReplyKind.REPHRASE, locale=loc, body=kb.message("rephrase_prompt", loc)),
            state,
            kb,
        )
    # "None of these" or an unknown/forged payload: offer the other ways to get help.
    return _finish(_options_reply(loc, live_chat_open, kb, None), state, kb)


def not_helpful(
    locale: str | None,
    *,
    live_chat_open: bool,
    state: ConversationState,
    kb: KnowledgeBase | None = None,
) -> Reply:
    """The customer pressed "this didn't help": offer a person and flag the question for review."""
    kb = kb or default_knowledge_base()
    loc = normalise_locale(state.locale or locale)
    last_answer = state.last_assistant_turn()
    if last_answer is not None:
        last_answer.helpful = False
    question = state.last_customer_turn()
    note, actions = _handover_actions(loc, live_chat_open, kb)
    review = ReviewRequest(
        reason=ReviewReason.NOT_HELPFUL,
        text=question.text if question else "",
        locale=loc,
        predicted_intent=last_answer.intent if last_answer else None,
        confidence=last_answer.confidence if last_answer else 0.0,
    )
    reply = Reply(
        kind=ReplyKind.FEEDBACK,
        locale=loc,
        body=kb.message("not_helpful", loc),
        notes=(note,),
        intent=last_answer.intent if last_answer else None,
        actions=actions,
        review=review,
    )
    return _finish(reply, state, kb)


def helpful(state: ConversationState) -> None:
    """The customer pressed "yes, this helped": remembered for the summary, nothing to say."""
    last_answer = state.last_assistant_turn()
    if last_answer is not None:
        last_answer.helpful = True


def feedback_labels(locale: str | None, kb: KnowledgeBase | None = None) -> dict[str, str]:
    """The "was this helpful?" question and its two buttons, in the customer's language."""
    kb = kb or default_knowledge_base()
    loc = normalise_locale(locale)
    return {
        key: kb.message(key, loc) for key in ("feedback_question", "feedback_yes", "feedback_no")
    }
