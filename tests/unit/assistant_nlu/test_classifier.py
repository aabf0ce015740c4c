from __future__ import annotations

import pytest

from chat_widget.assistant.nlu import classifier as classifier_module
from chat_widget.assistant.nlu.classifier import IntentClassifier, Prediction, classify_async
from chat_widget.assistant.nlu.intents import OUT_OF_SCOPE, all_intents

CLEAR = [
    ("fr", "on m'a volé ma carte bancaire hier soir", "lost_or_stolen_card"),
    ("fr", "je veux parler à un conseiller humain", "talk_to_human"),
    ("fr", "j'ai eu un accident de voiture, je dois déclarer le sinistre", "declare_claim"),
    ("fr", "mon code pin est bloqué après 3 essais", "pin_blocked"),
    ("nl", "mijn bankkaart is gestolen", "lost_or_stolen_card"),
    ("nl", "de automaat heeft mijn kaart ingeslikt", "card_swallowed"),
    ("nl", "ik wil een videoafspraak met een adviseur", "video_meeting"),
    ("nl", "hoe lang duurt een overschrijving naar een andere bank", "transfer_timing"),
    ("de", "meine Karte wurde gestohlen", "lost_or_stolen_card"),
    ("de", "ich möchte mein Konto kündigen", "terminate_account"),
    ("de", "vielen Dank für die Hilfe", "thanks"),
    ("de", "wie ändere ich meine PIN", "change_pin"),
    ("en", "I lost my card yesterday", "lost_or_stolen_card"),
    ("en", "my card still hasn't arrived", "card_arrival"),
    ("en", "can I speak to a real person", "talk_to_human"),
    ("en", "there is a direct debit I don't recognise", "direct_debit_payment_not_recognised"),
]


@pytest.mark.parametrize(("lang", "text", "intent"), CLEAR)
def test_clear_utterances_get_their_intent(
    classifier: IntentClassifier, lang: str, text: str, intent: str
) -> None:
    prediction = classifier.classify(text, lang)
    assert prediction.intent == intent
    assert prediction.confidence >= classifier.threshold


@pytest.mark.parametrize(
    "text",
    [
        "qsdfkj zzkw plmoq",
        "what's the weather in Paris tomorrow",
        "geef me een recept voor lasagne",
        "wer hat gestern das Fußballspiel gewonnen",
        "raconte-moi une blague sur les chats",
    ],
)
def test_gibberish_and_off_topic_are_not_answered(classifier: IntentClassifier, text: str) -> None:
    assert classifier.classify(text).intent is None


def test_empty_message_is_not_answered(classifier: IntentClassifier) -> None:
    assert classifier.classify("   ") == Prediction(intent=None, confidence=0.0, alternatives=[])


def test_predict_ranks_known_labels_with_probabilities(classifier: IntentClassifier) -> None:
    ranked = classifier.predict("ma carte ne marche pas", "fr", k=4)
    assert len(ranked) == 4
    probs = [p for _, p in ranked]
    assert probs == sorted(probs, reverse=True)
    assert 0.0 < sum(probs) <= 1.0001
    assert {label for label, _ in ranked} <= set(all_intents()) | {OUT_OF_SCOPE}


def test_alternatives_never_offer_out_of_scope(classifier: IntentClassifier) -> None:
    prediction = classifier.classify("quel temps fera-t-il demain")
    assert prediction.alternatives
    assert all(label != OUT_OF_SCOPE for label, _ in prediction.alternatives)


async def test_classify_async_uses_the_shared_classifier(
    classifier: IntentClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(classifier_module, "_classifier", classifier)
    prediction = await classify_async("ik ben mijn kaart verloren", "nl")
    assert prediction.intent == "lost_or_stolen_card"


class CountingEmbedder:
    """Wraps the real embedder to count the texts it is asked to embed."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> object:
        self.texts.extend(texts)
        return self.inner.embed(texts)  # type: ignore[attr-defined]


def test_confident_wording_skips_the_embedding_and_keeps_the_decision(
    classifier: IntentClassifier,
) -> None:
    """The latency shortcut: rows TF-IDF is sure of are never embedded, the others are, and
    a skipped row gets the same intent the full model would give."""
    assert classifier.model.shortcut is not None
    texts = [t for _, t, _ in CLEAR]
    counting = CountingEmbedder(classifier._embedder)
    fast = IntentClassifier(classifier.model, classifier.meta, counting)  # type: ignore[arg-type]
    proba = fast.probabilities(texts)
    p_tfidf = classifier.model.tfidf_proba(texts)
    skipped = classifier.model.skips_embedding(p_tfidf)
    assert 0 < skipped.sum() < len(texts)  # both paths are exercised by this list
    assert counting.texts == [t for t, s in zip(texts, skipped, strict=True) if not s]
    full = classifier.model.predict_proba(texts, classifier._embedder.embed(texts))
    for i in range(len(texts)):
        if skipped[i]:
            assert proba[i].argmax() == full[i].argmax()
