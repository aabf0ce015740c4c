from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from chat_widget.adapters.db import session_scope
from chat_widget.audit import (
    audit_append_only_ddl,
    export_audit,
    install_audit_guards,
    record,
    write_audit_csv,
    write_audit_jsonl,
)
from chat_widget.domain.clock import utcnow
from chat_widget.domain.models import AuditEvent


def test_record_and_export(db_engine: Engine) -> None:
    install_audit_guards(db_engine)
    install_audit_guards(db_engine)  # idempotent
    start = utcnow() - timedelta(seconds=1)
    with session_scope(db_engine) as session:
        record(
            session=session,
            actor_kind="agent",
            actor_id="a1",
            action="transcript.open",
            target_type="conversation",
            target_id="c1",
            reason="=customer asked",
            details={"n": 1},
        )
        record(
            session=session,
            actor_kind="admin",
            actor_id="root",
            action="hours.set",
            target_type="opening_hours",
            target_id="default",
        )
    with session_scope(db_engine) as session:
        rows = export_audit(session=session, since=start, until=utcnow() + timedelta(seconds=1))
        assert [r["action"] for r in rows] == ["transcript.open", "hours.set"]
        assert rows[0]["details"] == {"n": 1}
        assert (
            export_audit(
                session=session,
                since=utcnow() + timedelta(hours=1),
                until=utcnow() + timedelta(hours=2),
            )
            == []
        )
    buf = io.StringIO()
    assert write_audit_jsonl(rows, buf) == 2
    assert json.loads(buf.getvalue().splitlines()[0])["actor_id"] == "a1"
    buf = io.StringIO()
    assert write_audit_csv(rows, buf) == 2
    parsed = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert parsed[0]["reason"] == "'=customer asked"
    assert json.loads(parsed[0]["details"]) == {"n": 1}


def test_update_and_delete_are_refused(db_engine: Engine) -> None:
    install_audit_guards(db_engine)
    with session_scope(db_engine) as session:
        event = record(
            session=session,
            actor_kind="agent",
            actor_id="a1",
            action="transcript.open",
            target_type="conversation",
            target_id="c1",
            reason="check",
        )
        event_id = event.id
    for statement in (
        update(AuditEvent).where(AuditEvent.id == event_id).values(reason="forged"),  # type: ignore[arg-type]
        delete(AuditEvent).where(AuditEvent.id == event_id),  # type: ignore[arg-type]
    ):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(db_engine) as session:
            session.execute(statement)
    with session_scope(db_engine) as session:
        stored = session.get(AuditEvent, event_id)
        assert stored is not None and stored.reason == "check"


def test_unknown_dialect() -> None:
    with pytest.raises(ValueError):
        audit_append_only_ddl("mysql")
