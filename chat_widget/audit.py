"""The append-only audit log: who did what to which record, when and why.

Rows are only ever inserted. ``install_audit_guards`` adds database triggers that refuse UPDATE
and DELETE (and TRUNCATE on PostgreSQL) on ``auditevent``, so not even a bug or a console user
with SQL access through the app can rewrite history; in production also grant the app's
database role INSERT/SELECT only on this table.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from chat_widget.domain.models import AuditEvent

EXPORT_FIELDS = (
    "id",
    "at",
    "actor_kind",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "reason",
    "details",
)

_MESSAGE = "auditevent is append-only"

_SQLITE_DDL = [
    "CREATE TRIGGER IF NOT EXISTS auditevent_no_update BEFORE UPDATE ON auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
    "CREATE TRIGGER IF NOT EXISTS auditevent_no_delete BEFORE DELETE ON auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
]

_POSTGRES_DDL = [
    "CREATE OR REPLACE FUNCTION auditevent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END; $$",
    "DROP TRIGGER IF EXISTS auditevent_no_change ON auditevent",
    "CREATE TRIGGER auditevent_no_change BEFORE UPDATE OR DELETE ON auditevent "
    "FOR EACH ROW EXECUTE FUNCTION auditevent_refuse_change()",
    "DROP TRIGGER IF EXISTS auditevent_no_truncate ON auditevent",
    "CREATE TRIGGER auditevent_no_truncate BEFORE TRUNCATE ON auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION auditevent_refuse_change()",
]


def audit_append_only_ddl(dialect_name: str) -> list[str]:
    """Statements that make ``auditevent`` append-only; usable from an Alembic migration too."""
    if dialect_name == "sqlite":
        return list(_SQLITE_DDL)
    if dialect_name == "postgresql":
        return list(_POSTGRES_DDL)
    raise ValueError(f"no audit guard for dialect {dialect_name!r}")


def install_audit_guards(engine: Engine) -> None:
    """Create the triggers (idempotent). Run after the tables exist."""
    with engine.begin() as conn:
        for statement in audit_append_only_ddl(engine.dialect.name):
            conn.exec_driver_sql(statement)


def record(
    *,
    session: Session,
    actor_kind: str,
    actor_id: str,
    action: str,
    target_type: str,
    target_id: str,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event (flushed; committed with the caller's unit of work)."""
    event = AuditEvent(
        actor_kind=actor_kind,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason[:500] if reason else reason,
        details=dict(details or {}),
    )
    session.add(event)
    session.flush()
    return event


def _row(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "reason": event.reason,
        "details": dict(event.details or {}),
    }


def export_audit(*, session: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Events with ``since <= at < until``, oldest first, as plain dicts (ISO timestamps)."""
    query = (
        select(AuditEvent)
        .where(col(AuditEvent.at) >= since, col(AuditEvent.at) < until)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return [_row(event) for event in session.exec(query).all()]


def write_audit_jsonl(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """One JSON object per line; returns the number of rows written."""
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str) + "\n")
        count += 1
    return count


def write_audit_csv(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """CSV with a header; ``details`` as a JSON string. Returns the number of rows written."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    count = 0
    for row in rows:
        flat = {key: row.get(key) for key in EXPORT_FIELDS}
        flat["details"] = json.dumps(row.get("details") or {}, ensure_ascii=False, sort_keys=True)
        writer.writerow(_defuse_formula(flat))
        count += 1
    return count


def _defuse_formula(row: dict[str, Any]) -> dict[str, Any]:
    """A reason typed by an agent must not become a spreadsheet formula when opened in Excel."""
    safe: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            value = "'" + value
        safe[key] = value
    return safe
