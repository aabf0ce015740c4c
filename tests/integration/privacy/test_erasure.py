"""Erasure with canaries: erased data is nowhere (any table, any file); kept data is exactly
where the law keeps it, and the statement says so."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.domain.models import AuditEvent, ConsentRecord, Customer
from chat_widget.meetings.records import MeetingAppointment
from chat_widget.privacy import CustomerNotFound, erase_customer
from tests.integration.privacy.helpers import (
    NOW,
    add_agent,
    db_text,
    seed_customer,
    where_in_db,
    where_in_files,
)

ERASABLE = (
    "assistant",
    "summary",
    "review",
    "live",
    "rating",
    "note",
    "chat_file",
    "device",
    "draft",
    "draft_file",
    "claim_chat",
    "appt_future",
    "appt_past",
)


def _erase(engine: Engine, store: LocalFileStore, customer_id: str):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return erase_customer(
            session=session, store=store, customer_id=customer_id, actor="admin.alice", now=NOW
        )


def test_canaries_are_gone_except_where_the_law_keeps_them(
    engine: Engine, store: LocalFileStore
) -> None:
    agent = add_agent(engine)
    target = seed_customer(
        engine, store, prefix="A", external_ref="REF-A", agent_id=agent, reference_number=1
    )
    other = seed_customer(
        engine, store, prefix="B", external_ref="REF-B", agent_id=agent, reference_number=2
    )
    # Every canary is really there before, or the test would prove nothing.
    before = db_text(engine)
    for key in target.canaries:
        assert where_in_db(before, target.c(key)), key
    assert where_in_files(store.root, target.c("draft_file"))
    assert where_in_files(store.root, target.c("chat_file"))
    with session_scope(engine) as session:
        audit_before = session.exec(select(func.count()).select_from(AuditEvent)).one()

    report = _erase(engine, store, target.customer_id)

    after = db_text(engine)
    for key in ERASABLE:
        assert where_in_db(after, target.c(key)) == set(), key
        assert where_in_files(store.root, target.c(key)) == [], key
    # Kept by insurance law: the submitted claim's answers and its file, nothing more.
    assert where_in_db(after, target.c("kept")) == {("claim", "answers"), ("claim", "state")}
    assert where_in_db(after, target.c("kept_file")) == {("claim_file", "original_name")}
    assert len(where_in_files(store.root, target.c("kept_file"))) == 1
    # Kept by MiFID II: the held investment meeting.
    assert where_in_db(after, target.c("appt_mifid")) == {("meeting_appointment", "customer_name")}
    # The other customer is untouched.
    for key in other.canaries:
        assert where_in_db(after, other.c(key)), key
    assert where_in_files(store.root, other.c("draft_file"))
    assert where_in_files(store.root, other.c("chat_file"))

    statement = {item.category: item for item in report.statement("en")}
    assert statement["submitted_claims"].status == "kept"
    assert statement["submitted_claims"].references == ("SIN-2026-000001",)
    assert "Insurance Act" in statement["submitted_claims"].text
    assert statement["investment_meetings"].count == 1
    assert statement["audit_log"].status == "kept"
    assert statement["draft_claims"].status == "erased" and statement["draft_claims"].count == 1
    assert (
        report.erased["assistant_conversations"] == 1
        and report.erased["live_chat_conversations"] == 1
    )
    # The draft claim's file and the live-chat attachment.
    assert report.erased["appointments"] == 2 and report.files_deleted == 2
    # The upcoming meeting still exists in Bookings: the caller is told to cancel it.
    assert report.bookings_to_cancel == ("graph-A-daily_banking-29",)
    assert [item.category for item in report.statement("de")] == [
        item.category for item in report.statement("fr")
    ]

    with session_scope(engine) as session:
        customer = session.get(Customer, target.customer_id)
        assert customer is not None and customer.external_ref is None
        kept_consents = session.exec(
            select(ConsentRecord).where(ConsentRecord.customer_id == target.customer_id)
        ).all()
        assert [c.purpose for c in kept_consents] == ["video"]
        meeting = session.exec(
            select(MeetingAppointment).where(MeetingAppointment.customer_id == target.customer_id)
        ).one()
        assert meeting.topic == "investments" and meeting.join_url is None
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "privacy.erase")).all()
        assert len(events) == 1
        assert events[0].actor_id == "admin.alice" and events[0].target_id == target.customer_id
        assert events[0].details["kept_claim_references"] == ["SIN-2026-000001"]
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == audit_before + 1


def test_customer_with_nothing_kept_is_deleted_and_a_second_erasure_finds_nothing(
    engine: Engine, store: LocalFileStore
) -> None:
    agent = add_agent(engine)
    seeded = seed_customer(engine, store, prefix="C", external_ref="REF-C", agent_id=agent)
    with session_scope(engine) as session:
        session.delete(
            session.exec(
                select(MeetingAppointment).where(MeetingAppointment.topic == "investments")
            ).one()
        )
    from chat_widget.claims.records import Claim, ClaimFile, ClaimStatusChange

    with session_scope(engine) as session:
        submitted = session.get(Claim, seeded.ids["submitted"])
        assert submitted is not None
        for table in (ClaimFile, ClaimStatusChange):
            for row in session.exec(select(table).where(table.claim_id == submitted.id)).all():
                session.delete(row)
        session.flush()
        session.delete(submitted)
    report = _erase(engine, store, seeded.customer_id)
    assert report.customer_deleted and report.kept["submitted_claims"] == 0
    assert [i.category for i in report.statement("fr") if i.status == "kept"] == ["audit_log"]
    with session_scope(engine) as session:
        assert session.get(Customer, seeded.customer_id) is None
    with pytest.raises(CustomerNotFound):
        _erase(engine, store, seeded.customer_id)


def test_the_scan_sees_every_text_and_json_column() -> None:
    from tests.integration.privacy.helpers import text_columns

    columns = set(text_columns())
    for expected in [
        ("message", "body"),
        ("claim", "answers"),
        ("claim_file", "original_name"),
        ("device_profile", "data"),
        ("assistant_review_item", "text"),
        ("internalnote", "body"),
        ("meeting_appointment", "customer_name"),
        ("auditevent", "details"),
    ]:
        assert expected in columns
