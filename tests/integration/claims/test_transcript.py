"""Accepted answers become the claim's conversation, which its JSON document carries."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.claims import service, transcript
from chat_widget.claims.document import load_claim_document
from tests.integration.claims.conftest import POLICY, TODAY, add_customer


def test_each_accepted_answer_is_stored_as_question_and_answer(db_engine: Engine) -> None:
    customer = add_customer(db_engine)
    with session_scope(db_engine) as session:
        conversation = transcript.start_claim_conversation(
            session=session, customer_id=customer, locale="en"
        )
        claim_id = service.begin_claim(
            session=session,
            customer_id=customer,
            claim_type="car_glass",
            locale="en",
            conversation_id=conversation,
        ).claim.id
    for question_id, raw in [
        ("policy_number", POLICY),
        ("vehicle_plate", "nonsense!"),  # refused: not part of the conversation
        ("vehicle_plate", "1-abc-123"),
    ]:
        with session_scope(db_engine) as session:
            step = service.answer_current(
                session=session, customer_id=customer, claim_id=claim_id, raw=raw, today=TODAY
            )
            if step.step.error is None:
                transcript.record_answer(
                    session=session, claim=step.claim, question_id=question_id, edited=False
                )
    with session_scope(db_engine) as session:
        step = service.edit_answer(
            session=session,
            customer_id=customer,
            claim_id=claim_id,
            question_id="vehicle_plate",
            raw="2-xyz-987",
            today=TODAY,
        )
        transcript.record_answer(
            session=session, claim=step.claim, question_id="vehicle_plate", edited=True
        )
    with session_scope(db_engine) as session:
        document = load_claim_document(session=session, claim_id=claim_id)
    assert document is not None
    lines = [(m["author_kind"], m["body"]) for m in document["transcript"]]
    assert lines == [
        ("assistant", "What is your policy number?"),
        ("customer", POLICY),
        ("assistant", "What is the licence plate of your vehicle?"),
        ("customer", "1-ABC-123"),
        ("assistant", "What is the licence plate of your vehicle?"),
        ("customer", "2-XYZ-987"),
    ]
