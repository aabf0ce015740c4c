from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from chat_widget.claims import flow

TODAY = date(2026, 11, 24)
POLICY = "123-4567890-02"


def run(state: dict[str, Any], *answers: Any) -> dict[str, Any]:
    for raw in answers:
        result = flow.answer(state, raw, today=TODAY)
        assert result.error is None, (state["current"], raw, result.error)
        state = result.state
    return state


def ids(state: dict[str, Any]) -> list[str]:
    return [q.id for q in flow.visible_questions(state)]


def test_start_points_at_first_question_and_state_is_json() -> None:
    state = flow.start("car_accident", policy_start=date(2025, 1, 1))
    assert state["current"] == "policy_number"
    assert json.loads(json.dumps(state)) == state
    assert flow.load_state(json.loads(json.dumps(state))) == state


def test_invalid_answer_keeps_the_question_and_explains() -> None:
    state = run(flow.start("car_accident", policy_start=date(2025, 1, 1)), POLICY, "1-ABC-123")
    result = flow.answer(state, "2024-12-31", today=TODAY)
    assert result.error is not None and result.error.code == "date_before_policy_start"
    assert result.question is not None and result.question.id == "incident_date"
    assert result.state is state
    assert "01/01/2025" in (result.error_message("nl") or "")
    result = flow.answer(state, "tomorrow-ish", today=TODAY)
    assert (
        result.error_message("fr")
        == "Nous ne reconnaissons pas cette date. Indiquez-la sous la forme JJ/MM/AAAA."
    )


def test_conditions_skip_third_party_questions() -> None:
    state = run(flow.start("car_accident"), POLICY, "1-ABC-123", "2026-11-20", "", "Gent", "no")
    assert state["current"] == "injured"
    assert "third_party_kind" not in ids(state)
    with_other = run(
        flow.start("car_accident"), POLICY, "1-ABC-123", "2026-11-20", "", "Gent", "yes"
    )
    assert with_other["current"] == "third_party_kind"
    bike = run(with_other, "cyclist")
    assert bike["current"] == "third_party_insurer"  # plate is only asked for a vehicle
    car = run(with_other, "vehicle")
    assert car["current"] == "third_party_plate"


def test_condition_with_in_list() -> None:
    state = run(flow.start("family_liability"), POLICY, "2026-11-01", "Liège", "child", "property")
    assert state["current"] == "victim_contact"
    state = run(flow.start("family_liability"), POLICY, "2026-11-01", "Liège", "child", "both")
    assert state["current"] == "injured"


def test_back_goes_to_previous_visible_question_and_prefills() -> None:
    state = run(flow.start("car_accident"), POLICY, "1-ABC-123", "2026-11-20", "", "Gent", "no")
    state = flow.back(state).state
    assert state["current"] == "third_party"
    assert flow.current_value(state) is False
    state = flow.back(state).state
    assert state["current"] == "incident_place"
    first = flow.start("car_glass")
    assert flow.back(first).state["current"] == "policy_number"


def test_reanswering_after_back_continues_in_order() -> None:
    state = run(flow.start("car_accident"), POLICY, "1-ABC-123", "2026-11-20", "", "Gent", "no")
    state = flow.back(state).state
    state = run(state, "yes")
    assert state["current"] == "third_party_kind"


def complete_glass() -> dict[str, Any]:
    return run(
        flow.start("car_glass"),
        POLICY,
        "1-ABC-123",
        "2026-11-20",
        "Brussel",
        "windscreen",
        "chip",
        "",
        ["a" * 32],
    )


def test_summary_lists_answers_in_locale() -> None:
    state = complete_glass()
    assert state["current"] is None
    items = {i.question_id: i for i in flow.summary(state, "de")}
    assert items["glass_part"].display_value == "Windschutzscheibe"
    assert items["glass_part"].label == "Welche Scheibe ist beschädigt?"
    assert items["repairer_chosen"].display_value == "Keine Antwort"
    assert items["photos"].display_value == "1 Datei"
    assert list(items)[0] == "policy_number"


def test_back_from_summary_returns_to_last_question() -> None:
    assert flow.back(complete_glass()).state["current"] == "photos"


def test_edit_from_summary_validates_and_returns_to_summary() -> None:
    state = complete_glass()
    bad = flow.edit(state, "incident_date", "2027-01-01", today=TODAY)
    assert bad.error is not None and bad.error.code == "date_in_future" and bad.state is state
    good = flow.edit(state, "glass_part", "Zijruit", today=TODAY)
    assert good.error is None and good.question is None
    assert good.state["answers"]["glass_part"] == "side_window"
    unknown = flow.edit(state, "third_party", True, today=TODAY)
    assert unknown.error is not None and unknown.error.code == "unknown_question"


def test_edit_that_reveals_questions_asks_them_then_summary() -> None:
    state = run(
        flow.start("car_vandalism"),
        POLICY,
        "1-ABC-123",
        "2026-11-20",
        "Namur",
        "no",
        "Rétroviseur arraché cette nuit",
        "",
        ["b" * 32],
    )
    assert state["current"] is None
    result = flow.edit(state, "police_report", "oui", today=TODAY)
    assert result.question is not None and result.question.id == "police_report_number"
    state = run(result.state, "PV 12345")
    assert state["current"] is None
    assert flow.submit(state)["police_report_number"] == "PV 12345"
    # Hiding it again drops it from what is submitted, though the draft remembers it.
    hidden = flow.edit(state, "police_report", False, today=TODAY).state
    assert "police_report_number" not in flow.submit(hidden)
    assert hidden["answers"]["police_report_number"] == "PV 12345"


def test_submit_requires_every_required_visible_answer() -> None:
    state = run(flow.start("car_glass"), POLICY, "1-ABC-123")
    with pytest.raises(flow.IncompleteClaim) as info:
        flow.submit(state)
    assert info.value.missing == [
        "incident_date",
        "incident_place",
        "glass_part",
        "glass_damage",
        "photos",
    ]
    answers = flow.submit(complete_glass())
    assert answers["photos"] == ["a" * 32]
    assert answers["repairer_chosen"] is None


def test_answer_at_summary_is_a_programming_error() -> None:
    with pytest.raises(flow.FlowError):
        flow.answer(complete_glass(), "x", today=TODAY)


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"v": 99},
        {"v": 1, "claim_type": "boat"},
        {"v": 1, "claim_type": "car_glass", "answers": {}, "current": "nope"},
    ],
)
def test_load_state_refuses_garbage(bad: dict[str, Any]) -> None:
    with pytest.raises(flow.FlowError):
        flow.load_state(bad)


def test_load_state_drops_answers_to_removed_questions() -> None:
    state = complete_glass()
    state["answers"]["retired_question"] = "x"
    assert "retired_question" not in flow.load_state(state)["answers"]
