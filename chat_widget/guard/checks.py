"""Checksum rules: what makes a digit string a card, national or IBAN number.

National numbers and IBANs are validated by python-stdnum; the JavaScript runtime carries a
port of the same rules, and the shared case file plus property tests keep the two in step.
"""

from __future__ import annotations

from stdnum import iban as std_iban
from stdnum.be import bis as std_bis
from stdnum.be import nn as std_nn

from chat_widget.guard.rules import Rules


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check used by every payment card."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def is_card_number(digits: str, rules: Rules) -> bool:
    """Luhn plus a known issuer prefix with a length that issuer uses.

    Luhn alone passes one random digit string in ten; the issuer table removes most of those.
    """
    size = len(digits)
    for lo, hi, lengths in rules.cards:
        if size in lengths and lo <= digits[: len(lo)] <= hi:
            return luhn_ok(digits)
    return False


def is_national_number(digits: str) -> bool:
    """Belgian national register or BIS number (both centuries' checksums)."""
    return bool(std_nn.is_valid(digits) or std_bis.is_valid(digits))


def is_iban(compact: str) -> bool:
    """Mod-97 and the country's BBAN structure (stdnum, without bank-code lookups)."""
    return bool(std_iban.is_valid(compact, check_country=False))
