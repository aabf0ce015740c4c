from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.claims import service
from chat_widget.claims.records import ClaimNotDraft, ClaimNotFound, submit_claim
from tests.integration.claims.conftest import POLICY, TODAY, add_customer


def test_every_step_is_saved_and_resumable(db_engine: Engine) -> None:
    customer, stranger = add_customer(db_engine, "bank-1"), add_customer(db_engine)
    with session_scope(db_engine) as session:
        begun = service.begin_claim(
            session=session, customer_id=customer, claim_type="car_theft", locale="fr"
        )
    claim_id = begun.claim.id
    assert begun.step.question is not None and begun.step.question.id == "policy_number"
    for raw in [POLICY, "1-ABC-123", "2026-11-30"]:
        with session_scope(db_engine) as session:
            step = service.answer_current(
                session=session, customer_id=customer, claim_id=claim_id, raw=raw, today=TODAY
            )
    assert step.step.error is not None and step.step.error.code == "date_in_future"
    # "Reload": a new unit of work resumes on the same question, earlier answers kept.
    with session_scope(db_engine) as session:
        resumed = service.resume_claim(session=session, customer_id=customer)
        assert resumed is not None and resumed.claim.id == claim_id
        assert resumed.step.question is not None and resumed.step.question.id == "incident_date"
        assert resumed.claim.answers == {"policy_number": POLICY, "vehicle_plate": "1-ABC-123"}
        back = service.go_back(session=session, customer_id=customer, claim_id=claim_id)
        assert back.step.question is not None and back.step.question.id == "vehicle_plate"
    with session_scope(db_engine) as session:
        edited = service.edit_answer(
            session=session,
            customer_id=customer,
            claim_id=claim_id,
            question_id="vehicle_plate",
            raw="abc123",
            today=TODAY,
        )
        assert edited.claim.answers["vehicle_plate"] == "ABC-123"
        assert service.resume_claim(session=session, customer_id=stranger) is None
    with pytest.raises(ClaimNotFound), session_scope(db_engine) as session:
        service.answer_current(
            session=session, customer_id=stranger, claim_id=claim_id, raw="x", today=TODAY
        )
    answers: list[object] = [
        "2026-11-20",
        "",
        "Gent",
        "parts",
        "PV-1",
        "Radio gestolen uit de wagen",
        "",
        [],
        [],
    ]
    with session_scope(db_engine) as session:
        for answer in answers:
            step = service.answer_current(
                session=session, customer_id=customer, claim_id=claim_id, raw=answer, today=TODAY
            )
            assert step.step.error is None, step.step.error
        assert step.step.question is None
        submit_claim(session=session, customer_id=customer, claim_id=claim_id)
    with pytest.raises(ClaimNotDraft), session_scope(db_engine) as session:
        service.go_back(session=session, customer_id=customer, claim_id=claim_id)
    with session_scope(db_engine) as session:
        assert service.resume_claim(session=session, customer_id=customer) is None
