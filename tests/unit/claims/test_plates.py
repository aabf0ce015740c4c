from __future__ import annotations

import pytest

from chat_widget.claims.plates import normalise_plate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1-ABC-123", "1-ABC-123"),
        ("1abc123", "1-ABC-123"),
        (" 2 xyz 999 ", "2-XYZ-999"),
        ("ABC-123", "ABC-123"),
        ("abc123", "ABC-123"),
        ("123-ABC", "123-ABC"),
        ("M-ABC-12", "M-ABC-12"),
        ("o.abc.123", "O-ABC-123"),
        ("Q-ABC-123", "Q-ABC-123"),
    ],
)
def test_belgian_formats(raw: str, expected: str) -> None:
    assert normalise_plate(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0-ABC-123",
        "1-AB-123",
        "1-ABCD-123",
        "1-ABC-1234",
        "AB-12",
        "12345",
        "1-ÄBC-123",
        "X" * 30,
    ],
)
def test_not_belgian(raw: str) -> None:
    assert normalise_plate(raw) is None


def test_personalised_only_when_allowed() -> None:
    assert normalise_plate("1-JOHN") is None
    assert normalise_plate("1-JOHN", allow_personalised=True) == "1-JOHN"
    assert normalise_plate("MAMA7", allow_personalised=True) == "MAMA7"
    assert normalise_plate("1234567", allow_personalised=True) is None
    assert normalise_plate("ABCDEFGHIJ", allow_personalised=True) is None
