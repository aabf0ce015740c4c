"""The review list: questions the assistant did not understand or whose answer did not help.

The bank exports it (``python -m chat_widget.assistant.review --since 2026-11-01 --out x.csv``)
and turns the rows into new labelled examples. Text is masked before it is stored.

The CLI prints nothing but the CSV (to ``--out`` or standard output) and a count on stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TextIO

from sqlmodel import Session, col, select

from chat_widget.assistant.dialogue import Reply, ReviewReason, ReviewRequest
from chat_widget.assistant.llm import mask_for_llm
from chat_widget.assistant.records import AssistantReviewItem

CSV_COLUMNS = (
    "created_at",
    "reason",
    "locale",
    "text",
    "predicted_intent",
    "confidence",
    "alternatives",
    "conversation_id",
    "id",
)


def record_misunderstood(
    *,
    session: Session,
    text: str,
    locale: str,
    reason: ReviewReason | str,
    predicted_intent: str | None = None,
    confidence: float = 0.0,
    alternatives: Sequence[tuple[str, float]] = (),
    conversation_id: str | None = None,
) -> AssistantReviewItem:
    item = AssistantReviewItem(
        conversation_id=conversation_id,
        reason=ReviewReason(reason).value,
        locale=locale,
        text=mask_for_llm(text),
        predicted_intent=predicted_intent,
        confidence=float(confidence),
        alternatives=[[intent, round(float(score), 4)] for intent, score in alternatives],
    )
    session.add(item)
    session.flush()
    return item


def record_review_request(
    *, session: Session, review: ReviewRequest, conversation_id: str | None = None
) -> AssistantReviewItem:
    return record_misunderstood(
        session=session,
        text=review.text,
        locale=review.locale,
        reason=review.reason,
        predicted_intent=review.predicted_intent,
        confidence=review.confidence,
        alternatives=review.alternatives,
        conversation_id=conversation_id,
    )


def record_from_reply(
    *, session: Session, reply: Reply, conversation_id: str | None = None
) -> AssistantReviewItem | None:
    """Stores the reply's review request, if it has one (below threshold, "didn't help")."""
    if reply.review is None:
        return None
    return record_review_request(
        session=session, review=reply.review, conversation_id=conversation_id
    )


def _aware(moment: datetime | None) -> datetime | None:
    """Stored datetimes are aware UTC; a naive bound is taken to be UTC as well."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def list_review_items(
    *,
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    reason: ReviewReason | str | None = None,
    include_reviewed: bool = True,
) -> list[AssistantReviewItem]:
    since, until = _aware(since), _aware(until)
    query = select(AssistantReviewItem)
    if since is not None:
        query = query.where(col(AssistantReviewItem.created_at) >= since)
    if until is not None:
        query = query.where(col(AssistantReviewItem.created_at) < until)
    if reason is not None:
        query = query.where(AssistantReviewItem.reason == ReviewReason(reason).value)
    if not include_reviewed:
        query = query.where(col(AssistantReviewItem.reviewed).is_(False))
    query = query.order_by(col(AssistantReviewItem.created_at), col(AssistantReviewItem.id))
    return list(session.exec(query).all())


def mark_reviewed(*, session: Session, item_ids: Sequence[str]) -> int:
    count = 0
    for item_id in item_ids:
        item = session.get(AssistantReviewItem, item_id)
        if item is not None and not item.reviewed:
            item.reviewed = True
            session.add(item)
            count += 1
    session.flush()
    return count


def _safe_cell(value: str) -> str:
    """Stops a spreadsheet from running a customer's text as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_csv(items: Sequence[AssistantReviewItem], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(
            [
                item.created_at.isoformat(timespec="seconds"),
                item.reason,
                item.locale,
                _safe_cell(item.text),
                item.predicted_intent or "",
                f"{item.confidence:.4f}",
                json.dumps(item.alternatives, ensure_ascii=False),
                item.conversation_id or "",
                item.id,
            ]
        )
    return len(items)


def _date(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date: {value!r}") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chat_widget.assistant.review",
        description="Export the assistant's misunderstood questions to CSV.",
    )
    parser.add_argument("--since", type=_date, help="from this date (UTC, inclusive)")
    parser.add_argument("--until", type=_date, help="up to this date (UTC, inclusive)")
    parser.add_argument(
        "--reason", choices=[r.value for r in ReviewReason], help="only this reason"
    )
    parser.add_argument("--pending", action="store_true", help="skip rows already reviewed")
    parser.add_argument("--out", help="CSV file to write (default: standard output)")
    parser.add_argument("--db-url", help="database URL (default: CW_DATABASE_URL / settings)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from chat_widget.adapters.db import make_engine

    if args.db_url:
        db_url = args.db_url
    else:
        from chat_widget.settings import get_settings

        db_url = get_settings().database_url
    until = args.until
    if until is not None and until.timetz().replace(tzinfo=None) == datetime.min.time():
        until = until + timedelta(days=1)  # a bare date means "that whole day"
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            items = list_review_items(
                session=session,
                since=args.since,
                until=until,
                reason=args.reason,
                include_reviewed=not args.pending,
            )
    finally:
        engine.dispose()
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as fh:
            count = write_csv(items, fh)
    else:
        count = write_csv(items, sys.stdout)
    sys.stderr.write(f"{count} question(s) exported\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
