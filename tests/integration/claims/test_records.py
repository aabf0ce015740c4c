from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.claims import flow
from chat_widget.claims.records import (
    Claim,
    ClaimError,
    ClaimNotDraft,
    ClaimNotFound,
    ClaimStatus,
    InvalidTransition,
    get_claim_for_customer,
    get_claim_for_handler,
    get_draft_for_customer,
    list_claims,
    list_claims_for_customer,
    save_draft,
    set_status,
    status_history,
    submit_claim,
)
from chat_widget.domain.clock import BANK_ZONE
from chat_widget.domain.models import AuditEvent
from tests.conftest import ManualClock
from tests.integration.claims.conftest import (
    POLICY,
    TODAY,
    add_customer,
    complete_state,
    draft,
)


def submittable(engine: Engine, customer_id: str) -> str:
    """A complete car_vandalism draft needs a photo; car_theft does not: use theft."""
    state = complete_state(
        "car_theft",
        [
            POLICY,
            "1-ABC-123",
            "2026-11-20",
            "",
            "Gent",
            "parts",
            "PV-2026-1",
            "Radio en gps gestolen",
            "",
            [],
            [],
        ],
    )
    return draft(engine, customer_id, state).id


def test_draft_saved_after_each_answer_and_resumed(db_engine: Engine) -> None:
    customer = add_customer(db_engine, "bank-42")
    state = flow.start("car_glass")
    claim = draft(db_engine, customer, state)
    assert claim.status == ClaimStatus.DRAFT and claim.reference is None
    for raw in [POLICY, "1-ABC-123"]:
        state = flow.answer(state, raw, today=TODAY).state
        with session_scope(db_engine) as session:
            save_draft(
                session=session, customer_id=customer, claim_id=claim.id, state=state, locale="nl"
            )
    # "Coming back the next day": a new session finds the draft and the next question.
    with session_scope(db_engine) as session:
        found = get_draft_for_customer(session=session, customer_id=customer)
        assert found is not None and found.id == claim.id
        resumed = flow.load_state(found.state)
        assert resumed["current"] == "incident_date"
        assert found.answers == {"policy_number": POLICY, "vehicle_plate": "1-ABC-123"}
        assert found.locale == "nl"
        assert (
            get_draft_for_customer(session=session, customer_id=customer, claim_type="home_fire")
            is None
        )


def test_other_customer_cannot_see_or_change_a_claim(db_engine: Engine) -> None:
    owner, other = add_customer(db_engine), add_customer(db_engine)
    claim = draft(db_engine, owner)
    with session_scope(db_engine) as session:
        assert get_claim_for_customer(session=session, customer_id=other, claim_id=claim.id) is None
        assert (
            get_claim_for_customer(session=session, customer_id=owner, claim_id=claim.id)
            is not None
        )
        assert get_draft_for_customer(session=session, customer_id=other) is None
        assert list_claims_for_customer(session=session, customer_id=other) == []
    with pytest.raises(ClaimNotFound), session_scope(db_engine) as session:
        save_draft(
            session=session,
            customer_id=other,
            claim_id=claim.id,
            state=flow.start("car_glass"),
            locale="fr",
        )
    with pytest.raises(ClaimNotFound), session_scope(db_engine) as session:
        submit_claim(session=session, customer_id=other, claim_id=claim.id)


def test_submit_refuses_incomplete_and_unknown_files(db_engine: Engine) -> None:
    customer = add_customer(db_engine)
    claim = draft(db_engine, customer)
    with pytest.raises(flow.IncompleteClaim), session_scope(db_engine) as session:
        submit_claim(session=session, customer_id=customer, claim_id=claim.id)
    # Complete, but the photo id was never uploaded to this claim.
    with session_scope(db_engine) as session:
        save_draft(
            session=session,
            customer_id=customer,
            claim_id=claim.id,
            state=complete_state(),
            locale="fr",
        )
    with pytest.raises(ClaimError), session_scope(db_engine) as session:
        submit_claim(session=session, customer_id=customer, claim_id=claim.id)
    with session_scope(db_engine) as session:
        assert session.get(Claim, claim.id).status == ClaimStatus.DRAFT  # type: ignore[union-attr]


