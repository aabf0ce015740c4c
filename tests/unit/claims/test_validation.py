from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

import chat_widget.claims
from chat_widget.claims.i18n import error_codes, error_message, ui_keys, ui_text
from chat_widget.claims.questions import Option, Question, QuestionType
from chat_widget.claims.validation import (
    InvalidAnswer,
    ValidationContext,
    display_value,
    parse_amount,
    validate,
)
from chat_widget.i18n import LOCALES

CTX = ValidationContext(today=date(2026, 11, 24), policy_start=date(2024, 3, 1))
L = {loc: "label" for loc in LOCALES}


def q(qtype: QuestionType, *, required: bool = True, **validation: Any) -> Question:
    options: tuple[Option, ...] = ()
    if qtype is QuestionType.CHOICE:
        options = (
            Option(
                "windscreen",
                {
                    "fr": "Pare-brise",
                    "nl": "Voorruit",
                    "en": "Windscreen",
                    "de": "Windschutzscheibe",
                },
            ),
            Option(
                "side_window",
                {
                    "fr": "Vitre latérale",
                    "nl": "Zijruit",
                    "en": "Side window",
                    "de": "Seitenscheibe",
                },
            ),
        )
    return Question(
        id="x", type=qtype, label=L, required=required, options=options, validation=validation
    )


def code_of(question: Question, raw: Any, ctx: ValidationContext = CTX) -> str:
    with pytest.raises(InvalidAnswer) as info:
        validate(question, raw, ctx)
    return info.value.code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-20", "2026-11-20"),
        ("20/11/2026", "2026-11-20"),
        ("5.3.2025", "2025-03-05"),
        ("24-11-2026", "2026-11-24"),
        (date(2025, 1, 2), "2025-01-02"),
    ],
)
def test_date_accepted(raw: Any, expected: str) -> None:
    assert validate(q(QuestionType.DATE), raw, CTX) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2026-11-25", "date_in_future"),
        ("31/02/2026", "invalid_date"),
        ("yesterday", "invalid_date"),
        ("2024-02-29", "date_before_policy_start"),
        ("", "required"),
        (None, "required"),
    ],
)
def test_date_refused(raw: Any, code: str) -> None:
    assert code_of(q(QuestionType.DATE), raw) == code


def test_date_rules_from_data() -> None:
    assert code_of(q(QuestionType.DATE, max_age_days=30), "2026-09-01") == "date_too_old"
    assert validate(q(QuestionType.DATE, allow_future=True), "2026-12-01", CTX) == "2026-12-01"
    no_policy = ValidationContext(today=CTX.today)
    assert validate(q(QuestionType.DATE), "2001-01-01", no_policy) == "2001-01-01"
    err = InvalidAnswer("date_before_policy_start", policy_start="01/03/2024")
    assert "01/03/2024" in err.message("de")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14:30", "14:30"),
        ("9h", "09:00"),
        ("9h05", "09:05"),
        ("21.15", "21:15"),
        ("7 uur", "07:00"),
        (time(8, 1), "08:01"),
    ],
)
def test_time_accepted(raw: Any, expected: str) -> None:
    assert validate(q(QuestionType.TIME), raw, CTX) == expected


@pytest.mark.parametrize("raw", ["25:00", "12:60", "noon", "1430"])
def test_time_refused(raw: str) -> None:
    assert code_of(q(QuestionType.TIME), raw) == "invalid_time"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1234.56 €", "1234.56"),
        ("1,234.56", "1234.56"),
        ("€ 12", "12.00"),
        ("1 234,5", "1234.50"),
        ("1.234", "1234.00"),
        ("12,50 EUR", "12.50"),
        ("1.234.567,89", "1234567.89"),
        ("0,99", "0.99"),
        (250, "250.00"),
        ("1\u202f000 euros", "1000.00"),
    ],
)
def test_amount_accepted(raw: Any, expected: str) -> None:
    assert validate(q(QuestionType.AMOUNT), raw, CTX) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0", "amount_not_positive"),
        ("-5", "amount_not_positive"),
        ("abc", "invalid_amount"),
        ("1,2,3", "invalid_amount"),
        ("12.3456", "amount_too_precise"),
        ("1.23.4", "invalid_amount"),
        ("99999999999", "amount_too_large"),
        ("1e5", "invalid_amount"),
        (True, "invalid_amount"),
    ],
)
def test_amount_refused(raw: Any, code: str) -> None:
    assert code_of(q(QuestionType.AMOUNT), raw) == code


def test_amount_max_from_data() -> None:
    assert code_of(q(QuestionType.AMOUNT, max="1000"), "1.000,01") == "amount_too_large"
    assert "1.000" in InvalidAnswer("amount_too_large", max="1.000").message("fr")


