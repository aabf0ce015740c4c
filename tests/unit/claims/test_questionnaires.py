from __future__ import annotations

import pytest

from chat_widget.claims.questions import (
    QuestionnaireError,
    QuestionType,
    claim_types,
    parse_questionnaire,
    questionnaires,
)
from chat_widget.i18n import LOCALES

EXPECTED_TYPES = {
    "car_accident",
    "car_glass",
    "car_theft",
    "car_vandalism",
    "home_water_damage",
    "home_fire",
    "home_storm",
    "home_burglary",
    "home_glass",
    "travel_assistance",
    "family_liability",
}


def test_every_claim_type_loads() -> None:
    assert set(questionnaires()) == EXPECTED_TYPES
    families = {q.family for q in questionnaires().values()}
    assert families == {"car", "home", "travel", "liability"}


def test_every_label_and_option_exists_in_four_languages() -> None:
    for form in questionnaires().values():
        assert set(form.label) == set(LOCALES)
        for q in form.questions:
            assert all(q.label[loc].strip() for loc in LOCALES), q.id
            for option in q.options:
                assert all(option.label[loc].strip() for loc in LOCALES), (q.id, option.id)


def test_every_question_type_is_used_somewhere() -> None:
    used = {q.type for form in questionnaires().values() for q in form.questions}
    assert used == set(QuestionType)


def test_claim_types_for_buttons_are_translated() -> None:
    nl = {c["type"]: c["label"] for c in claim_types("nl")}
    assert nl["car_accident"] == "Auto-ongeval"
    assert len(nl) == len(EXPECTED_TYPES)


def _label(text: str) -> dict[str, str]:
    return {loc: text for loc in LOCALES}


@pytest.mark.parametrize(
    "questions",
    [
        [
            {
                "id": "a",
                "type": "yes_no",
                "label": _label("A"),
                "show_if": [{"question": "b", "equals": True}],
            },
            {"id": "b", "type": "yes_no", "label": _label("B")},
        ],
        [{"id": "a", "type": "mystery", "label": _label("A")}],
        [{"id": "a", "type": "yes_no", "label": {"fr": "A", "en": "A"}}],
        [
            {"id": "a", "type": "yes_no", "label": _label("A")},
            {"id": "a", "type": "yes_no", "label": _label("A")},
        ],
        [
            {
                "id": "a",
                "type": "choice",
                "label": _label("A"),
                "options": [{"id": "x", "label": _label("X")}, {"id": "y", "label": _label("Y")}],
            },
            {
                "id": "b",
                "type": "yes_no",
                "label": _label("B"),
                "show_if": [{"question": "a", "equals": "z"}],
            },
        ],
        [{"ref": "nope"}],
    ],
)
def test_inconsistent_data_is_refused_at_load(questions: list[dict[str, object]]) -> None:
    with pytest.raises(QuestionnaireError):
        parse_questionnaire(
            {"type": "t", "family": "f", "label": _label("T"), "questions": questions}, {}
        )


def test_every_question_has_a_short_summary_label_in_four_languages() -> None:
    from chat_widget.claims.flow import short_label
    from chat_widget.i18n import translations

    for form in questionnaires().values():
        for q in form.questions:
            assert translations.has("claims", f"summary.{q.id}"), q.id
            for locale in LOCALES:
                short = short_label(q, locale)
                assert short and len(short) <= 32, (q.id, locale, short)
