"""Taking a file back out of a draft also takes it out of the answers that listed it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.claims import attachments, flow, service
from chat_widget.claims.records import ClaimNotFound, get_claim_for_customer, submit_claim
from chat_widget.files import UploadLimits
from tests.integration.claims.conftest import POLICY, TODAY, add_customer
from tests.unit.files import samples


def test_removed_file_leaves_the_answer_and_a_required_one_is_missing_again(
    db_engine: Engine, store: LocalFileStore
) -> None:
    customer, stranger = add_customer(db_engine), add_customer(db_engine)
    with session_scope(db_engine) as session:
        claim_id = service.begin_claim(
            session=session, customer_id=customer, claim_type="car_glass", locale="en"
        ).claim.id
        ids = [
            attachments.add_claim_file(
                session=session,
                store=store,
                customer_id=customer,
                claim_id=claim_id,
                filename=f"{n}.jpg",
                data=samples.jpeg(),
                limits=UploadLimits(),
            ).id
            for n in ("a", "b")
        ]
        for raw in [POLICY, "1-ABC-123", "2026-11-20", "Gent", "windscreen", "chip", "", ids]:
            step = service.answer_current(
                session=session, customer_id=customer, claim_id=claim_id, raw=raw, today=TODAY
            )
            assert step.step.error is None, raw
    with session_scope(db_engine) as session:
        # Not another customer, and not a file that is not part of this claim.
        with pytest.raises(ClaimNotFound):
            service.remove_file(
                session=session,
                store=store,
                customer_id=stranger,
                claim_id=claim_id,
                file_id=ids[0],
            )
        assert not service.remove_file(
            session=session, store=store, customer_id=customer, claim_id=claim_id, file_id="f" * 32
        )
        assert service.remove_file(
            session=session, store=store, customer_id=customer, claim_id=claim_id, file_id=ids[0]
        )
        claim = get_claim_for_customer(session=session, customer_id=customer, claim_id=claim_id)
        assert claim is not None and claim.answers["photos"] == [ids[1]]
        assert service.remove_file(
            session=session, store=store, customer_id=customer, claim_id=claim_id, file_id=ids[1]
        )
        claim = get_claim_for_customer(session=session, customer_id=customer, claim_id=claim_id)
        assert claim is not None and claim.answers["photos"] is None
        assert flow.missing_required(flow.load_state(claim.state)) == ["photos"]
    with session_scope(db_engine) as session, pytest.raises(flow.IncompleteClaim) as refused:
        submit_claim(session=session, customer_id=customer, claim_id=claim_id)
    assert refused.value.missing == ["photos"]


def test_without_file_is_pure() -> None:
    state: dict[str, Any] = {
        "v": 1,
        "claim_type": "car_glass",
        "current": None,
        "answers": {"photos": ["x", "y"]},
    }
    new = flow.without_file(state, "x")
    assert new["answers"]["photos"] == ["y"]
    assert state["answers"]["photos"] == ["x", "y"]
    assert flow.without_file(state, "z") == state
