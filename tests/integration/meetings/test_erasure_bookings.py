"""Erasure and retention reach Microsoft Bookings: appointments cancelled, the Bookings customer
deleted, through a durable queue that survives Graph being down (issue 11/12)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.domain.models import Customer
from chat_widget.meetings.booking import BookingService, OutcomeStatus
from chat_widget.meetings.records import (
    CleanupStatus,
    GraphCleanup,
    MeetingAppointment,
    MeetingCustomer,
)
from chat_widget.privacy.__main__ import main as privacy_main
from chat_widget.privacy.erasure import erase_customer
from chat_widget.privacy.purge import purge_expired
from tests.conftest import ManualClock
from tests.fakes.fake_graph import FakeGraph

from .conftest import BUSINESS_ID, SERVICE_IDS, TOKEN, make_customer


async def book(service: BookingService, customer_id: str, index: int = 0) -> str:
    slots = await service.free_slots(topic="daily_banking", locale="fr")
    outcome = await service.book(
        customer_id=customer_id,
        topic="daily_banking",
        locale="fr",
        slot=slots[index],
        customer_name="Jean Dupont",
        customer_email="jean@example.be",
    )
    assert outcome.status is OutcomeStatus.BOOKED and outcome.appointment is not None
    return outcome.appointment.booking_id


def erase(engine: Engine, store: LocalFileStore, customer_id: str):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return erase_customer(
            session=session,
            store=store,
            customer_id=customer_id,
            actor=customer_id,
            actor_kind="customer",
        )


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files")


async def test_erasure_cancels_bookings_and_deletes_the_bookings_customer(
    service: BookingService,
    fake_graph: FakeGraph,
    customer_id: str,
    db_engine: Engine,
    store: LocalFileStore,
) -> None:
    await book(service, customer_id, 0)
    await book(service, customer_id, 3)
    assert len(fake_graph.live_appointments()) == 2 and len(fake_graph.customers()) == 1

    report = erase(db_engine, store, customer_id)
    assert len(report.bookings_to_cancel) == 2 and len(report.cleanup_ids) == 3
    with session_scope(db_engine) as session:
        # The local rows holding the Graph ids are gone; the queue keeps the ids.
        assert session.exec(select(MeetingAppointment)).all() == []
        assert session.exec(select(MeetingCustomer)).all() == []
        assert len(session.exec(select(GraphCleanup)).all()) == 3

    rows = await service.process_cleanup(only=report.cleanup_ids)
    assert [r.status for r in rows] == [CleanupStatus.DONE] * 3
    assert fake_graph.live_appointments() == []
    assert fake_graph.customers() == []


async def test_erasure_while_graph_is_down_is_finished_by_the_pending_job(
    service: BookingService,
    fake_graph: FakeGraph,
    customer_id: str,
    db_engine: Engine,
    store: LocalFileStore,
) -> None:
    await book(service, customer_id)
    report = erase(db_engine, store, customer_id)
    fake_graph.fail("appointments.delete", 503, times=2)  # the SDK retries once
    fake_graph.fail("customers.delete", 503, times=2)
    rows = await service.process_cleanup(only=report.cleanup_ids)
    assert [r.status for r in rows] == [CleanupStatus.PENDING] * 2
    assert len(fake_graph.live_appointments()) == 1

    fake_graph.clear_faults()
    await service.retry_pending()  # the existing background job
    assert fake_graph.live_appointments() == [] and fake_graph.customers() == []
    with session_scope(db_engine) as session:
        statuses = {r.status for r in session.exec(select(GraphCleanup)).all()}
    assert statuses == {CleanupStatus.DONE}


async def test_retention_deletes_the_bookings_customer_after_the_last_meeting(
    service: BookingService,
    fake_graph: FakeGraph,
    customer_id: str,
    db_engine: Engine,
    store: LocalFileStore,
    clock_at_now: ManualClock,
) -> None:
    await book(service, customer_id)
    assert len(fake_graph.customers()) == 1
    later = clock_at_now() + timedelta(days=800)
    with session_scope(db_engine) as session:
        report = purge_expired(session=session, store=store, now=later)
    assert report.counts["appointments"] == 1 and report.counts["bookings_customers"] == 1
    with session_scope(db_engine) as session:
        assert session.exec(select(MeetingCustomer)).all() == []
    await service.retry_pending()
    assert fake_graph.customers() == []


async def test_cli_erase_cancels_in_bookings_and_says_so(
    service: BookingService,
    fake_graph: FakeGraph,
    customer_id: str,
    db_engine: Engine,
    store: LocalFileStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await book(service, customer_id)
    with session_scope(db_engine) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.external_ref = "REF-42"
        session.add(customer)
    for name, value in {
        "CW_ENV": "test",
        "CW_GRAPH_BASE_URL": fake_graph.base_url,
        "CW_GRAPH_BOOKING_BUSINESS_ID": BUSINESS_ID,
        "CW_GRAPH_SERVICE_IDS": ",".join(f"{k}={v}" for k, v in SERVICE_IDS.items()),
        "CW_GRAPH_STATIC_TOKEN": TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    [appointment] = fake_graph.live_appointments()
    [bookings_customer] = fake_graph.customers()
    url = db_engine.url.render_as_string(hide_password=False)
    # The command runs its own event loop, as it does from a shell.
    code = await asyncio.to_thread(
        privacy_main,
        [
            "--database-url",
            url,
            "--files-root",
            str(store.root),
            "erase",
            "--customer",
            "REF-42",
            "--actor",
            "admin.alice",
        ],
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert f"CANCEL IN BOOKINGS: {appointment['id']}: done" in printed
    assert f"DELETE BOOKINGS CUSTOMER: {bookings_customer['id']}: done" in printed
    assert fake_graph.live_appointments() == [] and fake_graph.customers() == []


def test_cli_erase_without_graph_says_the_cancellation_is_queued(
    db_engine: Engine,
    store: LocalFileStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clock_at_now: ManualClock,
) -> None:
    customer_id = make_customer(db_engine)
    with session_scope(db_engine) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.external_ref = "REF-43"
        session.add(customer)
        session.add(
            MeetingAppointment(
                customer_id=customer_id,
                topic="insurance",
                locale="fr",
                customer_name="X",
                start_utc=clock_at_now() + timedelta(days=2),
                end_utc=clock_at_now() + timedelta(days=2, minutes=30),
                staff_id="staff-claire",
                advisor_first_name="Claire",
                status="booked",
                graph_appointment_id="graph-id-1",
            )
        )
    monkeypatch.delenv("CW_GRAPH_BOOKING_BUSINESS_ID", raising=False)
    url = db_engine.url.render_as_string(hide_password=False)
    assert (
        privacy_main(
            ["--database-url", url, "--files-root", str(store.root), "erase"]
            + ["--customer", "REF-43", "--actor", "admin.alice"]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "CANCEL IN BOOKINGS: graph-id-1: queued, not tried here" in printed
    with session_scope(db_engine) as session:
        [queued] = session.exec(select(GraphCleanup)).all()
    assert queued.graph_id == "graph-id-1" and queued.status == CleanupStatus.PENDING