def test_submit_allocates_reference_and_history(
    db_engine: Engine, pinned_clock: ManualClock
) -> None:
    customer = add_customer(db_engine)
    claim_id = submittable(db_engine, customer)
    with session_scope(db_engine) as session:
        claim = submit_claim(
            session=session,
            customer_id=customer,
            claim_id=claim_id,
            now=datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
        )
        assert claim.reference == "SIN-2026-000001"
        assert claim.status == ClaimStatus.SUBMITTED and claim.submitted_at == datetime(
            2026, 11, 24, 23, 0, tzinfo=UTC
        )
        assert claim.answers["theft_scope"] == "parts" and "all_keys_present" not in claim.answers
    with pytest.raises(ClaimNotDraft), session_scope(db_engine) as session:
        submit_claim(session=session, customer_id=customer, claim_id=claim_id)
    with pytest.raises(ClaimNotDraft), session_scope(db_engine) as session:
        save_draft(
            session=session,
            customer_id=customer,
            claim_id=claim_id,
            state=flow.start("car_theft"),
            locale="fr",
        )
    second = submittable(db_engine, customer)
    with session_scope(db_engine) as session:
        assert (
            submit_claim(session=session, customer_id=customer, claim_id=second).reference
            == "SIN-2026-000002"
        )
        history = status_history(session=session, claim_id=claim_id)
        assert [(h.from_status, h.to_status) for h in history] == [("draft", "submitted")]


def test_references_restart_each_year(db_engine: Engine) -> None:
    customer = add_customer(db_engine)
    refs = []
    for year in (2026, 2027, 2027):
        claim_id = submittable(db_engine, customer)
        with session_scope(db_engine) as session:
            refs.append(
                submit_claim(
                    session=session,
                    customer_id=customer,
                    claim_id=claim_id,
                    now=datetime(year, 1, 2, tzinfo=UTC),
                ).reference
            )
    assert refs == ["SIN-2026-000001", "SIN-2027-000001", "SIN-2027-000002"]


def test_references_roll_over_at_new_year_in_brussels(
    db_engine: Engine, pinned_clock: ManualClock
) -> None:
    """23:30 UTC on 31 December is already 00:30 on 1 January in Brussels: next year's series."""
    customer = add_customer(db_engine)
    refs = []
    for moment in (
        datetime(2026, 12, 31, 22, 59, tzinfo=UTC),  # 23:59 in Brussels
        datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # 00:30 on 1 January in Brussels
    ):
        pinned_clock.set(moment)
        claim_id = submittable(db_engine, customer)
        with session_scope(db_engine) as session:
            refs.append(
                submit_claim(session=session, customer_id=customer, claim_id=claim_id).reference
            )
    assert refs == ["SIN-2026-000001", "SIN-2027-000001"]


def _in_threads(n: int, work) -> list[object]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_concurrent_submits_get_unique_consecutive_references(
    db_engine: Engine, pinned_clock: ManualClock
) -> None:
    n = 8
    customers = [add_customer(db_engine) for _ in range(n)]
    claims = [submittable(db_engine, c) for c in customers]

    def submit(i: int) -> str | None:
        with session_scope(db_engine) as session:
            return submit_claim(
                session=session, customer_id=customers[i], claim_id=claims[i]
            ).reference

    results = _in_threads(n, submit)
    assert all(isinstance(r, str) for r in results), results
    year = pinned_clock().astimezone(BANK_ZONE).year
    assert sorted(results) == [f"SIN-{year}-{k:06d}" for k in range(1, n + 1)]  # type: ignore[type-var]


def test_double_submit_of_one_claim_has_one_winner(db_engine: Engine) -> None:
    customer = add_customer(db_engine)
    claim_id = submittable(db_engine, customer)

    def submit(_: int) -> str | None:
        with session_scope(db_engine) as session:
            return submit_claim(session=session, customer_id=customer, claim_id=claim_id).reference

    results = _in_threads(4, submit)
    assert sum(isinstance(r, str) for r in results) == 1, results
    assert sum(isinstance(r, ClaimNotDraft) for r in results) == 3, results
    with session_scope(db_engine) as session:
        assert len(status_history(session=session, claim_id=claim_id)) == 1


