"""Sensitive-data guard: block secrets, mask personal numbers, in Python and in the browser.

Public API::

    scan(text, lang=None) -> GuardResult   # .action "block"|"mask"|"allow", .kinds, .findings
    mask(text, lang=None) -> str           # safe for LLMs, logs, analytics
    screen(text, lang=None) -> (str | None, kinds)  # what a channel may store, from one scan
    explain(kinds, locale) -> str          # translated reason for the customer
"""

from __future__ import annotations

from chat_widget.guard.engine import (
    ALLOW,
    BLOCK,
    MASK,
    Finding,
    GuardResult,
    mask,
    scan,
    screen,
)
from chat_widget.guard.explain import explain

__all__ = [
    "ALLOW",
    "BLOCK",
    "MASK",
    "Finding",
    "GuardResult",
    "explain",
    "mask",
    "scan",
    "screen",
]
