"""Train the intent model on a few intents into ``argv[1]`` (run by ``test_training_reproducible``).

A separate process, so the test can vary what a build machine varies: PYTHONHASHSEED and the
BLAS/OpenMP thread counts are read once, at start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path

from chat_widget.assistant.nlu.dataset import Example, training_examples
from chat_widget.assistant.nlu.paths import DATA_DIR
from chat_widget.assistant.nlu.train import train

INTENTS = (
    "card_arrival",
    "card_delivery_estimate",
    "lost_or_stolen_card",
    "top_up_limits",
    "balance_overview",
    "card_limits",
    "direct_debit",
    "pay_bill",
    "greeting",
    "thanks",
    "out_of_scope",
)
"""Close pairs (arrival/delivery, top-up/card limits), bank and small-talk intents and
off-topic rows: every choice training makes (shares, thresholds, shortcuts) has rows to see."""


def subset() -> list[Example]:
    """Every training row of :data:`INTENTS` (all languages), in the build's order."""
    return [r for r in training_examples(DATA_DIR) if r.category in INTENTS]


if __name__ == "__main__":
    train(Path(sys.argv[1]), rows=subset())
