"""Every example the customer is shown (question help, error messages) passes validation.

Why: the policy number example in the help text once failed its own checksum; a customer who
copied the pattern was told it was wrong.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from chat_widget.claims.i18n import error_codes
from chat_widget.claims.questions import Question, QuestionType, questionnaires
from chat_widget.claims.validation import ValidationContext, validate
from chat_widget.i18n import LOCALES
from chat_widget.i18n.translations import raw

CTX = ValidationContext(today=date(2026, 11, 24))
#: "par ex. X", "bv. X", "e.g. X", "z. B. X" (any case), up to the end or a closing full stop.
EXAMPLE = re.compile(r"(?:par ex\.|bv\.|e\.g\.|z\. ?b\.)\s*(.+?)\.?$", re.IGNORECASE)
#: The question type each error message with an example is about.
ERROR_TYPES = {
    "invalid_time": QuestionType.TIME,
    "invalid_amount": QuestionType.AMOUNT,
    "invalid_policy_number": QuestionType.POLICY_NUMBER,
}


def _example(text: str) -> str | None:
    found = EXAMPLE.search(text.strip())
    return found.group(1).strip() if found else None


def _help_examples() -> list[tuple[str, Question, str, str]]:
    cases = []
    for ctype, questionnaire in questionnaires().items():
        for question in questionnaire.questions:
            for locale, text in (question.help or {}).items():
                example = _example(text)
                if example:
                    cases.append((f"{ctype}/{question.id}/{locale}", question, locale, example))
    return cases


HELP_CASES = _help_examples()


def test_the_help_texts_do_have_examples() -> None:
    ids = {case[1].id for case in HELP_CASES}
    assert "policy_number" in ids
    assert len({case[3] for case in HELP_CASES if case[1].id == "policy_number"}) == 1


@pytest.mark.parametrize(("where", "question", "locale", "example"), HELP_CASES)
def test_every_help_example_validates(
    where: str, question: Question, locale: str, example: str
) -> None:
    validate(question, example, CTX)


def _error_cases() -> list[tuple[str, str, str]]:
    cases = []
    for code in error_codes():
        for locale in LOCALES:
            example = _example(raw("claims", locale, f"errors.{code}") or "")
            if example:
                cases.append((code, locale, example))
    return cases


@pytest.mark.parametrize(("code", "locale", "example"), _error_cases())
def test_every_error_message_example_validates(code: str, locale: str, example: str) -> None:
    assert code in ERROR_TYPES, f"{code}: which question type does its example belong to?"
    question = Question(id="q", type=ERROR_TYPES[code], label=dict.fromkeys(LOCALES, "q"))
    validate(question, example, CTX)
