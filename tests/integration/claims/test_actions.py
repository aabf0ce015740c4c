"""The claim screen's use cases, as ClaimState calls them: one function, one next screen."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.claims import actions, records, service, view
from chat_widget.claims.view import ClaimView
from chat_widget.files import UploadLimits
from tests.integration.claims.conftest import POLICY, TODAY, add_customer
from tests.unit.files import samples


def link(file_id: str) -> str:
    return f"/files/{file_id}"


def start(engine: Engine, customer: str) -> ClaimView:
    with session_scope(engine) as session:
        return actions.start(
            session, customer_id=customer, claim_type="car_glass", locale="en", links=link
        )


def answer(
    engine: Engine, customer: str, claim_id: str, question_id: str, raw: Any, editing: bool = False
) -> ClaimView:
    with session_scope(engine) as session:
        return actions.answer(
            session,
            customer_id=customer,
            claim_id=claim_id,
            question_id=question_id,
            raw=raw,
            editing=editing,
            today=TODAY,
            locale="en",
            links=link,
        )


def back(
    engine: Engine, customer: str, claim_id: str, current: str, editing: bool = False
) -> ClaimView | None:
    with session_scope(engine) as session:
        return actions.back(
            session,
            customer_id=customer,
            claim_id=claim_id,
            current=current,
            editing=editing,
            locale="en",
            links=link,
        )


def question_id(shown: ClaimView | None) -> str | None:
    return None if shown is None or shown.question is None else str(shown.question["id"])


def test_a_new_claim_starts_on_its_first_question_with_its_progress(db_engine: Engine) -> None:
    shown = start(db_engine, add_customer(db_engine))
    assert question_id(shown) == "policy_number" and shown.phase == "question"
    assert (shown.step, shown.steps, shown.editing, shown.error) == (1, 8, False, "")


def test_a_page_left_behind_in_another_tab_shows_where_the_claim_is(db_engine: Engine) -> None:
    customer = add_customer(db_engine)
    claim_id = start(db_engine, customer).claim_id
    assert question_id(answer(db_engine, customer, claim_id, "policy_number", POLICY)) == (
        "vehicle_plate"
    )
    # The old tab still shows the policy question: its answer must not go to the plate.
    stale = answer(db_engine, customer, claim_id, "policy_number", "1-XYZ-999")
    assert question_id(stale) == "vehicle_plate" and stale.error == ""
    with session_scope(db_engine) as session:
        claim = records.get_claim_for_customer(
            session=session, customer_id=customer, claim_id=claim_id
        )
        assert claim is not None and claim.answers == {"policy_number": POLICY}


def test_a_refused_answer_comes_back_as_typed_with_its_reason(db_engine: Engine) -> None:
    customer = add_customer(db_engine)
    claim_id = start(db_engine, customer).claim_id
    refused = answer(db_engine, customer, claim_id, "policy_number", "nonsense")
    assert question_id(refused) == "policy_number"
    assert refused.value == "nonsense" and refused.error


def test_back_from_the_first_question_drops_an_untouched_draft_only(db_engine: Engine) -> None:
    customer = add_customer(db_engine)
    untouched = start(db_engine, customer).claim_id
    assert back(db_engine, customer, untouched, "policy_number") is None
    with session_scope(db_engine) as session:
        assert service.resume_claim(session=session, customer_id=customer) is None

    kept = start(db_engine, customer).claim_id
    answer(db_engine, customer, kept, "policy_number", POLICY)
    assert question_id(back(db_engine, customer, kept, "vehicle_plate")) == "policy_number"
    assert back(db_engine, customer, kept, "policy_number") is None  # to the claim types
    with session_scope(db_engine) as session:
        resumed = service.resume_claim(session=session, customer_id=customer)
        assert resumed is not None and resumed.claim.id == kept


def _at_summary(engine: Engine, store: LocalFileStore) -> tuple[str, str]:
    customer = add_customer(engine)
    claim_id = start(engine, customer).claim_id
    with session_scope(engine) as session:
        photo = actions.add_file(
            session,
            store=store,
            customer_id=customer,
            claim_id=claim_id,
            filename="windscreen.jpg",
            data=samples.jpeg(),
            limits=UploadLimits(),
            links=link,
        )
    assert photo.url == link(photo.id) == photo.thumb  # a photo shows itself
    ids = ["policy_number", "vehicle_plate", "incident_date", "incident_place", "glass_part"]
    raws: list[Any] = [POLICY, "1-ABC-123", "2026-11-20", "Gent", "windscreen"]
    for qid, raw in [
        *zip(ids, raws, strict=True),
        ("glass_damage", "chip"),
        ("repairer_chosen", ""),
        ("photos", [photo.id]),
    ]:
        shown = answer(engine, customer, claim_id, qid, raw)
    assert shown.phase == "summary" and not shown.missing
    assert [f.id for row in shown.summary for f in row.files] == [photo.id]
    return customer, claim_id


def test_an_answer_changed_from_the_summary(db_engine: Engine, store: LocalFileStore) -> None:
    customer, claim_id = _at_summary(db_engine, store)
    with session_scope(db_engine) as session:
        opened = actions.edit(
            session,
            customer_id=customer,
            claim_id=claim_id,
            question_id="incident_place",
            locale="en",
            links=link,
        )
        assert question_id(opened) == "incident_place" and opened.editing
        assert opened.value == "Gent"
        with pytest.raises(records.ClaimNotFound):  # not a question of this claim
            actions.edit(
                session,
                customer_id=customer,
                claim_id=claim_id,
                question_id="nowhere",
                locale="en",
                links=link,
            )
    refused = answer(db_engine, customer, claim_id, "incident_date", "2099-01-01", editing=True)
    assert question_id(refused) == "incident_date" and refused.editing and refused.error
    # Leaving the change changes nothing: back to where the claim stands.
    left = back(db_engine, customer, claim_id, "incident_date", editing=True)
    assert left is not None and left.phase == "summary"
    changed = answer(db_engine, customer, claim_id, "incident_place", "Liège", editing=True)
    assert changed.phase == "summary" and not changed.editing


def test_sent_claims_are_listed_and_can_no_longer_change(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer, claim_id = _at_summary(db_engine, store)
    with session_scope(db_engine) as session:
        assert view.my_claims(session, customer_id=customer, locale="en") == []
        reference = actions.submit(session, customer_id=customer, claim_id=claim_id)
    with session_scope(db_engine) as session:
        (sent,) = view.my_claims(session, customer_id=customer, locale="en")
        assert sent.reference == reference != "" and sent.submitted
        assert (
            view.draft_view(
                session, claim_id=claim_id, customer_id=customer, locale="en", links=link
            )
            is None
        )
        assert not actions.remove_file(
            session, store=store, customer_id=customer, claim_id=claim_id, file_id="0" * 32
        )
    with pytest.raises(records.ClaimNotDraft):
        answer(db_engine, customer, claim_id, "incident_place", "Gent", editing=True)
