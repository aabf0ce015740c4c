"""Admin commands for data rights and retention.

    python -m chat_widget.privacy purge [--dry-run] [--now 2026-11-24T03:00:00+00:00]
    python -m chat_widget.privacy export --customer REF --out FILE.zip [--actor ADMIN]
    python -m chat_widget.privacy erase --customer REF --actor ADMIN [--reason TEXT] [--locale en]
    python -m chat_widget.privacy audit-export --since DATE [--until DATE] --out FILE.csv [--format csv|jsonl]

The database comes from ``--database-url`` or the widget's settings (``CW_DATABASE_URL``); files
from ``--files-root`` or ``CW_DATA_DIR``/files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from chat_widget.adapters.db import make_engine, session_scope
from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.audit import export_audit, record, write_audit_csv, write_audit_jsonl
from chat_widget.domain.clock import utcnow
from chat_widget.privacy.erasure import ErasureReport
from chat_widget.privacy.errors import CustomerNotFound
from chat_widget.privacy.jobs import (
    carry_out_bookings_cleanup,
    erase_by_ref,
    export_by_ref,
    run_purge,
)
from chat_widget.settings import environ


def _moment(raw: str) -> datetime:
    value = datetime.fromisoformat(raw)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _day(raw: str) -> datetime:
    return datetime.combine(date.fromisoformat(raw), time.min, tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chat_widget.privacy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", help="default: CW_DATABASE_URL from the settings")
    parser.add_argument("--files-root", type=Path, help="default: CW_DATA_DIR/files")
    commands = parser.add_subparsers(dest="command", required=True)

    purge = commands.add_parser("purge", help="delete data past its retention period")
    purge.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
    purge.add_argument("--now", type=_moment, help="ISO moment to purge as of (default: now)")

    export = commands.add_parser("export", help="one customer's data as a ZIP archive")
    export.add_argument("--customer", required=True, help="the bank's customer reference")
    export.add_argument("--out", required=True, type=Path)
    export.add_argument("--actor", default=environ().get("USER", "cli"), help="who asks")

    erase = commands.add_parser("erase", help="erase one customer's data (keeps what law requires)")
    erase.add_argument("--customer", required=True, help="the bank's customer reference")
    erase.add_argument("--actor", required=True, help="the admin carrying out the request")
    erase.add_argument("--reason", help="e.g. the ticket number of the request")
    erase.add_argument("--locale", default="en", help="language of the printed statement")

    audit = commands.add_parser("audit-export", help="export the audit log")
    audit.add_argument("--since", required=True, type=_day, help="YYYY-MM-DD (UTC, inclusive)")
    audit.add_argument("--until", type=_day, help="YYYY-MM-DD (UTC, exclusive; default: tomorrow)")
    audit.add_argument("--out", required=True, type=Path)
    audit.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    audit.add_argument("--actor", default=environ().get("USER", "cli"), help="who exports")
    return parser


def _audit_export(engine: Engine, args: argparse.Namespace) -> int:
    until = args.until or _day((utcnow() + timedelta(days=1)).date().isoformat())
    with session_scope(engine) as session:
        rows = export_audit(session=session, since=args.since, until=until)
        tmp = args.out.with_name(args.out.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="") as out:
            writer = write_audit_csv if args.format == "csv" else write_audit_jsonl
            count = writer(rows, out)
        tmp.replace(args.out)
        # Reading the whole log is itself worth a line in it.
        record(
            session=session,
            actor_kind="employee",
            actor_id=args.actor,
            action="audit.export",
            target_type="auditevent",
            target_id="all",
            details={"since": args.since.isoformat(), "until": until.isoformat(), "rows": count},
        )
    sys.stdout.write(f"{count} audit event(s) written to {args.out}\n")
    return 0


_LABELS = {
    "cancel_appointment": "CANCEL IN BOOKINGS",
    "cancel_unconfirmed": "CANCEL IN BOOKINGS (unconfirmed booking)",
    "delete_customer": "DELETE BOOKINGS CUSTOMER",
}


def _bookings_lines(engine: Engine, erasure: ErasureReport) -> None:
    """One line per piece of Bookings work the erasure queued, saying what became of it."""
    result = carry_out_bookings_cleanup(engine, erasure.cleanup_ids)
    if result.not_tried is not None:
        for booking in erasure.bookings_to_cancel:
            sys.stdout.write(
                f"CANCEL IN BOOKINGS: {booking}: queued, not tried here ({result.not_tried}); "
                "the widget's background job cancels it\n"
            )
        return
    for row in result.rows:
        label = _LABELS.get(row.kind, row.kind)
        target = row.graph_id or "looked up by service, advisor and time"
        if row.status == "done":
            outcome = "done"
        elif row.status == "failed":
            outcome = f"REFUSED ({row.last_error}): finish it in Bookings by hand"
        else:
            outcome = f"queued ({row.last_error}): the widget's background job retries"
        sys.stdout.write(f"{label}: {target}: {outcome}\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from chat_widget.settings import get_settings

    settings = get_settings()
    engine = make_engine(args.database_url or settings.database_url)
    store = LocalFileStore(args.files_root or settings.data_dir / "files")
    try:
        if args.command == "purge":
            report = run_purge(engine, store, now=args.now, dry_run=args.dry_run)
            verb = "would delete" if report.dry_run else "deleted"
            sys.stdout.write(f"{verb}: {json.dumps(report.counts, sort_keys=True)}\n")
            return 0
        if args.command == "export":
            data = export_by_ref(engine, store, external_ref=args.customer, actor=args.actor)
            tmp = args.out.with_name(args.out.name + ".part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            tmp.replace(args.out)
            sys.stdout.write(f"archive written to {args.out} ({len(data)} bytes)\n")
            return 0
        if args.command == "erase":
            erasure = erase_by_ref(
                engine, store, external_ref=args.customer, actor=args.actor, reason=args.reason
            )
            for item in erasure.statement(args.locale):
                count = "" if item.count is None else f" ({item.count})"
                refs = f" [{', '.join(item.references)}]" if item.references else ""
                sys.stdout.write(f"{item.status.upper()}: {item.title}{count}{refs}: {item.text}\n")
            _bookings_lines(engine, erasure)
            return 0
        return _audit_export(engine, args)
    except CustomerNotFound as exc:
        sys.stderr.write(f"no customer with reference {exc}\n")
        return 1
    finally:
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
