"""Property-based tests: checksum-valid numbers are always caught, noise never is, nothing crashes."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban as std_iban

from chat_widget.guard import mask, scan
from chat_widget.guard.checks import luhn_ok
from chat_widget.guard.rules import get_rules

SEPARATORS = st.sampled_from([" ", "-", "", ".", "  ", " - ", "\u00a0"])
CONTEXT = st.sampled_from(
    [
        "",
        "Bonjour,",
        "mijn kaart",
        "my card is",
        "Karte:",
        "voici",
        "svp",
        "merci",
        "thanks",
        "bedankt",
    ]
)


def _luhn_complete(body: str) -> str:
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable")


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    lo, hi, lengths = draw(st.sampled_from(get_rules().cards))
    size = draw(st.sampled_from(sorted(lengths)))
    prefix = str(draw(st.integers(int(lo), int(hi)))).zfill(len(lo))
    rest = draw(
        st.text("0123456789", min_size=size - len(prefix) - 1, max_size=size - len(prefix) - 1)
    )
    return _luhn_complete(prefix + rest)


@st.composite
def spaced(draw: st.DrawFn, digits: str) -> str:
    """``digits`` cut into random groups with one random separator style."""
    sep = draw(SEPARATORS)
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=6)))
    parts = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    return sep.join(parts)


@st.composite
def cards_in_text(draw: st.DrawFn) -> str:
    number = draw(spaced(draw(card_numbers())))
    return f"{draw(CONTEXT)} {number} {draw(CONTEXT)}".strip()


@given(cards_in_text())
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_valid_card_numbers_are_always_blocked(text: str) -> None:
    result = scan(text)
    assert result.action == "block"
    assert "card_number" in result.kinds
    assert "[CARD NUMBER]" in mask(text)


@st.composite
def national_numbers(draw: st.DrawFn) -> str:
    this_year = datetime.date.today().year
    year = draw(st.integers(1900, this_year))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    month += draw(st.sampled_from([0, 0, 20, 40]))  # BIS numbers add 20 or 40 to the month
    seq = draw(st.integers(1, 997))
    base = f"{year % 100:02d}{month:02d}{day:02d}{seq:03d}"
    value = int(("2" if year >= 2000 else "") + base)
    return f"{base}{97 - value % 97:02d}"


NN_FORMATS = [
    lambda n: n,
    lambda n: f"{n[0:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:]}",
    lambda n: f"{n[0:6]} {n[6:9]} {n[9:]}",
    lambda n: f"{n[0:6]}-{n[6:]}",
    lambda n: f"{n[0:2]} {n[2:4]} {n[4:6]} {n[6:9]} {n[9:]}",
    lambda n: f"{n[0:2]}.{n[2:4]}.{n[4:6]}-{n[6:]}",
]


@given(national_numbers(), st.sampled_from(NN_FORMATS), CONTEXT, CONTEXT)
@settings(max_examples=400)
def test_valid_national_numbers_are_always_masked(
    nn: str, fmt: Callable[[str], str], before: str, after: str
) -> None:
    text = f"{before} {fmt(nn)} {after}".strip()
    result = scan(text)
    assert result.action == "mask", text
    assert result.kinds == ["national_number"]
    assert nn[-4:] not in mask(text).replace(".", "").replace("-", "").replace(" ", "")


@st.composite
def ibans(draw: st.DrawFn) -> str:
    rules = get_rules()
    cc = draw(st.sampled_from(sorted(rules.iban_bban)))
    alphabet = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    bban = ""
    for count, kind in re.findall(r"(\d+)!([nac])", rules.iban_bban[cc]):
        chars = alphabet.get(kind, alphabet["n"] + alphabet["a"])
        bban += draw(st.text(chars, min_size=int(count), max_size=int(count)))
    number = cc + std_iban.calc_check_digits(cc + "00" + bban) + bban
    return draw(st.sampled_from([number, std_iban.format(number), number.lower()]))


@given(ibans(), CONTEXT)
@settings(max_examples=300)
def test_valid_ibans_are_masked(number: str, before: str) -> None:
    text = f"{before} {number} merci".strip()
    result = scan(text)
    assert "iban" in result.kinds
    assert result.action == "mask"


@given(
    st.text("0123456789", min_size=16, max_size=16).filter(lambda d: not luhn_ok(d)), st.booleans()
)
@settings(max_examples=400)
def test_luhn_invalid_16_digits_without_context_are_allowed(digits: str, grouped: bool) -> None:
    text = " ".join(digits[i : i + 4] for i in range(0, 16, 4)) if grouped else digits
    assert scan(text).action == "allow"


@given(st.text(max_size=400), st.sampled_from([None, "fr", "nl", "en", "de", "xx"]))
@settings(max_examples=500)
def test_random_unicode_never_crashes(text: str, lang: str | None) -> None:
    result = scan(text, lang)
    assert result.action in ("block", "mask", "allow")
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(text)
    assert isinstance(mask(text, lang), str)
