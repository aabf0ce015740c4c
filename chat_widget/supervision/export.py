"""One supervisor table as a CSV file, for a supervisor or admin only, audited.

The CSV opens in Excel as it is: UTF-8 with a byte-order mark (else Excel reads it as
Windows-1252 and breaks every accent), ``;`` between cells and a decimal comma for French,
Dutch and German (what Excel expects in those regional settings), ``,`` and a decimal point for
English. Durations are whole seconds and percentages plain numbers, so they can be summed.
A cell starting like a formula is quoted: a customer's question is never run by a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from chat_widget import agents
from chat_widget.audit import record
from chat_widget.domain.clock import BANK_ZONE, as_aware, utcnow
from chat_widget.supervision.access import NotSupervisor, supervisor_of
from chat_widget.supervision.assistant import assistant_containment, misunderstood_questions
from chat_widget.supervision.chats import chat_times, conversations_per_hour, ratings
from chat_widget.supervision.claims import claims_by_type_and_status
from chat_widget.supervision.live import live_figures
from chat_widget.supervision.meetings import meetings_booked_cancelled
from chat_widget.supervision.period import Period
from chat_widget.supervision.tables import (
    LIVE_TABLES,
    PERCENT,
    SECONDS,
    Cell,
    Table,
    claims_table,
    containment_table,
    decimal,
    live_tables,
    meetings_table,
    questions_table,
    ratings_table,
    times_table,
    volume_table,
)

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Cell, kind: str, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    if kind == SECONDS:
        return str(int(value))
    if isinstance(value, float) or kind == PERCENT:
        return decimal(float(value), locale)
    return str(value)


def _unit(kind: str, tr: Mapping[str, str]) -> str:
    if kind == SECONDS:
        return " " + tr.get("supervisor.unit.seconds", "(s)")
    if kind == PERCENT:
        return " (%)"
    return ""


def csv_text(table: Table, *, locale: str, tr: Mapping[str, str]) -> str:
    """The table with its header and total row, BOM first."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="," if locale == "en" else ";", lineterminator="\r\n")
    writer.writerow([c.title + _unit(c.kind, tr) for c in table.columns])
    for row in (*table.rows, *([table.total] if table.total else [])):
        writer.writerow(
            [_csv_cell(v, c.kind, locale) for v, c in zip(row, table.columns, strict=True)]
        )
    return BOM + out.getvalue()


@dataclass(frozen=True)
class CsvFile:
    filename: str
    data: bytes


_PERIOD_TABLES: dict[str, Callable[[Session, Period, Mapping[str, str], str], Table]] = {
    "volume": lambda s, p, tr, loc: volume_table(
        conversations_per_hour(session=s, since=p.since, until=p.until), tr
    ),
    "times": lambda s, p, tr, loc: times_table(
        chat_times(session=s, since=p.since, until=p.until), tr
    ),
    "ratings": lambda s, p, tr, loc: ratings_table(
        ratings(session=s, since=p.since, until=p.until), tr
    ),
    "containment": lambda s, p, tr, loc: containment_table(
        assistant_containment(session=s, since=p.since, until=p.until), tr
    ),
    "questions": lambda s, p, tr, loc: questions_table(
        misunderstood_questions(session=s, since=p.since, until=p.until), tr
    ),
    "claims": lambda s, p, tr, loc: claims_table(
        claims_by_type_and_status(session=s, since=p.since, until=p.until), tr, loc
    ),
    "meetings": lambda s, p, tr, loc: meetings_table(
        meetings_booked_cancelled(session=s, since=p.since, until=p.until), tr
    ),
}


def export_csv(
    *,
    session: Session,
    token: str,
    name: str,
    period: Period | None,
    locale: str,
    tr: Mapping[str, str],
    now: datetime | None = None,
) -> CsvFile | None:
    """One table as CSV if the session is a supervisor's (or an admin's); None otherwise.

    The role is checked on every call and every export is audited with what it contained
    (table, period, number of rows), committed with the caller's unit of work."""
    try:
        employee = supervisor_of(session=session, token=token)
    except (agents.NotAuthenticated, NotSupervisor):
        return None
    now = as_aware(now or utcnow())
    if name in LIVE_TABLES:
        table = live_tables(live_figures(session=session, now=now), tr=tr)[name]
        stamp = now.astimezone(BANK_ZONE).strftime("%Y-%m-%d_%H%M")
    elif name in _PERIOD_TABLES and period is not None:
        table = _PERIOD_TABLES[name](session, period, tr, locale)
        stamp = f"{period.first.isoformat()}_{period.last.isoformat()}"
    else:
        return None
    record(
        session=session,
        actor_kind="employee",
        actor_id=employee.id,
        action="supervisor.export",
        target_type="report",
        target_id=name,
        details={
            "from": period.first.isoformat() if period and name not in LIVE_TABLES else None,
            "to": period.last.isoformat() if period and name not in LIVE_TABLES else None,
            "rows": len(table.rows),
            "locale": locale,
        },
    )
    data = csv_text(table, locale=locale, tr=tr).encode("utf-8")
    return CsvFile(f"{name}_{stamp}.csv", data)
