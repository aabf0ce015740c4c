"""``python -m chat_widget.claims.export --since 2026-11-01 --out DIR``: one JSON file per claim.

Writes every claim submitted on or after ``--since`` (UTC date), named after its reference, for
the insurer's claims system to import. The database comes from ``--database-url`` or the
widget's settings (``CW_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from chat_widget.audit import record
from chat_widget.claims.document import load_claim_document
from chat_widget.claims.records import ActorKind, Claim, ClaimStatus


def export_claims(*, session: Session, since: date, out: Path) -> list[Path]:
    """Write the documents; returns the files written, oldest submission first."""
    out.mkdir(parents=True, exist_ok=True)
    query = (
        select(Claim.id)
        .where(
            Claim.status != ClaimStatus.DRAFT,
            col(Claim.submitted_at) >= datetime.combine(since, time.min, tzinfo=UTC),
        )
        .order_by(col(Claim.submitted_at), col(Claim.id))
    )
    written: list[Path] = []
    for claim_id in session.exec(query).all():
        document = load_claim_document(session=session, claim_id=claim_id)
        if document is None:
            continue
        path = out / f"{document['reference'] or claim_id}.json"
        tmp = path.with_suffix(".json.part")
        tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written


def documents_since(
    *, session: Session, since: datetime, limit: int, actor_id: str = "claims-export-api"
) -> list[dict[str, Any]]:
    """Documents of claims submitted at or after ``since``, oldest first, at most ``limit``.

    The insurer pages through by passing the last ``submitted_at`` it received as the next
    ``since`` (a claim submitted at exactly that moment comes again; its ``id`` tells). Each
    export is audited like any other view of claims.
    """
    query = (
        select(Claim.id)
        .where(Claim.status != ClaimStatus.DRAFT, col(Claim.submitted_at) >= since)
        .order_by(col(Claim.submitted_at), col(Claim.id))
        .limit(limit)
    )
    documents = [
        document
        for claim_id in session.exec(query).all()
        if (document := load_claim_document(session=session, claim_id=claim_id)) is not None
    ]
    record(
        session=session,
        actor_kind=ActorKind.SYSTEM,
        actor_id=actor_id,
        action="claim.export",
        target_type="claim",
        target_id="*",
        details={"since": since.isoformat(), "count": len(documents)},
    )
    session.flush()
    return documents


def run(engine: Engine, *, since: date, out: Path) -> list[Path]:
    with Session(engine) as session:
        return export_claims(session=session, since=since, out=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chat_widget.claims.export", description=__doc__
    )
    parser.add_argument("--since", required=True, type=date.fromisoformat, help="YYYY-MM-DD (UTC)")
    parser.add_argument("--out", required=True, type=Path, help="folder to write into")
    parser.add_argument("--database-url", help="default: the widget's settings (CW_DATABASE_URL)")
    args = parser.parse_args(argv)
    from chat_widget.adapters.db import make_engine
    from chat_widget.settings import load_settings

    engine = make_engine(args.database_url or load_settings().database_url)
    try:
        written = run(engine, since=args.since, out=args.out)
    finally:
        engine.dispose()
    sys.stdout.write(f"{len(written)} claim(s) written to {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
