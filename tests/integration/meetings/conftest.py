"""Fixtures: a fake Graph on 127.0.0.1, the real msgraph-sdk gateway, the booking service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.graph import GraphMeetingGateway, GraphSettings
from chat_widget.domain.models import Customer
from chat_widget.meetings.booking import BookingService, BookingSettings
from chat_widget.meetings.consent import record_video_consent
from chat_widget.meetings.slots import Advisor, SlotRules
from tests.conftest import ManualClock
from tests.fakes.fake_graph import FakeGraph, StaticTokenCredential, running_fake

BUSINESS_ID = "bank@contoso.onmicrosoft.com"
TOKEN = "static-test-token"
SERVICE_IDS = {
    "daily_banking": "svc-daily",
    "loans_mortgage": "svc-loans",
    "insurance": "svc-insurance",
    "investments": "svc-invest",
}
ADVISORS = (
    Advisor(
        "staff-claire",
        "Claire",
        frozenset({"daily_banking", "loans_mortgage", "insurance"}),
        frozenset({"fr", "en"}),
    ),
    Advisor("staff-joris", "Joris", frozenset({"daily_banking"}), frozenset({"nl", "en"})),
    Advisor(
        "staff-jonas", "Jonas", frozenset({"insurance", "loans_mortgage"}), frozenset({"de", "fr"})
    ),
    # Investment advice is recorded: its advisors take nothing else.
    Advisor("staff-ines", "Inès", frozenset({"investments"}), frozenset({"fr", "nl", "en"})),
)
INVESTMENT_STAFF = {"staff-ines"}
# Thursday before the spring DST change: the 14-day window spans it.
NOW = datetime(2026, 3, 26, 17, 0, tzinfo=UTC)
# Generous: a loaded CI machine must not turn a healthy call into a timeout; the tests that
# simulate a lost answer wait CLIENT_TIMEOUT + 1.
CLIENT_TIMEOUT = 3.0


@pytest.fixture(autouse=True)
def clock_at_now(pinned_clock: ManualClock) -> ManualClock:
    """The service and the fake Graph read the same pinned clock (lead times, horizons)."""
    pinned_clock.set(NOW)
    return pinned_clock


def fake_kwargs(**changes: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "token": TOKEN,
        "business_id": BUSINESS_ID,
        "services": {sid: topic for topic, sid in SERVICE_IDS.items()},
        "staff": {a.staff_id: f"{a.first_name} Advisor" for a in ADVISORS},
        "service_staff": {
            sid: [
                a.staff_id
                for a in ADVISORS
                if (a.staff_id in INVESTMENT_STAFF) == (topic == "investments")
            ]
            for topic, sid in SERVICE_IDS.items()
        },
    }
    kwargs.update(changes)
    return kwargs


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    yield from running_fake(**fake_kwargs())


def graph_settings(fake: FakeGraph) -> GraphSettings:
    return GraphSettings(
        booking_business_id=BUSINESS_ID,
        service_ids=SERVICE_IDS,
        base_url=fake.base_url,
        timeout_seconds=CLIENT_TIMEOUT,
        read_max_retries=1,
        read_retry_delay_seconds=0.0,
        environment="test",
        meeting_options=True,
    )


@pytest.fixture
async def gateway(fake_graph: FakeGraph) -> AsyncIterator[GraphMeetingGateway]:
    gw = GraphMeetingGateway(
        settings=graph_settings(fake_graph), credential=StaticTokenCredential(TOKEN)
    )
    yield gw
    await gw.aclose()


async def _no_wait(_: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
def service(gateway: GraphMeetingGateway, db_engine: Engine) -> BookingService:
    return BookingService(
        gateway=gateway,
        sessions=partial(session_scope, db_engine),
        settings=BookingSettings(rules=SlotRules(), advisors=ADVISORS, create_attempts=3),
        service_ids=SERVICE_IDS,
        sleep=_no_wait,
    )


def make_customer(engine: Engine, *, consent: bool = True, locale: str = "fr") -> str:
    with session_scope(engine) as session:
        customer = Customer(locale=locale)
        session.add(customer)
        session.flush()
        if consent:
            record_video_consent(
                session=session, customer_id=customer.id, locale=locale, granted=True
            )
        return customer.id


@pytest.fixture
def customer_id(db_engine: Engine) -> str:
    return make_customer(db_engine)
