"""Language rules the widget promises: French no-break spaces, Dutch "u" (never "je")."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chat_widget.domain.models import Message
from chat_widget.i18n import catalog, french_spacing
from chat_widget.ui.chat_items import to_item

ROOT = Path(__file__).resolve().parents[3]
KB = ROOT / "chat_widget" / "assistant" / "kb"
# A plain space (or none after a word) before a French double punctuation mark.
BAD_FRENCH = re.compile(r"( [:;?!»]|« |\w[?!](?=$|\s))")
INFORMAL_DUTCH = re.compile(r"\b(je|jij|jou|jouw|jullie|jezelf)\b", re.IGNORECASE)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _dutch_texts() -> list[str]:
    texts = _strings(catalog("nl"))
    texts += _strings(json.loads((KB / "answers.nl.json").read_text(encoding="utf-8")))
    texts += _strings(json.loads((KB / "messages.json").read_text(encoding="utf-8"))["nl"])
    return texts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Comment pouvons-nous vous aider ?", "Comment pouvons-nous vous aider\u202f?"),
        ("Heure : 10:30", "Heure\u00a0: 10:30"),
        ("Bonjour!", "Bonjour\u202f!"),
        ("« Cartes »", "«\u00a0Cartes\u00a0»"),
        ("Oui ; non", "Oui\u202f; non"),
        (
            "Voir https://www.bank.be/aide?x=1 maintenant",
            "Voir https://www.bank.be/aide?x=1 maintenant",
        ),
        ("Déjà bon\u202f?", "Déjà bon\u202f?"),
    ],
)
def test_french_spacing(raw: str, expected: str) -> None:
    assert french_spacing(raw) == expected


def test_every_french_catalog_string_has_its_no_break_spaces() -> None:
    bad = {k: v for k, v in catalog("fr").items() if BAD_FRENCH.search(v)}
    assert bad == {}


def test_french_assistant_answers_get_no_break_spaces_when_rendered() -> None:
    answers = json.loads((KB / "answers.fr.json").read_text(encoding="utf-8"))
    for key, entry in answers.items():
        message = Message(
            conversation_id="c",
            seq=1,
            client_msg_id=key,
            author_kind="assistant",
            body=entry["answer"],
            meta={"reply": {"locale": "fr", "quick_replies": [], "actions": []}},
            created_at=datetime(2026, 12, 1, tzinfo=UTC),
        )
        item = to_item(message, "nl")
        assert not BAD_FRENCH.search(item.text), (key, item.text)
        assert item.lang == "fr"


def test_the_customers_own_words_are_shown_as_typed() -> None:
    message = Message(
        conversation_id="c",
        seq=1,
        client_msg_id="x",
        author_kind="customer",
        body="Ma carte ?",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert to_item(message, "fr").text == "Ma carte ?"


def test_dutch_addresses_the_customer_as_u() -> None:
    informal = [t for t in _dutch_texts() if INFORMAL_DUTCH.search(t)]
    assert informal == []


def test_a_language_switch_offer_is_its_own_control() -> None:
    message = Message(
        conversation_id="c",
        seq=2,
        client_msg_id="y",
        author_kind="assistant",
        body="Uw kaart blokkeren…",
        meta={
            "reply": {
                "locale": "nl",
                "quick_replies": [],
                "actions": [
                    {"kind": "handover", "label": "Met een medewerker praten"},
                    {"kind": "switch_locale:nl", "label": "Widget in het Nederlands tonen"},
                ],
            }
        },
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    item = to_item(message, "fr")
    assert item.switch_payload == "switch_locale:nl"
    assert item.switch_lang == "nl"
    assert item.switch_label == "Widget in het Nederlands tonen"
    assert [a.payload for a in item.actions] == ["handover"]
    assert item.lang == "nl"