def test_parse_amount_is_exact() -> None:
    assert str(parse_amount("0,10")) == "0.10"


def test_plate_and_policy_number() -> None:
    assert validate(q(QuestionType.PLATE_NUMBER), "1abc123", CTX) == "1-ABC-123"
    assert code_of(q(QuestionType.PLATE_NUMBER), "1-AB-12") == "invalid_plate"
    assert validate(q(QuestionType.POLICY_NUMBER), "123 4567890 02", CTX) == "123-4567890-02"
    assert code_of(q(QuestionType.POLICY_NUMBER), "123-4567890-03") == "policy_number_checksum"
    assert code_of(q(QuestionType.POLICY_NUMBER), "12-345") == "invalid_policy_number"
    assert (
        validate(q(QuestionType.POLICY_NUMBER, checksum="none"), "123456789003", CTX)
        == "123-4567890-03"
    )


def test_choice_by_id_or_label_in_any_language() -> None:
    question = q(QuestionType.CHOICE)
    assert validate(question, "side_window", CTX) == "side_window"
    assert validate(question, "  voorruit ", CTX) == "windscreen"
    assert validate(question, "vitre laterale", CTX) == "side_window"
    assert code_of(question, "roof") == "invalid_choice"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), ("oui", True), ("Nee", False), ("nein", False), ("yes", True)],
)
def test_yes_no(raw: Any, expected: bool) -> None:
    assert validate(q(QuestionType.YES_NO), raw, CTX) is expected


def test_yes_no_refused() -> None:
    assert code_of(q(QuestionType.YES_NO), "maybe") == "invalid_yes_no"
    assert code_of(q(QuestionType.YES_NO), "") == "required"


def test_text_and_place() -> None:
    assert validate(q(QuestionType.FREE_TEXT), "  hello\x00\x07 world \n", CTX) == "hello world"
    assert code_of(q(QuestionType.FREE_TEXT, min_length=10), "short") == "text_too_short"
    assert code_of(q(QuestionType.FREE_TEXT, max_length=5), "too long") == "text_too_long"
    assert validate(q(QuestionType.PLACE), "Gent", CTX) == "Gent"
    assert code_of(q(QuestionType.PLACE), "G") == "text_too_short"


def test_files() -> None:
    a, b = "a" * 32, "b" * 32
    assert validate(q(QuestionType.FILES), [a, b, a], CTX) == [a, b]
    assert code_of(q(QuestionType.FILES), ["../x"]) == "invalid_files"
    assert code_of(q(QuestionType.FILES, max_files=1), [a, b]) == "files_too_many"
    assert code_of(q(QuestionType.FILES, min_files=2), [a]) == "files_too_few"
    assert code_of(q(QuestionType.FILES), []) == "required"
    assert validate(q(QuestionType.FILES, required=False), [], CTX) is None


def test_optional_empty_answer_is_a_skip() -> None:
    for qtype in QuestionType:
        assert validate(q(qtype, required=False), "", CTX) is None


def test_display_values_are_localised() -> None:
    assert display_value(q(QuestionType.AMOUNT), "1234.50", "fr") == "1\u202f234,50\u00a0€"
    assert display_value(q(QuestionType.YES_NO), False, "nl") == "Nee"
    assert display_value(q(QuestionType.CHOICE), "windscreen", "de") == "Windschutzscheibe"
    assert display_value(q(QuestionType.DATE), "2026-03-04", "de") == "04.03.2026"
    assert display_value(q(QuestionType.FILES), ["a" * 32], "en") == "1 file"
    assert display_value(q(QuestionType.TIME), None, "fr") == "Pas de réponse"


def test_every_error_code_has_four_languages_and_is_used() -> None:
    source = "".join(p.read_text() for p in Path(chat_widget.claims.__file__).parent.glob("*.py"))
    raised = set(re.findall(r'InvalidAnswer\(\s*"([a-z_]+)"', source))
    assert raised <= set(error_codes())
    assert set(error_codes()) <= raised
    for code in error_codes():
        texts = {loc: error_message(code, loc, min=1, max=2, policy_start="x") for loc in LOCALES}
        assert all(texts.values()) and len(set(texts.values())) >= 3, code
    for key in ui_keys():
        assert all(ui_text(key, loc, reference="R", count=1) for loc in LOCALES)


def test_free_text_refuses_codes_and_masks_account_numbers() -> None:
    from chat_widget.claims.validation import _text

    with pytest.raises(InvalidAnswer) as refused:
        _text("le voleur a vu mon code pin 4821", 1, 2000)
    assert refused.value.code == "sensitive_blocked"
    kept = _text("remboursez sur BE68 5390 0754 7034 svp", 1, 2000)
    assert "5390 0754" not in kept and kept.startswith("remboursez sur BE68")
