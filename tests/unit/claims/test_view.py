"""The claim screen's labels that need no database: type groups, progress, typed values."""

from __future__ import annotations

import pytest

from chat_widget.claims import view
from chat_widget.claims.questions import claim_types
from chat_widget.i18n import catalog


def test_claim_types_come_under_their_family_in_the_bank_s_order() -> None:
    groups = view.type_groups("en")
    tr = catalog("en")
    first = [tr[f"claim.family.{family}"] for family in view.FAMILY_ORDER]
    assert [g.label for g in groups][: len(first)] == first
    assert sum(len(g.types) for g in groups) == len(claim_types("en"))
    assert groups[0].types and all(t.type.startswith("car") for t in groups[0].types)


@pytest.mark.parametrize(("step", "steps", "empty"), [(3, 9, False), (0, 9, True), (1, 0, True)])
def test_progress_only_with_a_step_of_some(step: int, steps: int, empty: bool) -> None:
    text = view.progress_text(step, steps, "en")
    assert (text == "") is empty
    assert empty or ("3" in text and "9" in text)


@pytest.mark.parametrize(
    ("value", "text"),
    [(True, "yes"), (False, "no"), (None, ""), (["f1"], ""), ({"a": 1}, ""), (12.5, "12.5")],
)
def test_an_answer_shown_again_in_its_field(value: object, text: str) -> None:
    assert view.as_text(value) == text


def test_a_retired_claim_type_shows_its_code() -> None:
    assert view.type_label("retired_type", "fr") == "retired_type"
    assert view.type_label("car_glass", "en") != "car_glass"
