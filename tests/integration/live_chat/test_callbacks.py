"""Callback requests against SQLite and PostgreSQL: stored screened, due at opening, taken once,
done, and part of the customer's export and erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.db import session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.live_chat.callbacks import (
    CallbackNotFound,
    CallbackRequest,
    InvalidCallback,
    current_for_customer,
    due_callbacks,
    erase_for_customer,
    export_for_customer,
    finish_callback,
    request_callback,
    take_callback,
)
from chat_widget.live_chat.hours.schedule import parse_opening_hours
from chat_widget.privacy import purge_expired
from tests.integration.live_chat.helpers import make_agent, make_customer

OFFICE = parse_opening_hours(
    {
        "timezone": "Europe/Brussels",
        "public_holidays": False,
        "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "closures": [],
    }
)
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
MONDAY_OPENING = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _request(engine: Engine, customer_id: str, **overrides: str) -> str:
    fields = {
        "locale": "fr",
        "contact_kind": "phone",
        "contact": "0470 12 34 56",
        "message": "Ma carte est bloquée, rappelez-moi svp",
    }
    fields.update(overrides)
    with session_scope(engine) as session:
        result = request_callback(
            session=session, customer_id=customer_id, hours=OFFICE, now=FRIDAY_EVENING, **fields
        )
        assert result.request is not None, result.blocked_kinds
        return result.request.id


def test_left_on_friday_evening_reaches_the_queue_at_monday_opening(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    callback_id = _request(db_engine, customer)
    with session_scope(db_engine) as session:
        stored = session.get(CallbackRequest, callback_id)
        assert stored is not None
        assert stored.contact == "+32470123456"
        assert stored.status == "sent"
        assert due_callbacks(session=session, now=FRIDAY_EVENING) == []
        assert due_callbacks(session=session, now=MONDAY_OPENING - timedelta(minutes=1)) == []
        due = due_callbacks(session=session, now=MONDAY_OPENING, languages=["fr"])
        assert [c.id for c in due] == [callback_id]
        assert due_callbacks(session=session, now=MONDAY_OPENING, languages=["nl"]) == []
        # Opened early (the admin changed the hours): due at once.
        always = parse_opening_hours(
            {"public_holidays": False, "weekly": {"sat": [["00:00", "23:59"]]}}
        )
        saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
        assert [c.id for c in due_callbacks(session=session, now=saturday, hours=always)] == [
            callback_id
        ]
        assert due_callbacks(session=session, now=saturday, hours=OFFICE) == []


def test_taken_once_then_done_and_the_customer_sees_each_step(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    sophie = make_agent(db_engine, "sophie")
    marc = make_agent(db_engine, "marc")
    callback_id = _request(db_engine, customer)
    with session_scope(db_engine) as session:
        take_callback(session=session, callback_id=callback_id, agent_id=sophie, now=MONDAY_OPENING)
    with session_scope(db_engine) as session:
        with pytest.raises(CallbackNotFound):
            take_callback(session=session, callback_id=callback_id, agent_id=marc)
        with pytest.raises(CallbackNotFound):
            finish_callback(session=session, callback_id=callback_id, agent_id=marc)
        # Taking it again is harmless for the agent who holds it.
        take_callback(session=session, callback_id=callback_id, agent_id=sophie)
        current = current_for_customer(session=session, customer_id=customer)
        assert current is not None and current.status == "taken"
    with session_scope(db_engine) as session:
        finish_callback(session=session, callback_id=callback_id, agent_id=sophie)
    with session_scope(db_engine) as session:
        current = current_for_customer(session=session, customer_id=customer)
        assert current is not None and current.status == "done"
        assert due_callbacks(session=session, now=MONDAY_OPENING + timedelta(hours=1)) == []
    # Once done, a new request may be left.
    assert _request(db_engine, customer, message="Encore une question") != callback_id


def test_one_open_request_at_a_time_and_bad_input_is_not_stored(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    first = _request(db_engine, customer)
    assert _request(db_engine, customer, message="Autre chose") == first
    with session_scope(db_engine) as session:
        with pytest.raises(InvalidCallback):
            request_callback(
                session=session,
                customer_id=make_customer(db_engine),
                locale="fr",
                contact_kind="email",
                contact="not-an-address",
                message="Bonjour",
                hours=OFFICE,
            )


def test_the_guard_refuses_a_pin_in_the_message(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    with session_scope(db_engine) as session:
        result = request_callback(
            session=session,
            customer_id=customer,
            locale="fr",
            contact_kind="email",
            contact="anne@example.be",
            message="Mon code PIN est 4821, rappelez-moi",
            hours=OFFICE,
            now=FRIDAY_EVENING,
        )
        assert result.request is None
        assert result.blocked_kinds
        assert current_for_customer(session=session, customer_id=customer) is None


def test_export_and_erasure_include_callback_requests(db_engine: Engine) -> None:
    customer = make_customer(db_engine)
    _request(db_engine, customer, contact_kind="email", contact="anne@example.be")
    with session_scope(db_engine) as session:
        exported = export_for_customer(session=session, customer_id=customer)
        assert [(e["contact"], e["status"]) for e in exported] == [("anne@example.be", "sent")]
        assert erase_for_customer(session=session, customer_id=customer) == 1
        assert export_for_customer(session=session, customer_id=customer) == []


def test_the_retention_job_deletes_old_callback_requests(db_engine: Engine, tmp_path: Path) -> None:
    customer = make_customer(db_engine)
    _request(db_engine, customer)
    store = LocalFileStore(tmp_path / "files")
    with session_scope(db_engine) as session:
        early = purge_expired(
            session=session, store=store, now=FRIDAY_EVENING + timedelta(days=300)
        )
        assert early.counts["callback_requests"] == 0
        late = purge_expired(session=session, store=store, now=FRIDAY_EVENING + timedelta(days=800))
        assert late.counts["callback_requests"] == 1
        assert current_for_customer(session=session, customer_id=customer) is None