def test_handler_view_is_audited_and_status_changes_recorded(db_engine: Engine) -> None:
    customer = add_customer(db_engine)
    claim_id = submittable(db_engine, customer)
    with session_scope(db_engine) as session:
        submit_claim(session=session, customer_id=customer, claim_id=claim_id)
    with session_scope(db_engine) as session:
        seen = get_claim_for_handler(
            session=session, handler_id="emp-7", claim_id=claim_id, reason="new claim triage"
        )
        assert seen is not None and seen.id == claim_id
        assert (
            get_claim_for_handler(
                session=session, handler_id="emp-7", claim_id="f" * 32, reason="typo"
            )
            is None
        )
        set_status(
            session=session,
            claim_id=claim_id,
            status="in_review",
            actor_id="emp-7",
            note="expert sent",
        )
        with pytest.raises(InvalidTransition):
            set_status(session=session, claim_id=claim_id, status="draft", actor_id="emp-7")
        set_status(
            session=session, claim_id=claim_id, status=ClaimStatus.ACCEPTED, actor_id="emp-7"
        )
    with session_scope(db_engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.actor_id == "emp-7")).all()
        actions = sorted(e.action for e in events)
        assert actions == [
            "claim.set_status",
            "claim.set_status",
            "claim.view",
            "claim.view_missing",
        ]
        view = next(e for e in events if e.action == "claim.view")
        assert view.reason == "new claim triage" and view.target_id == claim_id
        history = [
            (h.from_status, h.to_status) for h in status_history(session=session, claim_id=claim_id)
        ]
        assert history == [
            ("draft", "submitted"),
            ("submitted", "in_review"),
            ("in_review", "accepted"),
        ]
        assert (
            get_claim_for_customer(session=session, customer_id=customer, claim_id=claim_id).status
            == "accepted"
        )  # type: ignore[union-attr]


def test_list_claims_filters(db_engine: Engine) -> None:
    customer = add_customer(db_engine)
    ids = []
    for day in (1, 10, 20):
        claim_id = submittable(db_engine, customer)
        with session_scope(db_engine) as session:
            submit_claim(
                session=session,
                customer_id=customer,
                claim_id=claim_id,
                now=datetime(2026, 11, day, 12, tzinfo=UTC),
            )
        ids.append(claim_id)
    draft(db_engine, customer)
    with session_scope(db_engine) as session:
        set_status(session=session, claim_id=ids[0], status="rejected", actor_id="emp")
        assert [c.id for c in list_claims(session=session)] == ids[::-1]
        assert len(list_claims(session=session, include_drafts=True)) == 4
        assert [c.id for c in list_claims(session=session, status="rejected")] == [ids[0]]
        assert list_claims(session=session, claim_type="home_fire") == []
        window = list_claims(
            session=session,
            submitted_from=datetime(2026, 11, 5),
            submitted_to=datetime(2026, 11, 15),
        )
        assert [c.id for c in window] == [ids[1]]
        assert len(list_claims(session=session, limit=2)) == 2


def test_policy_start_kept_and_handler_needs_a_reason(db_engine: Engine) -> None:
    from datetime import date

    from chat_widget.claims.document import display_answers
    from chat_widget.claims.i18n import status_label

    customer = add_customer(db_engine)
    claim = draft(db_engine, customer, flow.start("home_fire", policy_start=date(2025, 6, 1)))
    assert claim.policy_start == date(2025, 6, 1)
    with pytest.raises(ValueError), session_scope(db_engine) as session:
        get_claim_for_handler(session=session, handler_id="emp", claim_id=claim.id, reason="  ")
    assert status_label(claim.status, "nl") == "Concept"
    state = flow.answer(flow.load_state(claim.state), POLICY, today=TODAY).state
    with session_scope(db_engine) as session:
        saved = save_draft(
            session=session, customer_id=customer, claim_id=claim.id, state=state, locale="de"
        )
        lines = display_answers(saved, "de")
    assert [(x.question_id, x.display_value) for x in lines] == [("policy_number", POLICY)]
