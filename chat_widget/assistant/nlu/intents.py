"""The intent set: BANKING77's everyday-banking intents, the widget's own, and a Belgian bank's.

The list and the borders between close intents are documented in ``data/written/INTENTS.md``;
training and validation rows are labelled against it, so ids are never renamed.
"""

from __future__ import annotations

import json
from functools import cache

from chat_widget.assistant.nlu.paths import DATA_DIR
from chat_widget.i18n import LOCALES

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

SMALL_TALK: tuple[str, ...] = ("greeting", "thanks", "goodbye")
"""Returned only when nothing else is in the message (see ``segment``)."""

BANK_INTENTS: tuple[str, ...] = (
    "balance_overview",
    "account_statements",
    "pay_bill",
    "direct_debit",
    "standing_order",
    "instant_transfer",
    "international_transfer",
    "card_limits",
    "card_reader_problem",
    "sign_in_problem",
    "app_not_working",
    "open_account",
    "joint_account",
    "savings_interest",
    "loan_mortgage",
    "investments",
    "insurance_question",
    "fraud_phishing",
    "cash_deposit",
    "tax_certificate",
    "find_branch_atm",
    "complaint",
    "death_of_relative",
)
"""Everyday topics of a Belgian universal bank that BANKING77 (a UK neobank) lacks: half of
real customers' questions were about these (balance, bills, direct debits, loans...)."""

LANGS: tuple[str, ...] = LOCALES


@cache
def banking_intents() -> tuple[str, ...]:
    """BANKING77's 77 labels, spelled as in the dataset (one of them ends in ``?``)."""
    with (DATA_DIR / "banking77_categories.json").open(encoding="utf-8") as fh:
        return tuple(json.load(fh))


def all_intents() -> tuple[str, ...]:
    """Every intent the classifier can return (out-of-scope excluded)."""
    return banking_intents() + WIDGET_INTENTS + BANK_INTENTS
