"""The intent set: BANKING77's everyday-banking intents plus the widget's own."""

from __future__ import annotations

import json
from functools import cache

from chat_widget.assistant.nlu.paths import DATA_DIR

OUT_OF_SCOPE = "out_of_scope"
"""Training label for requests the assistant must not answer (never returned as an intent)."""

WIDGET_INTENTS: tuple[str, ...] = (
    "declare_claim",
    "talk_to_human",
    "video_meeting",
    "greeting",
    "thanks",
    "goodbye",
)
"""Intents that route to another part of the widget (myBo, live chat, booking) or small talk."""

LANGS: tuple[str, ...] = ("fr", "nl", "en", "de")


@cache
def banking_intents() -> tuple[str, ...]:
    """BANKING77's 77 labels, spelled as in the dataset (one of them ends in ``?``)."""
    with (DATA_DIR / "banking77_categories.json").open(encoding="utf-8") as fh:
        return tuple(json.load(fh))


def all_intents() -> tuple[str, ...]:
    """Every intent the classifier can return (out-of-scope excluded)."""
    return banking_intents() + WIDGET_INTENTS
