from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from chat_widget.assistant.kb import (
    LOCALES,
    KnowledgeBaseError,
    default_knowledge_base,
    load_knowledge_base,
    normalise_locale,
)
from chat_widget.assistant.kb.loader import KB_DIR
from chat_widget.assistant.nlu.intents import BANK_INTENTS, all_intents
from chat_widget.assistant.nlu.paths import DATA_DIR

WIDGET_INTENTS = {
    "declare_claim",
    "talk_to_human",
    "video_meeting",
    "greeting",
    "thanks",
    "goodbye",
}
REPO_CATEGORIES = DATA_DIR / "banking77_categories.json"
SHARED_CATEGORIES = Path(__file__).resolve().parents[4] / "shared/data/banking77/categories.json"
# Digits an answer may contain: step numbers, Card Stop's number, "24/7" or "24h/24", age 18.
ALLOWED_NUMBERS = {"1", "2", "3", "078170170", "247", "24", "18"}


def test_every_intent_has_an_answer_in_every_locale() -> None:
    kb = default_knowledge_base()
    assert len(kb.intents) == 83 + len(BANK_INTENTS)
    assert WIDGET_INTENTS <= set(kb.intents)
    for locale in LOCALES:
        assert set(kb.answers[locale]) == set(kb.intents)
        for intent in kb.intents:
            answer = kb.answer(intent, locale)
            assert answer.text.strip(), (intent, locale)
            assert 0 < len(answer.label) <= 40, (intent, locale)


def test_intents_are_banking77_plus_the_widget_ones() -> None:
    banking = set(json.loads(REPO_CATEGORIES.read_text(encoding="utf-8")))
    if SHARED_CATEGORIES.exists():  # the shared copy, when this checkout sits beside it
        assert banking == set(json.loads(SHARED_CATEGORIES.read_text(encoding="utf-8")))
    assert set(default_knowledge_base().intents) == banking | WIDGET_INTENTS | set(BANK_INTENTS)


def test_intents_match_what_the_classifier_can_return() -> None:
    assert set(default_knowledge_base().intents) == set(all_intents())


def test_quick_replies_point_to_existing_intents() -> None:
    kb = default_knowledge_base()
    for intent, meta in kb.intents.items():
        assert all(f in kb.intents and f != intent for f in meta.follow_ups), intent
        if intent != "goodbye":
            assert 1 <= len(meta.follow_ups) <= 3, intent


def test_sensitive_intents_offer_a_person() -> None:
    kb = default_knowledge_base()
    for intent in (
        "compromised_card",
        "card_payment_not_recognised",
        "cash_withdrawal_not_recognised",
        "direct_debit_payment_not_recognised",
        "transaction_charged_twice",
        "terminate_account",
        "fraud_phishing",
        "loan_mortgage",
        "insurance_question",
        "complaint",
        "death_of_relative",
    ):
        assert kb.meta(intent).handover, intent
    assert kb.meta("fraud_phishing").priority
    assert kb.meta("investments").action == "open_video_booking"
    assert kb.meta("loan_mortgage").action == "open_video_booking"
    assert kb.meta("declare_claim").action == "open_mybo"
    assert kb.meta("talk_to_human").action == "open_live_chat"
    assert kb.meta("video_meeting").action == "open_video_booking"


@pytest.mark.parametrize("locale", LOCALES)
def test_answers_contain_no_html_and_no_invented_numbers(locale: str) -> None:
    kb = default_knowledge_base()
    for intent in kb.intents:
        text = kb.answer(intent, locale).text
        assert "<" not in text, (intent, locale)
        numbers = {re.sub(r"\D", "", m) for m in re.findall(r"\d(?:[\d ./]*\d)?", text)}
        assert numbers <= ALLOWED_NUMBERS, (intent, locale, numbers)
        assert "€" not in text and "%" not in text, (intent, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_card_loss_points_to_card_stop(locale: str) -> None:
    kb = default_knowledge_base()
    for intent in ("lost_or_stolen_card", "compromised_card", "card_swallowed", "fraud_phishing"):
        assert "078 170 170" in kb.answer(intent, locale).text


def _all_texts(locale: str) -> list[str]:
    kb = default_knowledge_base()
    texts = [kb.answer(i, locale).text for i in kb.intents]
    texts += [kb.label(i, locale) for i in kb.intents]
    texts += list(kb.messages[locale].values())
    texts += list(kb.summary_templates[locale].values())
    return texts


def test_dutch_addresses_the_customer_as_u() -> None:
    informal = re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.IGNORECASE)
    assert [t for t in _all_texts("nl") if informal.search(t)] == []


def test_french_puts_a_non_breaking_space_before_high_punctuation() -> None:
    # "Sujet(s) : x" must not break before ":"; U+202F (fine) or U+00A0 both keep it together.
    bad = re.compile(r"(?:^|[^\u202f\u00a0])[:?!;](?=\s|$)")
    offenders = [t for t in _all_texts("fr") if bad.search(t.replace("**", ""))]
    assert offenders == []


def test_the_assistant_never_claims_to_see_accounts() -> None:
    kb = default_knowledge_base()
    # it says where the customer sees the balance instead
    assert "**Accounts**" in kb.answer("balance_overview", "en").text
    assert "cannot see your accounts" in kb.answer("balance_overview", "en").text


@pytest.mark.parametrize("locale", LOCALES)
def test_investment_answer_announces_the_audio_recording(locale: str) -> None:
    words = {"en": "recorded", "fr": "enregistrer", "nl": "op te nemen", "de": "aufgezeichnet"}
    assert words[locale] in default_knowledge_base().answer("investments", locale).text


def test_locale_normalisation() -> None:
    assert normalise_locale("nl-BE") == "nl"
    assert normalise_locale("DE_de") == "de"
    assert normalise_locale("es") == "fr"
    assert normalise_locale(None) == "fr"


def _copy_kb(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(KB_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def test_loader_rejects_a_missing_answer(tmp_path: Path) -> None:
    kb_dir = _copy_kb(tmp_path)
    path = kb_dir / "answers.de.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["pin_blocked"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="pin_blocked"):
        load_knowledge_base(kb_dir)


def test_loader_rejects_a_follow_up_to_an_unknown_intent(tmp_path: Path) -> None:
    kb_dir = _copy_kb(tmp_path)
    path = kb_dir / "intents.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["intents"]["pin_blocked"]["follow_ups"] = ["no_such_intent"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="no_such_intent"):
        load_knowledge_base(kb_dir)
