"""ClaimState assigns the vars that ``ui.claim_screen`` computes: every name must be one of its
vars (a typo would otherwise only show in a browser)."""

from __future__ import annotations

from chat_widget.claims.view import ClaimView, FileItem, SummaryRow
from chat_widget.ui import claim_screen
from chat_widget.ui.claim_state import ClaimState

QUESTION = {
    "id": "incident_place",
    "type": "place",
    "label": "Where?",
    "help": None,
    "required": True,
    "options": [{"id": "a", "label": "A"}],
}


def view(question: dict[str, object] | None, error: str = "") -> ClaimView:
    return ClaimView(
        claim_id="c1",
        type_label="Glass",
        phase="question" if question else "summary",
        question=question,
        value="Gent",
        error=error,
        files=[FileItem("f1", "a.jpg", "/f1")],
        summary=[SummaryRow("q", "Q", "v")],
        missing=False,
        step=4,
        steps=8,
    )


def test_every_assigned_name_is_a_claim_state_var() -> None:
    declared = {name for cls in ClaimState.__mro__ for name in vars(cls).get("__annotations__", {})}
    names = set(ClaimState.vars) | {name for name in declared if name.startswith("_")}
    assert "_claim_id" in names
    for shown in (view(QUESTION), view(None)):
        for same in (True, False):
            assert set(claim_screen.view_vars(shown, same_question=same)) <= names
    assert set(claim_screen.sent_vars("SIN-2026-000001", "en")) <= names


def test_a_new_question_forgets_the_last_upload_reports_and_a_refusal_focuses_the_field() -> None:
    assert "file_reports" not in claim_screen.view_vars(view(QUESTION), same_question=True)
    assert claim_screen.view_vars(view(QUESTION), same_question=False)["file_reports"] == []
    assert claim_screen.focus_target(view(QUESTION, error="No")) == "cw-claim-input"
    assert claim_screen.focus_target(view(QUESTION)) == "cw-claim-q"
    assert claim_screen.focus_target(view(None)) == "cw-claim-heading"


def test_upload_progress_never_stays_uploading_after_the_last_report() -> None:
    assert claim_screen.upload_progress({"progress": 0.5}) == (True, 50)
    assert claim_screen.upload_progress({"progress": 1}) == (False, 100)
    assert claim_screen.upload_progress({"progress": "x"}) == (True, 0)
