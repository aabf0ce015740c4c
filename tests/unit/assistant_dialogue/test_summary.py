from __future__ import annotations

from chat_widget.assistant.dialogue import ConversationState, answer, choose, not_helpful
from chat_widget.assistant.kb import default_knowledge_base
from chat_widget.assistant.summary import extractive_summary, summarise
from tests.unit.assistant_dialogue.fakes import sure, unsure

KB = default_knowledge_base()


def _conversation() -> ConversationState:
    state = ConversationState()
    answer("bonjour", "fr", sure("greeting"), live_chat_open=True, state=state)
    answer(
        "ma carte 4111 1111 1111 1111 a été volée",
        "fr",
        sure("lost_or_stolen_card"),
        live_chat_open=True,
        state=state,
    )
    answer(
        "et pour le paiement de 40 euros chez Amazon que je ne reconnais pas ?",
        "fr",
        sure("card_payment_not_recognised"),
        live_chat_open=True,
        state=state,
    )
    not_helpful("fr", live_chat_open=True, state=state)
    return state


def test_extractive_summary_in_customer_and_agent_language() -> None:
    state = _conversation()
    summary = extractive_summary(state.turns, customer_locale="fr", agent_locale="nl")
    assert summary.topics == ("lost_or_stolen_card", "card_payment_not_recognised")
    assert summary.answered == ("lost_or_stolen_card", "card_payment_not_recognised")
    assert "not_helpful" in summary.unresolved and "handover_needed" in summary.unresolved
    assert "not_understood" not in summary.unresolved
    # customer's language
    assert KB.template("title", "fr") in summary.customer_text
    assert KB.label("lost_or_stolen_card", "fr") in summary.customer_text
    # agent's language, with the customer's own words quoted and masked
    assert KB.template("title", "nl") in summary.agent_text
    assert KB.label("card_payment_not_recognised", "nl") in summary.agent_text
    assert "Amazon" in summary.agent_text
    assert "4111" not in summary.agent_text and "4111" not in summary.customer_text
    assert summary.source == "extractive"


def test_unanswered_question_is_reported_unresolved() -> None:
    state = ConversationState()
    answer("blabla crypto", "en", unsure(("card_arrival", 0.03)), live_chat_open=False, state=state)
    summary = extractive_summary(state.turns, customer_locale="en", agent_locale="en")
    assert summary.answered == ()
    assert summary.unresolved == ("not_understood",)
    assert KB.template("reason_not_understood", "en") in summary.agent_text
    assert summary.customer_text == summary.agent_text


def test_clarified_then_answered_is_not_unresolved() -> None:
    state = ConversationState()
    answer(
        "code",
        "de",
        unsure(("pin_blocked", 0.4), ("change_pin", 0.3)),
        live_chat_open=False,
        state=state,
    )
    choose("intent:pin_blocked", "de", live_chat_open=False, state=state)
    summary = extractive_summary(state.turns, customer_locale="de", agent_locale="fr")
    assert summary.answered == ("pin_blocked",)
    assert summary.unresolved == ()
    assert KB.template("nothing_unresolved", "fr") in summary.agent_text


def test_asking_for_a_person_is_reported() -> None:
    state = ConversationState()
    answer("een mens aub", "nl", sure("talk_to_human"), live_chat_open=True, state=state)
    summary = extractive_summary(state.turns, customer_locale="nl", agent_locale="fr")
    assert "handover_requested" in summary.unresolved


async def test_summarise_without_llm_is_extractive() -> None:
    state = _conversation()
    summary = await summarise(state.turns, customer_locale="fr", agent_locale="en")
    assert summary == extractive_summary(state.turns, customer_locale="fr", agent_locale="en")


def test_quoted_customer_text_cannot_carry_html() -> None:
    state = ConversationState()
    answer("<img src=x onerror=alert(1)> help", "en", unsure(), live_chat_open=False, state=state)
    summary = extractive_summary(state.turns, customer_locale="en", agent_locale="en")
    assert "<" not in summary.agent_text and ">" not in summary.agent_text
